package testkit

import (
	"time"

	"github.com/loadgate/loadgate/runner"
)

// TimedRun builds a closed run of scenario "test" that starts from after
// 2026-11-22 12:00 UTC and lasts length, with peak workers and one 1-ms ok
// login at each of points (from its start), its series at one point a
// second: what tests of merges and of reports over time need.
func TimedRun(from, length time.Duration, peak int, points ...time.Duration) *runner.Result {
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC).Add(from)
	e := runner.NewEndpointStats("login")
	var series []runner.SeriesPoint
	for _, p := range points {
		e.Record(runner.Sample{Response: time.Millisecond, Service: time.Millisecond, Status: 200})
		h := runner.NewSeriesHistogram()
		h.RecordValue(1000)
		var classes [runner.MaxClasses]int64
		classes[runner.ClassOK] = 1
		series = append(series, runner.NewSeriesPoint(p.Truncate(time.Second), classes, h))
	}
	total, _ := runner.TotalOf([]*runner.EndpointStats{e}) // of one geometry: no error
	return &runner.Result{Scenario: "test", Target: "http://127.0.0.1:1", Started: start, Ended: start.Add(length),
		Load: runner.Load{Concurrency: 1, Duration: 4 * time.Second}, PeakWorkers: peak,
		Endpoints: []*runner.EndpointStats{e}, Total: total,
		Series: runner.Series{Interval: time.Second, Endpoints: [][]runner.SeriesPoint{series}}}
}
