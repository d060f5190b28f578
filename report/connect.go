package report

import (
	"strconv"
	"strings"

	"github.com/loadgate/loadgate/runner"
)

// connectList writes e's failed connection attempts by kind:
// "refused:40 tls:2".
func connectList(e *runner.EndpointStats) string {
	var parts []string
	for _, kind := range e.TransportKinds() {
		if n := e.ConnectFailed[kind]; n > 0 {
			parts = append(parts, kind.String()+":"+strconv.FormatInt(n, 10))
		}
	}
	return strings.Join(parts, " ")
}

// connectSentence says, for a run with failed connection attempts, how
// many there were and how many requests reached the server, which the
// rates count; "" for a run without.
func connectSentence(t *runner.EndpointStats) string {
	failed := t.ConnectFailures()
	if failed == 0 {
		return ""
	}
	return strconv.FormatInt(failed, 10) + " connection attempt" + plural(int(min(failed, 2))) + " failed (" + connectList(t) +
		"); " + strconv.FormatInt(t.Reached(), 10) + " request" + plural(int(min(t.Reached(), 2))) +
		" reached the server, and req/s counts only those"
}

// textConnectFailures writes connectSentence under "connects".
func textConnectFailures(p *printer, r *runner.Result) {
	if s := connectSentence(r.Total); s != "" {
		wrapLabelled(p, "connects", s)
	}
}
