package runner_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestMergeResultsIsExact: requests recorded as two results and merged
// give the same counts, histograms and time series as the same requests
// recorded as one run.
func TestMergeResultsIsExact(t *testing.T) {
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	one := &runner.Result{Started: start, Ended: start.Add(5 * time.Second), Load: runner.Load{Concurrency: 2}}
	parts := []*runner.Result{
		{Started: start, Ended: start.Add(4*time.Second + 500*time.Millisecond), PeakWorkers: 1},
		{Started: start, Ended: start.Add(5 * time.Second), PeakWorkers: 1},
	}
	whole := runner.NewEndpointStats("login")
	halves := []*runner.EndpointStats{runner.NewEndpointStats("login"), runner.NewEndpointStats("login")}
	var wholePoints, halfPoints [2][]runner.SeriesPoint
	for sec := range 5 {
		pointWhole := runner.SeriesPoint{Start: time.Duration(sec) * time.Second}
		h := runner.NewSeriesHistogram()
		var hs [2]struct {
			h       *hdrhistogram.Histogram
			classes [runner.MaxClasses]int64
		}
		for i := range 200 {
			x := runner.Sample{Response: time.Duration(sec*1000+i*37) * time.Microsecond, Service: time.Millisecond, Status: 200, Class: runner.ClassOK}
			if i%50 == 0 {
				x.Class, x.Status = runner.ClassUnavailable, 503
			}
			whole.Record(x)
			halves[i%2].Record(x)
			h.RecordValue(x.Response.Microseconds())
			if hs[i%2].h == nil {
				hs[i%2].h = runner.NewSeriesHistogram()
			}
			hs[i%2].h.RecordValue(x.Response.Microseconds())
			hs[i%2].classes[x.Class]++
			pointWhole.Classes[x.Class]++
		}
		wholePoints[0] = append(wholePoints[0], runner.NewSeriesPoint(pointWhole.Start, pointWhole.Classes, h))
		for k := range 2 {
			halfPoints[k] = append(halfPoints[k], runner.NewSeriesPoint(pointWhole.Start, hs[k].classes, hs[k].h))
		}
	}
	one.Endpoints, one.Total = []*runner.EndpointStats{whole}, whole
	one.Series = runner.Series{Interval: time.Second, Endpoints: [][]runner.SeriesPoint{wholePoints[0]}}
	for k, p := range parts {
		p.Endpoints, p.Total = []*runner.EndpointStats{halves[k]}, halves[k]
		p.Series = runner.Series{Interval: time.Second, Endpoints: [][]runner.SeriesPoint{halfPoints[k]}}
	}
	merged, err := runner.MergeResults(parts...)
	if err != nil {
		t.Fatal(err)
	}
	got, want := merged.Endpoint("login"), one.Endpoint("login")
	if got.Classes != want.Classes || got.Statuses != want.Statuses || !got.Latency.Equals(want.Latency) || !got.Service.Equals(want.Service) ||
		merged.Total.Requests() != 1000 || merged.PeakWorkers != 2 || !merged.Ended.Equal(one.Ended) {
		t.Errorf("merged %+v differs from one run", merged)
	}
	for _, q := range []float64{50, 95, 99, 99.9} {
		if got.Percentile(q) != want.Percentile(q) {
			t.Errorf("p%v: merged %s, one run %s", q, got.Percentile(q), want.Percentile(q))
		}
	}
	points := merged.Series.Endpoints[0]
	if len(points) != 5 {
		t.Fatalf("%d points", len(points))
	}
	for i, p := range points {
		gh, _ := p.Latency()
		wh, _ := wholePoints[0][i].Latency()
		if p.Classes != wholePoints[0][i].Classes || !gh.Equals(wh) {
			t.Errorf("point %d differs", i)
		}
	}
	if _, err := runner.MergeResults(parts[0], &runner.Result{ClassNames: append(runner.BuiltinClassNames(), "custom"), Total: runner.NewEndpointStats("total")}); err == nil {
		t.Errorf("results of different classes merged")
	}
}

// TestMergedRatesCountActiveTime: two 4-second runs ten seconds apart
// merge into a 14-second span with 8 seconds of running, which the rates
// are over, and their series sit 10 s apart on the merged timeline.
func TestMergedRatesCountActiveTime(t *testing.T) {
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var runs []*runner.Result
	for _, at := range []time.Duration{0, 10 * time.Second} {
		e := runner.NewEndpointStats("login")
		h := runner.NewSeriesHistogram()
		var classes [runner.MaxClasses]int64
		for range 400 {
			e.Record(runner.Sample{Response: time.Millisecond, Service: time.Millisecond, Status: 200})
			h.RecordValue(1000)
		}
		classes[runner.ClassOK] = 400
		runs = append(runs, &runner.Result{Scenario: "s", Started: start.Add(at), Ended: start.Add(at + 4*time.Second),
			Endpoints: []*runner.EndpointStats{e}, Total: e,
			Series: runner.Series{Interval: time.Second, Endpoints: [][]runner.SeriesPoint{{runner.NewSeriesPoint(0, classes, h)}}}})
	}
	merged, err := runner.MergeResults(runs...)
	if err != nil {
		t.Fatal(err)
	}
	points := merged.Series.Endpoints[0]
	if merged.Duration() != 14*time.Second || merged.ActiveTime() != 8*time.Second || merged.RPS(merged.Total) != 100 ||
		len(points) != 2 || points[1].Start != 10*time.Second {
		t.Errorf("span %s, active %s, rps %v, points %d", merged.Duration(), merged.ActiveTime(), merged.RPS(merged.Total), len(points))
	}
	runs[1].Scenario = "other"
	if _, err := runner.MergeResults(runs...); err == nil {
		t.Errorf("results of two scenarios merged")
	}
}

// TestMergedPeakWorkers: the merged peak is the largest sum of peaks over
// runs that overlap at some moment, not the sum of all peaks.
func TestMergedPeakWorkers(t *testing.T) {
	s := time.Second
	cases := []struct {
		name string
		runs []*runner.Result
		want int
	}{
		{"one run", []*runner.Result{testkit.TimedRun(0, 4*s, 5)}, 5},
		{"apart: the largest", []*runner.Result{testkit.TimedRun(0, 4*s, 5), testkit.TimedRun(10*s, 4*s, 8), testkit.TimedRun(20*s, 4*s, 3)}, 8},
		{"all together: the sum", []*runner.Result{testkit.TimedRun(0, 4*s, 5), testkit.TimedRun(s, 4*s, 8), testkit.TimedRun(2*s, 4*s, 3)}, 16},
		{"a chain: the most that overlap", []*runner.Result{testkit.TimedRun(0, 4*s, 5), testkit.TimedRun(3*s, 4*s, 8), testkit.TimedRun(6*s, 4*s, 3)}, 13},
		{"touching: they overlap at that moment", []*runner.Result{testkit.TimedRun(0, 4*s, 5), testkit.TimedRun(4*s, 4*s, 8)}, 13},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			merged, err := runner.MergeResults(tc.runs...)
			if err != nil {
				t.Fatal(err)
			}
			if merged.PeakWorkers != tc.want {
				t.Errorf("peak workers %d, want %d", merged.PeakWorkers, tc.want)
			}
		})
	}
}

func mustMerge(t *testing.T, results ...*runner.Result) *runner.Result {
	t.Helper()
	merged, err := runner.MergeResults(results...)
	if err != nil {
		t.Fatal(err)
	}
	return merged
}

// TestMergeOfMerges: a merged result merged again with another run is the
// merge of all the runs: its parts, active time and peak workers come from
// the runs, not from the first merge's span.
func TestMergeOfMerges(t *testing.T) {
	s := time.Second
	a, b, c := testkit.TimedRun(0, 4*s, 5, 0), testkit.TimedRun(10*s, 4*s, 8, 0), testkit.TimedRun(12*s, 4*s, 3, 0)
	if alone := mustMerge(t, a); alone.Parts != nil {
		t.Errorf("one run merged alone has parts %v, want none", alone.Parts)
	}
	step := mustMerge(t, mustMerge(t, a, b), c)
	once := mustMerge(t, a, b, c)
	if step.ActiveTime() != 10*s || step.PeakWorkers != 11 || len(step.Parts) != 3 {
		t.Errorf("merged in two steps: active %s, peak workers %d, %d parts; want 10s, 11, 3", step.ActiveTime(), step.PeakWorkers, len(step.Parts))
	}
	if step.ActiveTime() != once.ActiveTime() || step.PeakWorkers != once.PeakWorkers || !slices.Equal(step.Parts, once.Parts) {
		t.Errorf("merged in two steps: %v; at once: %v", step.Parts, once.Parts)
	}
}

// TestMergeRefusesTheSameRunTwice: a run given twice (the same start, end
// and requests), alone or inside a merged result, is refused, naming both
// results; runs that differ in any of these merge.
func TestMergeRefusesTheSameRunTwice(t *testing.T) {
	s := time.Second
	a := testkit.TimedRun(0, 4*s, 2, 0, s)
	cases := []struct {
		name string
		runs []*runner.Result
		same *runner.SameRunError
	}{
		{"the same result twice", []*runner.Result{a, a}, &runner.SameRunError{Result: 1, Of: 0}},
		{"a copy, third", []*runner.Result{a, testkit.TimedRun(10*s, 4*s, 2, 0), testkit.TimedRun(0, 4*s, 2, 0, s)}, &runner.SameRunError{Result: 2, Of: 0}},
		{"another start", []*runner.Result{a, testkit.TimedRun(s, 4*s, 2, 0, s)}, nil},
		{"another end", []*runner.Result{a, testkit.TimedRun(0, 5*s, 2, 0, s)}, nil},
		{"other totals", []*runner.Result{a, testkit.TimedRun(0, 4*s, 2, 0)}, nil},
		{"a merge, then one of its runs", []*runner.Result{mustMerge(t, a, testkit.TimedRun(10*s, 4*s, 2, 0)), testkit.TimedRun(0, 4*s, 2, 0, s)}, &runner.SameRunError{Result: 1, Of: 0}},
		{"a run, then a merge that holds it", []*runner.Result{a, mustMerge(t, testkit.TimedRun(10*s, 4*s, 2, 0), testkit.TimedRun(0, 4*s, 2, 0, s))}, &runner.SameRunError{Result: 1, Of: 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runner.MergeResults(tc.runs...)
			var same *runner.SameRunError
			switch {
			case tc.same == nil && err != nil:
				t.Errorf("refused: %v", err)
			case tc.same != nil && (!errors.As(err, &same) || *same != *tc.same):
				t.Errorf("error %v, want %v", err, tc.same)
			}
		})
	}
}

// TestMergeFoldsEachRunsSliver: a run's last interval that it lasted less
// than a quarter second into (the requests in flight when it stopped)
// joins the interval before, wherever the run ends in the merged span;
// a last interval it lasted longer into keeps its point.
func TestMergeFoldsEachRunsSliver(t *testing.T) {
	s, ms := time.Second, time.Millisecond
	cases := []struct {
		name string
		runs []*runner.Result
		want []time.Duration // the merged points' starts
	}{
		{"a sliver, alone", []*runner.Result{testkit.TimedRun(0, 4*s+ms, 1, 0, s, 2*s, 3*s, 4*s)}, []time.Duration{0, s, 2 * s, 3 * s}},
		{"a quarter interval is no sliver", []*runner.Result{testkit.TimedRun(0, 4*s+250*ms, 1, 0, 4*s+100*ms)}, []time.Duration{0, 4 * s}},
		{"the first run's sliver, inside the span", []*runner.Result{testkit.TimedRun(0, 4*s+ms, 1, 3*s, 4*s), testkit.TimedRun(10*s, 4*s+ms, 1, 0, 4*s)},
			[]time.Duration{3 * s, 10 * s, 13 * s}},
		{"a run of a sliver alone keeps it", []*runner.Result{testkit.TimedRun(0, 100*ms, 1, 0)}, []time.Duration{0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			merged, err := runner.MergeResults(tc.runs...)
			if err != nil {
				t.Fatal(err)
			}
			var starts []time.Duration
			var requests int64
			for _, p := range merged.Series.Endpoints[0] {
				starts, requests = append(starts, p.Start), requests+p.Requests()
			}
			if !slices.Equal(starts, tc.want) || requests != merged.Total.Requests() {
				t.Errorf("points at %v with %d requests, want at %v with %d", starts, requests, tc.want, merged.Total.Requests())
			}
		})
	}
}

// TestMergeTLSUnverified: a merge is unverified when any of its runs was.
func TestMergeTLSUnverified(t *testing.T) {
	for _, unverified := range []bool{false, true} {
		one, other := testkit.TimedRun(0, time.Second, 1, 0, time.Second), testkit.TimedRun(time.Hour, time.Second, 1, 0, time.Second)
		other.TLSUnverified = unverified
		merged, err := runner.MergeResults(one, other)
		if err != nil {
			t.Fatal(err)
		}
		if merged.TLSUnverified != unverified {
			t.Errorf("one of two runs unverified: %v; the merge unverified: %v", unverified, merged.TLSUnverified)
		}
	}
}

// TestMergeCores: a merge could use the cores of its runs together; when
// a run does not say (a file older than them), neither does the merge.
func TestMergeCores(t *testing.T) {
	one, other := testkit.TimedRun(0, time.Second, 1, 0, time.Second), testkit.TimedRun(time.Hour, time.Second, 1, 0, time.Second)
	one.CPUs, one.MachineCPUs = 1, 2
	other.CPUs, other.MachineCPUs = 4, 8
	merged, err := runner.MergeResults(one, other)
	if err != nil || merged.CPUs != 5 || merged.MachineCPUs != 10 {
		t.Errorf("merged %d of %d cores (%v), want 5 of 10", merged.CPUs, merged.MachineCPUs, err)
	}
	other.CPUs, other.MachineCPUs = 0, 0
	if merged, err = runner.MergeResults(one, other); err != nil || merged.CPUs != 0 || merged.MachineCPUs != 0 {
		t.Errorf("one run does not say: merged %d of %d cores (%v), want 0 of 0", merged.CPUs, merged.MachineCPUs, err)
	}
}

// TestMergeShards: all the shards of one load merge into the whole load,
// with their shared identity; some of them stay a shard, and runs of
// different identities merge with none.
func TestMergeShards(t *testing.T) {
	id := runner.Identity{RunID: "r", PlanDigest: "d"}
	shards := func(indexes ...int) []*runner.Result {
		var out []*runner.Result
		for _, i := range indexes {
			r := testkit.TimedRun(time.Duration(i)*time.Hour, time.Second, 1, 0, time.Second)
			r.Load.Shard, r.Identity = runner.Shard{Index: i, Count: 3}, id
			out = append(out, r)
		}
		return out
	}
	merged, err := runner.MergeResults(shards(2, 0, 1)...)
	if err != nil || !merged.Load.Shard.Whole() || merged.Identity != id {
		t.Errorf("all three shards: %v; merged shard %v, identity %+v", err, merged.Load.Shard, merged.Identity)
	}
	merged, err = runner.MergeResults(shards(0, 1)...)
	if err != nil || merged.Load.Shard.Whole() {
		t.Errorf("two shards of three: %v; merged shard %v, want a part", err, merged.Load.Shard)
	}
	other := shards(0, 1, 2)
	other[1].Identity.RunID = "another"
	if merged, err = runner.MergeResults(other...); err != nil || merged.Identity != (runner.Identity{}) {
		t.Errorf("two run ids: %v; merged identity %+v, want none", err, merged.Identity)
	}
}

// TestMergeOpenRuns: drops by cause, iterations and the generator's lateness
// of open runs add up in a merge; a run that does not count the causes or
// the iterations or the lateness (from a file older than them) leaves the
// merge without them rather than with a part of them.
func TestMergeOpenRuns(t *testing.T) {
	later := func(r *runner.Result) *runner.Result {
		r.Started, r.Ended = r.Started.Add(time.Hour), r.Ended.Add(time.Hour)
		return r
	}
	merged, err := runner.MergeResults(testkit.OpenResult(3), later(testkit.OpenResult(0)))
	if err != nil {
		t.Fatal(err)
	}
	if merged.Dropped != 13 || merged.DroppedNoWorker != 10 || merged.DroppedBehind != 3 || merged.Iterations != 200 || merged.Lateness.TotalCount() != 200 {
		t.Errorf("merged: dropped %d (%d no worker, %d behind), %d iterations, %d latenesses; want 13 (10, 3), 200, 200",
			merged.Dropped, merged.DroppedNoWorker, merged.DroppedBehind, merged.Iterations, merged.Lateness.TotalCount())
	}
	older := later(testkit.OpenResult(3))
	older.DroppedNoWorker, older.DroppedBehind, older.Iterations, older.Lateness = 0, 0, 0, nil
	merged, err = runner.MergeResults(testkit.OpenResult(0), older)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Dropped != 13 || merged.DropCausesKnown() || merged.IterationsKnown() || merged.Lateness != nil {
		t.Errorf("merged with an older run: dropped %d (%d no worker, %d behind), %d iterations, lateness %v; want 13 (unknown causes), unknown iterations, no lateness",
			merged.Dropped, merged.DroppedNoWorker, merged.DroppedBehind, merged.Iterations, merged.Lateness != nil)
	}
}
