package report_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// TestSummaryShowsConnections: the summary shows the connections a run
// made, with their set-up times; says how many requests (HTTP/1.1) or
// streams (HTTP/2) each carried; warns when nearly every request made one,
// blaming the server only when most requests did not fail on theirs;
// and shows nothing of them for a result without (an older file).
func TestSummaryShowsConnections(t *testing.T) {
	text := func(made int64, http2 bool, peak int, timeouts int) string {
		r := testkit.ResultWithConnections(made, http2)
		r.PeakWorkers = peak
		for range timeouts {
			r.Endpoint("login").Record(runner.Sample{Response: time.Millisecond, Class: runner.ClassTransport, Kind: runner.TransportTimeout})
		}
		r.Total, _ = runner.TotalOf(r.Endpoints) // of one geometry: no error
		var out strings.Builder
		if err := report.Text(&out, r, nil); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if utf8.RuneCountInString(line) > 80 {
				t.Errorf("%d columns: %q", utf8.RuneCountInString(line), line)
			}
		}
		return strings.Join(strings.Fields(out.String()), " ")
	}
	reconnecting := text(98, false, 4, 0)
	for _, want := range []string{
		"endpoint made resumed connect p50 p99 TLS p50 p99 login 98 94 500µs 500µs 2.00ms 2.00ms register 0 - - - - - total 98 94",
		"conns 98 made for 100 requests that reached the server: 1.0 request per connection; nearly every request made a new connection: the server closes them",
	} {
		if !strings.Contains(reconnecting, want) {
			t.Errorf("a run that reconnects for every request: no %q in\n%s", want, reconnecting)
		}
	}
	// 100 of 200 requests timed out: they account for most of the 150
	// connections made past the 4 workers' first ones, not of 198.
	if timedOut := text(154, false, 4, 100); !strings.Contains(timedOut, "conns 154 made for 200 requests that reached the server: 1.3 requests per connection; nearly every request made a new connection: most followed a request that failed on its connection (see why), which loadgate does not reuse") {
		t.Errorf("a run whose requests timed out, each closing its connection:\n%s", timedOut)
	}
	if both := text(198, false, 4, 50); !strings.Contains(both, "0.8 requests per connection; nearly every request made a new connection: the server closes them") {
		t.Errorf("a run whose server closed connections after its answers, besides timeouts:\n%s", both)
	}
	if kept := text(4, false, 4, 0); !strings.Contains(kept, "conns 4 made for 100 requests that reached the server: 25.0 requests per connection") {
		t.Errorf("a run that kept its connections:\n%s", kept)
	}
	if some := text(64, false, 4, 0); !strings.Contains(some, "conns 64 made for 100 requests that reached the server: 1.6 requests per connection") {
		t.Errorf("a run of 1.6 requests per connection:\n%s", some)
	}
	if h2 := text(4, true, 4, 0); !strings.Contains(h2, "conns 4 made for 100 requests over HTTP/2: 25.0 streams per connection") {
		t.Errorf("an HTTP/2 run:\n%s", h2)
	}
	var out strings.Builder
	report.Text(&out, testkit.Result(), nil)
	if strings.Contains(out.String(), "connection") || strings.Contains(out.String(), "conns") {
		t.Errorf("a result without connections shows some:\n%s", out.String())
	}
}
