package testkit

import (
	"math"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// Result builds a Result by hand: 100 login requests (90 ok at 1..90 ms, 5
// lock timeouts, 3 503s of another kind, 2 refused) over 10 seconds, and no
// register requests.
func Result() *runner.Result {
	login := runner.NewEndpointStats("login")
	for i := 1; i <= 90; i++ {
		login.Record(runner.Sample{Response: time.Duration(i) * time.Millisecond, Service: time.Duration(i) * time.Millisecond, Status: 200, Class: runner.ClassOK})
	}
	for range 5 {
		login.Record(runner.Sample{Response: 2 * time.Second, Service: 2 * time.Second, Status: 503, Class: runner.ClassLockTimeout})
	}
	for range 3 {
		login.Record(runner.Sample{Response: time.Millisecond, Service: time.Millisecond, Status: 503, Class: runner.ClassUnavailable})
	}
	for range 2 {
		login.Record(runner.Sample{Response: 100 * time.Microsecond, Service: 100 * time.Microsecond, Status: 0, Class: runner.ClassTransport, Kind: runner.TransportRefused})
	}
	register := runner.NewEndpointStats("register")
	total := runner.NewEndpointStats("total")
	total.Merge(login)
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	return &runner.Result{Scenario: "test", Target: "http://127.0.0.1:1", Started: start, Ended: start.Add(10 * time.Second),
		Load: runner.Load{Concurrency: 4, Duration: 10 * time.Second}, Endpoints: []*runner.EndpointStats{login, register}, Total: total, Arrivals: 107, Dropped: 7, Iterations: 100}
}

// OpenResult is Result() run in the open model at 10 iterations a second:
// of its arrivals, 5 found no free worker and behind the generator was
// behind on; it sent the other 100 from 10 µs to 1 ms late. behind above 0
// also makes the generator late by 5 ms at p99: a run the generator
// limited.
func OpenResult(behind int64) *runner.Result {
	r := Result()
	r.Load = runner.Load{Open: true, Rate: 10, MaxWorkers: 8, Duration: 10 * time.Second}
	r.PeakWorkers = 8
	r.Arrivals, r.DroppedNoWorker, r.DroppedBehind = 105+behind, 5, behind
	r.Dropped = r.DroppedNoWorker + r.DroppedBehind
	r.Lateness = runner.NewLatencyHistogram()
	for i := int64(1); i <= 100; i++ {
		late := i * 10
		if behind > 0 && i > 90 {
			late = 5000
		}
		r.Lateness.RecordValue(late)
	}
	return r
}

// ResultWithMessages is Result() with failure messages for its login
// errors: 5 lock timeouts, 3 503s of another kind, 2 refused.
func ResultWithMessages() *runner.Result {
	r := Result()
	login := r.Endpoint("login")
	login.Messages = []runner.Message{
		{Class: runner.ClassLockTimeout, Text: `503 {"error":"Service temporarily busy, please retry"}`, Count: 5},
		{Class: runner.ClassUnavailable, Text: "503", Count: 3},
		{Class: runner.ClassTransport, Kind: runner.TransportRefused, Text: "dial tcp 127.0.0.1:1: connect: connection refused", Count: 2},
	}
	r.Total, _ = runner.TotalOf(r.Endpoints) // of one geometry: no error
	return r
}

// ResultWithConnectFailures is Result() whose 2 refused requests were
// failed connection attempts.
func ResultWithConnectFailures() *runner.Result {
	r := Result()
	r.Endpoint("login").ConnectFailed[runner.TransportRefused] = 2
	r.Total, _ = runner.TotalOf(r.Endpoints) // of one geometry: no error
	return r
}

// Logins builds a run of 100 login requests at ms milliseconds each, of
// which failed are 503s, over 10 seconds.
func Logins(ms int, failed int) *runner.Result {
	login := runner.NewEndpointStats("login")
	for i := range 100 {
		x := runner.Sample{Response: time.Duration(ms) * time.Millisecond, Service: time.Duration(ms) * time.Millisecond, Status: 200, Class: runner.ClassOK}
		if i < failed {
			x.Status, x.Class = 503, runner.ClassUnavailable
		}
		login.Record(x)
	}
	total := runner.NewEndpointStats("total")
	total.Merge(login)
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	return &runner.Result{Scenario: "stress", Started: start, Ended: start.Add(10 * time.Second),
		Endpoints: []*runner.EndpointStats{login}, Total: total}
}

// SLOs parses valid SLO expressions; one that does not parse fails t.
func SLOs(t testing.TB, exprs ...string) []slo.SLO {
	t.Helper()
	var slos []slo.SLO
	for _, e := range exprs {
		s, err := slo.Parse(e)
		if err != nil {
			t.Fatal(err)
		}
		slos = append(slos, s)
	}
	return slos
}

// ResultWithConnections is Result() whose login requests made made
// connections over TLS, 0.5 ms to connect and 2 ms to shake hands, the
// handshakes after the first 4 resumed; over HTTP/2 when http2 is set.
func ResultWithConnections(made int64, http2 bool) *runner.Result {
	r := Result()
	c := runner.NewConnectionStats()
	c.Connect.RecordValues(500, made)
	c.Handshake.RecordValues(2000, made)
	c.Resumed = max(made-4, 0)
	r.Endpoint("login").Connections = c
	r.Total, _ = runner.TotalOf(r.Endpoints) // of one geometry: no error
	r.HTTP2 = http2
	return r
}

// ResultWithRetries is Result() whose 8 login 503s (5 lock timeouts, 3
// unavailable) were each retried once: 6 retries ok, 2 unavailable. So
// 108 requests, 8 retries, 12 errors; of the 100 first attempts 10 failed.
func ResultWithRetries() *runner.Result {
	r := Result()
	login := r.Endpoint("login")
	for i := range 8 {
		x := runner.Sample{Response: time.Millisecond, Service: time.Millisecond, Status: 200, Class: runner.ClassOK, Retry: true}
		if i >= 6 {
			x.Status, x.Class = 503, runner.ClassUnavailable
		}
		login.Record(x)
	}
	r.Total, _ = runner.TotalOf(r.Endpoints) // of one geometry: no error
	return r
}

// ResultWithServer is Result with the server's view of it: a counter, a
// native and classic histogram of the login endpoint, a reset and a problem.
func ResultWithServer() *runner.Result {
	r := Result()
	r.Server = &servermetrics.View{Delta: servermetrics.Delta{Series: []servermetrics.Series{
		{Name: "http_request_duration_seconds", Labels: map[string]string{"endpoint": "login"}, Histogram: &servermetrics.Histogram{
			Count: 5, Sum: 0.4, Native: true, Schema: 3, ZeroThreshold: 1e-9, ZeroCount: 1, Positive: map[int32]uint64{-40: 3, -38: 1},
			Bounds: []float64{0.001, 0.1, math.Inf(1)}, Cumulative: []uint64{1, 4, 5}}},
		{Name: "http_requests_total", Labels: map[string]string{"endpoint": "login", "status": "200"}, Counter: 5},
		{Name: "storage_lock_timeouts_total", Labels: map[string]string{"op": "login"}, Counter: 0},
	}, Resets: []string{`x_total{a="b"}`}}, Problems: []string{"metrics of http://127.0.0.1:1/metrics not read as the load began: refused"}}
	return r
}
