package report

import (
	"fmt"
	"io"
	"strconv"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/runner"
)

// connectionTable writes, for a run that made connections, their set-up
// times by endpoint (the endpoint whose request made each): how many, how
// many TLS handshakes resumed a session, and connect and TLS handshake
// times at p50 and p99.
func connectionTable(w io.Writer, rows []*runner.EndpointStats) error {
	if rows[len(rows)-1].Connections == nil {
		return nil
	}
	if _, err := fmt.Fprintln(w, "new connections, set up apart from the request latency above"); err != nil {
		return err
	}
	t := newTable([]string{"", "endpoint", "made", "resumed", "connect p50", "p99", "TLS p50", "p99"}, 2, 3, 4, 5, 6, 7)
	for _, e := range rows {
		c := e.Connections
		if c == nil {
			t.add("", e.Name, "0", "-", "-", "-", "-", "-")
			continue
		}
		resumed := "-"
		if c.Handshakes() > 0 {
			resumed = strconv.FormatInt(c.Resumed, 10)
		}
		t.add("", e.Name, strconv.FormatInt(c.Made(), 10), resumed,
			quantile(c.Connect, 50), quantile(c.Connect, 99), quantile(c.Handshake, 50), quantile(c.Handshake, 99))
	}
	if err := t.write(w); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// quantile is h's value at q as a latency, "-" when h is empty.
func quantile(h *hdrhistogram.Histogram, q float64) string {
	if h.TotalCount() == 0 {
		return "-"
	}
	return FormatLatency(runner.Micros(h.ValueAtQuantile(q)))
}

// textConnections writes, for a run that made connections, how many
// requests each carried: streams per connection over HTTP/2, requests per
// connection over HTTP/1.1, with a warning when nearly every request made
// one, as against a server that closes after each answer.
func textConnections(p *printer, r *runner.Result) {
	c := r.Total.Connections
	if c == nil {
		return
	}
	reached := r.Total.Reached()
	ratio := float64(reached) / float64(c.Made())
	noun, over := "request", "that reached the server"
	if r.HTTP2 {
		noun, over = "stream", "over HTTP/2"
	}
	per := fmt.Sprintf("%.1f", ratio)
	if per != "1.0" {
		noun += "s"
	}
	s := fmt.Sprintf("%d made for %d request%s %s: %s %s per connection", c.Made(), reached, plural(reached), over, per, noun)
	if !r.HTTP2 && ratio < reconnectingRatio && c.Made() > int64(r.PeakWorkers) {
		s += "; nearly every request made a new connection: " + reconnectCause(r)
	}
	wrapLabelled(p, "conns", s)
}

// reconnectCause says why nearly every request of r made a new
// connection: loadgate closes one after a request failed on it (a timeout,
// a broken answer), so when those failures account for most of the
// connections made past each worker's first, that is why; otherwise the
// server closed them after answers.
func reconnectCause(r *runner.Result) string {
	failedOnConnection := r.Total.TransportErrors() - r.Total.ConnectFailures()
	if 2*failedOnConnection >= r.Total.Connections.Made()-int64(r.PeakWorkers) {
		return "most followed a request that failed on its connection (see why), which loadgate does not reuse"
	}
	return "the server closes them after its answers (no keep-alive?), and the run measures that"
}

// reconnectingRatio is the requests per HTTP/1.1 connection below which
// the summary says that nearly every request made a connection.
const reconnectingRatio = 2
