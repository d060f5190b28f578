package runner

import (
	"errors"
	"fmt"
	"slices"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// MergeResults merges results of the same run shape (the same outcome
// classes; parts of one load run from several machines, say) into one,
// exactly: counts are summed and histograms merged, endpoint by endpoint
// and, for the time series, interval by interval from each run's start.
// The merged run spans the earliest start to the latest end; its load is
// the first result's. Results whose classes or histogram geometry differ
// are refused.
func MergeResults(results ...*Result) (*Result, error) {
	if len(results) == 0 {
		return nil, errors.New("no results to merge")
	}
	first := results[0]
	out := &Result{Scenario: first.Scenario, Target: first.Target, Started: first.Started, Ended: first.Ended,
		Load: first.Load, ClassNames: first.Classes()}
	var names []string
	for i, r := range results {
		if !slices.Equal(r.Classes(), out.ClassNames) {
			return nil, fmt.Errorf("result %d has the outcome classes %v, result 1 has %v: they are not of the same scenario", i+1, r.Classes(), out.ClassNames)
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
		out.PeakWorkers += r.PeakWorkers
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
	total, err := totalOf(out.Endpoints)
	if err != nil {
		return nil, err
	}
	out.Total = total
	if out.Series, err = mergeSeries(names, results); err != nil {
		return nil, err
	}
	return out, nil
}

// mergeSeries merges the results' time series into one over names, at the
// widest of their intervals.
func mergeSeries(names []string, results []*Result) (Series, error) {
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
			for _, p := range points {
				h, err := p.Latency()
				if err != nil {
					return Series{}, fmt.Errorf("result %d, endpoint %s, series at %s: %w", i+1, names[at], p.Start, err)
				}
				if err := checkSeriesGeometry(h); err != nil {
					return Series{}, fmt.Errorf("result %d, endpoint %s: %w", i+1, names[at], err)
				}
				c.add(at, &piece{start: p.Start, width: r.Series.Interval, classes: p.Classes, hist: h})
			}
		}
	}
	return c.series()
}

// checkSeriesGeometry refuses a series histogram of another geometry.
func checkSeriesGeometry(h *hdrhistogram.Histogram) error {
	want := NewSeriesHistogram()
	if h.LowestTrackableValue() != want.LowestTrackableValue() || h.HighestTrackableValue() != want.HighestTrackableValue() ||
		h.SignificantFigures() != want.SignificantFigures() {
		return fmt.Errorf("a time series histogram of geometry %d-%d, %d digits; loadgate's are %d-%d, %d digits",
			h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures(),
			want.LowestTrackableValue(), want.HighestTrackableValue(), want.SignificantFigures())
	}
	return nil
}
