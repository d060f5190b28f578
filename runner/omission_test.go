package runner_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// stallingServer answers at once, except that it stalls for stall at the
// start of every period: a request arriving during a stall waits until the
// stall ends.
func stallingServer(t *testing.T, period, stall time.Duration) *url.URL {
	t.Helper()
	began := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		if phase := time.Since(began) % period; phase < stall {
			time.Sleep(stall - phase)
		}
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

// TestOpenModelSeesStalls runs the open model against a server that stalls
// 400 ms of every 2 s. Arrivals are uniform, so 20% of them land in a stall
// and wait a uniform 0-400 ms: the true p90 is 200 ms, p99 380 ms. A closed
// run against the same server shows the coordinated omission the open model
// avoids: its workers wait out each stall once, then fire fast requests, so
// its p99 stays far below the truth.
//
// A busy machine only adds latency, so the open model's percentiles are
// checked from below (at least half the truth) and the two models against
// each other, with wide margins; how close the open model comes to the truth
// is measured by bench/peers, not here.
func TestOpenModelSeesStalls(t *testing.T) {
	const period, stall = 2 * time.Second, 400 * time.Millisecond
	target := stallingServer(t, period, stall)
	get := runner.Step{Name: "get", Method: http.MethodGet, Path: "/"}

	open := mustRun(t, t.Context(), plan(target, runner.Load{Open: true, Rate: 100, MaxWorkers: 200, Duration: 3 * period}, get))
	truth := map[float64]time.Duration{90: 200 * time.Millisecond, 99: 380 * time.Millisecond}
	for p, want := range truth {
		got := open.Total.Percentile(p)
		t.Logf("open p%v = %s (truth %s), service time %s", p, got, want, runner.Micros(open.Total.Service.ValueAtQuantile(p)))
		if got < want/2 {
			t.Errorf("open model p%v = %s, want at least half the truth %s", p, got, want)
		}
	}
	if open.Total.Errors() != 0 || open.Total.Requests()+open.Dropped != 600 {
		t.Errorf("open run: %d requests, %d errors, %d dropped; want 600 arrivals, 0 errors", open.Total.Requests(), open.Total.Errors(), open.Dropped)
	}

	closed := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 10, Duration: 3 * period}, get))
	t.Logf("closed p99 = %s over %d requests", closed.Total.Percentile(99), closed.Total.Requests())
	if got, seen := closed.Total.Percentile(99), open.Total.Percentile(99); got > seen/4 {
		t.Errorf("closed model p99 = %s, open model p99 = %s: the stall should hide from the closed model", got, seen)
	}
}
