package report

import (
	"fmt"
	"io"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/runner"
)

// sessionSentence says what the users' sessions did: "5 users, 5 opened,
// renewed 3 on status and 0 on lifetime, 0 failed; 3 answers with a renew
// status, not counted above, renewed the session"; "" without sessions.
func sessionSentence(s *runner.SessionReport) string {
	if s == nil {
		return ""
	}
	text := fmt.Sprintf("%d user%s, %d opened, renewed %d on status and %d on lifetime, %d failed",
		s.Users, plural(s.Users), s.Opened, s.RenewedOnStatus, s.RenewedOnLifetime, s.Failed)
	if s.Expired > 0 {
		text += fmt.Sprintf("; %d answer%s with a renew status, not counted above, renewed the session", s.Expired, plural(s.Expired))
	}
	return text
}

// textSession writes the sessions' line and, when they were measured, the
// latency of their requests, apart from the iterations'.
func textSession(p *printer, w io.Writer, r *runner.Result) {
	s := r.Session
	if s == nil {
		return
	}
	wrapLabelled(p, "session", sessionSentence(s))
	if len(s.Endpoints) == 0 {
		return
	}
	p.line("session requests, apart from the iterations' (not in the totals):")
	p.keep(latencyTable(w, s.Endpoints, func(e *runner.EndpointStats) *hdrhistogram.Histogram { return e.Latency }))
	p.line("")
}
