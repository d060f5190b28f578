package runner_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// maxFailedConnects bounds the failed connection attempts of one worker
// backing off over a run as long as res: one, then one after each wait of
// the schedule (10 ms doubling to 1 s: seven waits up to 1.27 s, then one a
// second), with room to spare.
func maxFailedConnects(res *runner.Result) int64 {
	return int64(res.PeakWorkers) * (1 + 7 + int64(res.Duration()/time.Second) + 3)
}

// TestDeadTargetBacksOff: a target that dies after answering some
// requests, or that no connection reaches over http:// or https://, gets
// a few failed connection attempts per worker, not a hot loop of them;
// the run ends normally, and its rate counts only the requests that
// reached the server.
func TestDeadTargetBacksOff(t *testing.T) {
	// Dead after its first few answers: an event early in the run.
	const answered = 4
	dying := testkit.DyingServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), answered)
	untrusted := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the server's own complaint about each handshake
	untrusted.StartTLS()
	defer untrusted.Close()

	cases := []struct {
		name    string
		url     string
		length  time.Duration
		reached int64 // at least
		kind    runner.TransportKind
	}{
		{"http dies mid-run", dying, 2 * time.Second, answered, runner.TransportRefused},
		{"https refused", "https://" + closedPort(t), time.Second, 0, runner.TransportRefused},
		{"https untrusted certificate", untrusted.URL, time.Second, 0, runner.TransportTLS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, _ := url.Parse(tc.url)
			res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 4, Duration: tc.length},
				runner.Step{Name: "get", Method: http.MethodGet, Path: "/"}))
			failed, bound := res.Total.ConnectFailures(), maxFailedConnects(res)
			t.Logf("%d reached, %d failed to connect (at most %d) in %s", res.Total.Reached(), failed, bound, res.Duration())
			if res.Interrupted || res.Total.Reached() < tc.reached || failed == 0 || failed > bound ||
				res.Total.ConnectFailed[tc.kind] != failed {
				t.Errorf("%d reached, failed to connect %v; want at least %d reached and 1 to %d %s",
					res.Total.Reached(), res.Total.ConnectFailed, tc.reached, bound, tc.kind)
			}
			if want := float64(res.Total.Reached()) / res.Duration().Seconds(); res.RPS(res.Total) != want {
				t.Errorf("rps %v, want %v: the requests that reached the server over the run", res.RPS(res.Total), want)
			}
		})
	}
}

// TestOpenModelWorkerBacksOff: in the open model a worker backing off is
// busy, so that the arrivals meanwhile are dropped rather than sent into a
// dead target.
func TestOpenModelWorkerBacksOff(t *testing.T) {
	target, _ := url.Parse("http://" + closedPort(t))
	res := mustRun(t, t.Context(), plan(target, runner.Load{Open: true, Rate: 200, MaxWorkers: 2, Duration: time.Second},
		runner.Step{Name: "get", Method: http.MethodGet, Path: "/"}))
	failed, bound := res.Total.ConnectFailures(), maxFailedConnects(res)
	if failed == 0 || failed > bound || res.Dropped == 0 || res.Total.Requests()+res.Dropped != res.Arrivals {
		t.Errorf("%d arrivals, %d failed to connect (at most %d), %d dropped", res.Arrivals, failed, bound, res.Dropped)
	}
}
