package runner

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// MergeResults merges results of the same run shape (one scenario, load
// model and set of outcome classes: parts of one load run from several
// machines, say, or repeated runs) into one, exactly: counts are summed and
// histograms merged, endpoint by endpoint and, for the time series,
// interval by interval on the wall clock (a point lands in the merged
// interval its start falls in; a run's final sliver, see Sliver, with the
// point before it). The merged run spans the earliest start to the latest
// end; its rates are over the time some run was running (Active), its
// PeakWorkers is that of the runs that overlapped most (see peakWorkers),
// and its load is the first result's. Results of another shape or
// histogram geometry are refused, and so is a result that is an earlier one
// again, with a *SameRunError.
func MergeResults(results ...*Result) (*Result, error) {
	if len(results) == 0 {
		return nil, errors.New("no results to merge")
	}
	first := results[0]
	out := &Result{Scenario: first.Scenario, Target: first.Target, Started: first.Started, Ended: first.Ended,
		Load: first.Load, ClassNames: first.Classes(), PeakWorkers: peakWorkers(results)}
	var names []string
	for i, r := range results {
		switch {
		case r.Scenario != first.Scenario:
			return nil, fmt.Errorf("result %d is of scenario %q, result 1 of %q", i+1, r.Scenario, first.Scenario)
		case r.Load.Model() != first.Load.Model():
			return nil, fmt.Errorf("result %d ran the %s model, result 1 the %s one", i+1, r.Load.Model(), first.Load.Model())
		case !slices.Equal(r.Classes(), out.ClassNames):
			return nil, fmt.Errorf("result %d has the outcome classes %v, result 1 has %v: they are not of the same scenario", i+1, r.Classes(), out.ClassNames)
		}
		if j := slices.IndexFunc(results[:i], r.sameRun); j >= 0 {
			return nil, &SameRunError{Result: i, Of: j}
		}
		if r.Target != out.Target {
			out.Target = "several targets"
		}
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		if r.Ended.After(out.Ended) {
			out.Ended = r.Ended
		}
		out.Interrupted = out.Interrupted || r.Interrupted
		out.Arrivals += r.Arrivals
		out.Dropped += r.Dropped
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
	if out.Series, err = mergeSeries(out.Started, names, results); err != nil {
		return nil, err
	}
	if active := activeTime(results); active < out.Duration() {
		out.Active = active
	}
	return out, nil
}

// SameRunError is MergeResults' refusal of a result that is an earlier one
// again: merging it would count every request of that run twice. Result
// and Of index the two, from 0.
type SameRunError struct{ Result, Of int }

func (e *SameRunError) Error() string {
	return fmt.Sprintf("result %d is the same run as result %d (same scenario, start, end and totals): its requests would count twice",
		e.Result+1, e.Of+1)
}

// sameRun reports whether r and o are one run: the same scenario, start,
// end and requests by class in total. Two distinct runs never share all
// of these, as their start and end are taken to the nanosecond.
func (r *Result) sameRun(o *Result) bool {
	return r.Scenario == o.Scenario && r.Started.Equal(o.Started) && r.Ended.Equal(o.Ended) && r.Total.Classes == o.Total.Classes
}

// peakWorkers is the most workers the results can have run at once: the
// largest sum of their PeakWorkers over results whose [Started, Ended]
// overlap at some moment. It is exact for runs apart in time (the largest
// peak) and for runs that all overlap (the sum); in between it is an upper
// bound, as a run's peak may have fallen outside the overlap.
func peakWorkers(results []*Result) int {
	type change struct {
		at      time.Time
		workers int // added at a start, taken away at an end
	}
	var changes []change
	for _, r := range results {
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

// activeTime is the length of the union of the results' active spans.
func activeTime(results []*Result) time.Duration {
	spans := make([][2]time.Time, len(results))
	for i, r := range results {
		spans[i] = [2]time.Time{r.Started, r.Started.Add(r.ActiveTime())}
	}
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	var total time.Duration
	var end time.Time
	for _, s := range spans {
		if s[0].After(end) {
			end = s[0]
		}
		if s[1].After(end) {
			total += s[1].Sub(end)
			end = s[1]
		}
	}
	return total
}

// Sliver reports whether the series interval from start (interval wide) is
// a run's final sliver: not the run's first interval, and the run, length
// long, ended less than a quarter interval into it. A sliver holds only the
// requests in flight when the run stopped, too few over too short a time
// for a rate; MergeResults and the HTML report fold it into the interval
// before.
func Sliver(start, length, interval time.Duration) bool {
	return start >= interval && length-start < interval/4
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
				c.add(at, &piece{start: shift + start, width: r.Series.Interval, classes: p.Classes, hist: h})
			}
		}
	}
	return c.series()
}
