package report_test

import (
	"slices"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// Names with characters that XML and Markdown read: the scenario has a
// control character too, which XML cannot carry at all.
const (
	awkwardScenario = "sign-in <&\"'> ]]> | *x* \x01"
	awkwardLogin    = "log|in"
	awkwardTick     = "`tick`s & \"q\""
	awkwardHTML     = "<b>_x_ [l](u) @team #1 $y$"
)

// awkwardSLOs judge awkwardResult: four fail (one of them for want of
// samples), three pass.
var awkwardSLOs = []string{
	"p95<50ms",
	awkwardLogin + ".errors==0",
	awkwardTick + ".p95<1s",
	"captcha==0",
	"missing.p99<1s",
	"dropped<=10",
	"rps>=5",
}

// awkwardVerdicts judges awkwardResult by exprs, which may use its class.
func awkwardVerdicts(t *testing.T, r *runner.Result, exprs ...string) []slo.Verdict {
	t.Helper()
	var slos []slo.SLO
	for _, e := range exprs {
		s, err := slo.Parse(e, "captcha")
		if err != nil {
			t.Fatal(err)
		}
		slos = append(slos, s)
	}
	return slo.Judge(r, slos)
}

// awkwardResult builds an interrupted open-model run by hand, with awkward
// names and a custom class "captcha": log|in 40 ok at 10..49ms (the first
// 2 retries of its 2 server errors), 3 captchas and 2 server errors; `tick`s
// 20 ok at 60..79ms and 1 timeout; the third endpoint 10 ok at 1ms. 10
// seconds, 120 arrivals, 7 of them dropped.
func awkwardResult() *runner.Result {
	classes := slices.Concat(runner.BuiltinClassNames(), []string{"captcha"})
	captcha := runner.Class(len(classes) - 1)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	login := runner.NewEndpointStats(awkwardLogin)
	for i := range 40 {
		login.Record(runner.Sample{Response: ms(10 + i), Service: ms(10 + i), Status: 200, Class: runner.ClassOK, Retry: i < 2})
	}
	for range 3 {
		login.Record(runner.Sample{Response: ms(5), Service: ms(5), Status: 403, Class: captcha})
	}
	for range 2 {
		login.Record(runner.Sample{Response: ms(900), Service: ms(400), Status: 500, Class: runner.ClassServerError})
	}
	tick := runner.NewEndpointStats(awkwardTick)
	for i := range 20 {
		tick.Record(runner.Sample{Response: ms(60 + i), Service: ms(60 + i), Status: 200, Class: runner.ClassOK})
	}
	tick.Record(runner.Sample{Response: 2 * time.Second, Service: 2 * time.Second, Class: runner.ClassTransport, Kind: runner.TransportTimeout})
	html := runner.NewEndpointStats(awkwardHTML)
	for range 10 {
		html.Record(runner.Sample{Response: ms(1), Service: ms(1), Status: 200, Class: runner.ClassOK})
	}
	total := runner.NewEndpointStats("total")
	for _, e := range []*runner.EndpointStats{login, tick, html} {
		if err := total.Merge(e); err != nil {
			panic(err)
		}
	}
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	return &runner.Result{
		Scenario: awkwardScenario, Target: "http://user:xxxxx@127.0.0.1:8080/api", Started: start, Ended: start.Add(10 * time.Second),
		Load:        runner.Load{Open: true, Rate: 12, MaxWorkers: 10, Duration: 10 * time.Second},
		Interrupted: true, ClassNames: classes,
		Endpoints: []*runner.EndpointStats{login, tick, html}, Total: total,
		Arrivals: 120, Dropped: 7, DroppedNoWorker: 7, Iterations: 76, PeakWorkers: 10,
	}
}
