package runner

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/loadgate/loadgate/internal/servermetrics"
)

// MergeResults merges results of the same run shape (one scenario, load
// model and set of outcome classes: parts of one load run from several
// machines, say, or repeated runs) into one, exactly: counts are summed and
// histograms merged, endpoint by endpoint and, for the time series,
// interval by interval on the wall clock (a point lands in the merged
// interval its start falls in; a run's final sliver, see Sliver, with the
// point before it). The merged run spans the earliest start to the latest
// end and lists its runs in Parts (a merged result merged again gives its
// own parts); its rates are over the time some run was running
// (ActiveTime), its PeakWorkers is that of the runs that overlapped most
// (see peakWorkers), its load is the first result's (the whole load when
// the results are all the shards of one, see Shard), its Identity theirs
// when they share it, and it is HTTP/2 when one of the runs was. The drop causes, the iterations and the generator's
// lateness are left out (zero, nil) when one of the runs has none (a file
// older than them), so that a part never passes for the whole. Results of
// another shape or histogram geometry are refused, and so is a run that
// comes twice, with a *SameRunError.
func MergeResults(results ...*Result) (*Result, error) {
	if len(results) == 0 {
		return nil, errors.New("no results to merge")
	}
	first := results[0]
	out := &Result{Scenario: first.Scenario, Target: first.Target, Started: first.Started, Ended: first.Ended,
		Load: first.Load, ClassNames: first.Classes(), Identity: first.Identity, Setup: mergeSetups(results)}
	var names []string
	var from []int // per part, the result it comes from
	causesKnown, iterationsKnown, latenessKnown := true, true, true
	for i, r := range results {
		switch {
		case r.Scenario != first.Scenario:
			return nil, fmt.Errorf("result %d is of scenario %q, result 1 of %q", i+1, r.Scenario, first.Scenario)
		case r.Load.Model() != first.Load.Model():
			return nil, fmt.Errorf("result %d ran the %s model, result 1 the %s one", i+1, r.Load.Model(), first.Load.Model())
		case !slices.Equal(r.Classes(), out.ClassNames):
			return nil, fmt.Errorf("result %d has the outcome classes %v, result 1 has %v: they are not of the same scenario", i+1, r.Classes(), out.ClassNames)
		}
		for _, run := range r.Runs() {
			if j := slices.IndexFunc(out.Parts, run.Same); j >= 0 {
				return nil, &SameRunError{Result: i, Of: from[j]}
			}
			out.Parts, from = append(out.Parts, run), append(from, i)
		}
		if r.Target != out.Target {
			out.Target = "several targets"
		}
		if r.Identity != out.Identity {
			out.Identity = Identity{}
		}
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		if r.Ended.After(out.Ended) {
			out.Ended = r.Ended
		}
		out.Interrupted = out.Interrupted || r.Interrupted
		out.HTTP2 = out.HTTP2 || r.HTTP2
		out.TLSUnverified = out.TLSUnverified || r.TLSUnverified
		out.Arrivals += r.Arrivals
		out.Dropped += r.Dropped
		out.DroppedNoWorker += r.DroppedNoWorker
		out.DroppedBehind += r.DroppedBehind
		out.Iterations += r.Iterations
		causesKnown = causesKnown && r.DropCausesKnown()
		iterationsKnown = iterationsKnown && r.IterationsKnown()
		latenessKnown = latenessKnown && (r.Lateness != nil || !r.Load.Open)
		if r.Lateness != nil {
			if out.Lateness == nil {
				out.Lateness = NewLatencyHistogram()
			}
			if dropped := out.Lateness.Merge(r.Lateness); dropped != 0 {
				return nil, fmt.Errorf("result %d: its generator lateness is not of the latency histograms' geometry", i+1)
			}
		}
		out.ProtocolEvents += r.ProtocolEvents
		for _, e := range r.Endpoints {
			if !slices.Contains(names, e.Name) {
				names = append(names, e.Name)
			}
		}
	}
	for _, name := range names {
		merged := NewEndpointStats(name)
		for i, r := range results {
			if e := r.Endpoint(name); e != nil {
				if err := merged.Merge(e); err != nil {
					return nil, fmt.Errorf("result %d, endpoint %s: %w", i+1, name, err)
				}
			}
		}
		out.Endpoints = append(out.Endpoints, merged)
	}
	total, err := TotalOf(out.Endpoints)
	if err != nil {
		return nil, err
	}
	out.Total = total
	if !causesKnown {
		out.DroppedNoWorker, out.DroppedBehind = 0, 0 // a run from an older file does not say
	}
	if !iterationsKnown {
		out.Iterations = 0
	}
	if !latenessKnown {
		out.Lateness = nil // part of the runs' lateness would pass for all of it
	}
	if out.Series, err = mergeSeries(out.Started, names, results); err != nil {
		return nil, err
	}
	if out.Session, err = mergeSessions(results); err != nil {
		return nil, err
	}
	slices.SortFunc(out.Parts, func(a, b Part) int { return a.Started.Compare(b.Started) })
	out.PeakWorkers = peakWorkers(out.Parts)
	out.CPUs, out.MachineCPUs = sumCPUs(results)
	out.Server = sumServers(results)
	if wholeLoad(results) {
		out.Load.Shard = Shard{}
	}
	if len(out.Parts) == 1 {
		out.Parts = nil // a single run
	}
	return out, nil
}

// SameRunError is MergeResults' refusal of a result that is, or holds, a
// run an earlier one holds: merging it would count that run's requests
// twice. Result and Of index the two, from 0. A run is told by its start,
// end (both to the nanosecond) and requests.
type SameRunError struct{ Result, Of int }

func (e *SameRunError) Error() string {
	return fmt.Sprintf("result %d holds a run that result %d holds too (the same start, end and requests): its requests would count twice",
		e.Result+1, e.Of+1)
}

// peakWorkers is the most workers the runs can have run at once: the
// largest sum of their PeakWorkers over runs whose [Started, Ended] overlap
// at some moment. It is exact for runs apart in time (the largest peak) and
// for runs that all overlap (the sum); in between it is an upper bound, as
// a run's peak may have fallen outside the overlap.
func peakWorkers(runs []Part) int {
	type change struct {
		at      time.Time
		workers int // added at a start, taken away at an end
	}
	var changes []change
	for _, r := range runs {
		changes = append(changes, change{r.Started, r.PeakWorkers}, change{r.Ended, -r.PeakWorkers})
	}
	slices.SortFunc(changes, func(a, b change) int {
		// At one moment, starts before ends: runs that touch overlap.
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(b.workers, a.workers))
	})
	peak, running := 0, 0
	for _, c := range changes {
		running += c.workers
		peak = max(peak, running)
	}
	return peak
}

// activeTime is the length of the union of the runs' spans; runs must be
// sorted by start.
func activeTime(runs []Part) time.Duration {
	var total time.Duration
	var end time.Time
	for _, r := range runs {
		if r.Started.After(end) {
			end = r.Started
		}
		if r.Ended.After(end) {
			total += r.Ended.Sub(end)
			end = r.Ended
		}
	}
	return total
}

// mergeSeries merges the results' time series into one over names, at the
// widest of their intervals, from started on. Each run's final sliver
// joins the interval before it, so that a run's end inside the merged span
// leaves no point of a few milliseconds drawn as a whole interval.
func mergeSeries(started time.Time, names []string, results []*Result) (Series, error) {
	c := newSeriesCollector(len(names))
	for _, r := range results {
		if r.Series.Interval > c.width() {
			c.interval.Store(int64(r.Series.Interval))
		}
	}
	for i, r := range results {
		for e, points := range r.Series.Endpoints {
			if e >= len(r.Endpoints) {
				return Series{}, fmt.Errorf("result %d: its time series has more endpoints than the result", i+1)
			}
			at := slices.Index(names, r.Endpoints[e].Name)
			shift := r.Started.Sub(started)
			for _, p := range points {
				h, err := p.Latency()
				if err != nil {
					return Series{}, fmt.Errorf("result %d, endpoint %s, series at %s: %w", i+1, names[at], p.Start, err)
				}
				start := p.Start
				if Sliver(start, r.Duration(), r.Series.Interval) {
					start -= r.Series.Interval
				}
				c.take(at, &piece{start: shift + start, width: r.Series.Interval, classes: p.Classes, hist: h})
			}
		}
	}
	return c.series()
}

// sumCPUs returns the cores the results' runs could use, and their
// machines' cores, summed; zero when some result does not say.
func sumCPUs(results []*Result) (cpus, machine int) {
	for _, r := range results {
		if r.CPUs == 0 || r.MachineCPUs == 0 {
			return 0, 0
		}
		cpus, machine = cpus+r.CPUs, machine+r.MachineCPUs
	}
	return cpus, machine
}

// wholeLoad reports whether results are the shards of one run, each once
// and none missing: together, its whole load.
func wholeLoad(results []*Result) bool {
	count := results[0].Load.Shard.Count
	if count == 0 || len(results) != count {
		return false
	}
	for _, r := range results {
		if r.Identity != results[0].Identity {
			return false
		}
	}
	seen := make([]bool, count)
	for _, r := range results {
		s := r.Load.Shard
		if s.Count != count || s.Check() != nil || seen[s.Index] {
			return false
		}
		seen[s.Index] = true
	}
	return true
}

// sumServers returns the results' server views summed; nil when some
// result has none, so that a part never passes for the whole. Views of
// one server (the shards of a run against one target), or read through
// other names, cannot be added: the merge's view then has no series, and a
// problem that says why.
func sumServers(results []*Result) *servermetrics.View {
	for _, r := range results {
		if r.Server == nil {
			return nil
		}
	}
	names, read := results[0].Server.Names, map[string]bool{}
	for _, r := range results {
		if !maps.Equal(r.Server.Names, names) {
			return &servermetrics.View{Problems: []string{"the runs read their servers' metrics through different names (--server-metric): their views are not added"}}
		}
		for _, src := range r.Server.Sources {
			if read[src] {
				return &servermetrics.View{Problems: []string{fmt.Sprintf("several runs read the metrics of %s, each over its own time: their views would count it more than once, and are not added; "+
					"read the server's metrics in one run of the set", src)}}
			}
			read[src] = true
		}
	}
	sum := servermetrics.View{Names: names}
	for _, r := range results {
		sum.Delta = sum.Delta.Plus(r.Server.Delta)
		sum.Sources = append(sum.Sources, r.Server.Sources...)
		sum.Problems = append(sum.Problems, r.Server.Problems...)
	}
	return &sum
}
