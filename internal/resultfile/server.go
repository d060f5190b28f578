package resultfile

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/loadgate/loadgate/internal/servermetrics"
)

// serverJSON is the servers' own view of the run (runner.Result.Server):
// every counter and histogram series that changed, as deltas.
type serverJSON struct {
	Series   []serverSeriesJSON `json:"series"`
	Resets   []string           `json:"resets"`
	Problems []string           `json:"problems"`
	// Text: some source gave a text exposition, so histograms have their
	// classic buckets alone.
	Text bool `json:"text"`
	// Sources name the servers read: URLs, or the embedded API at its URL.
	Sources []string `json:"sources"`
	// Names are the names the view is read through that map to another
	// service's metrics (run --server-metric); absent: the reference API's.
	Names map[string]string `json:"names,omitempty"`
}

type serverSeriesJSON struct {
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels"`
	Counter   *float64          `json:"counter,omitempty"`
	Histogram *serverHistJSON   `json:"histogram,omitempty"`
}

// serverHistJSON is a histogram's delta: native buckets as [index, count]
// pairs of Schema (absent: none), classic ones as finite upper bounds and
// the values up to each (the values past the last are Count's rest).
type serverHistJSON struct {
	Count         uint64     `json:"count"`
	Sum           float64    `json:"sum"`
	Schema        *int32     `json:"schema,omitempty"`
	ZeroThreshold float64    `json:"zero_threshold,omitempty"`
	ZeroCount     uint64     `json:"zero_count,omitempty"`
	Positive      [][2]int64 `json:"positive,omitempty"`
	Bounds        []float64  `json:"bounds,omitempty"`
	Cumulative    []uint64   `json:"cumulative,omitempty"`
}

func serverOut(v *servermetrics.View) *serverJSON {
	if v == nil {
		return nil
	}
	out := &serverJSON{Series: []serverSeriesJSON{}, Resets: append([]string{}, v.Resets...), Problems: append([]string{}, v.Problems...), Text: v.Text, Names: v.Names, Sources: append([]string{}, v.Sources...)}
	for _, s := range v.Series {
		js := serverSeriesJSON{Name: s.Name, Labels: s.Labels}
		if s.Histogram == nil {
			c := s.Counter
			js.Counter = &c
		} else {
			js.Histogram = histOut(s.Histogram)
		}
		out.Series = append(out.Series, js)
	}
	return out
}

func histOut(h *servermetrics.Histogram) *serverHistJSON {
	out := &serverHistJSON{Count: h.Count, Sum: h.Sum}
	if h.Native {
		schema := h.Schema
		out.Schema, out.ZeroThreshold, out.ZeroCount = &schema, h.ZeroThreshold, h.ZeroCount
		for _, i := range slices.Sorted(maps.Keys(h.Positive)) {
			out.Positive = append(out.Positive, [2]int64{int64(i), int64(h.Positive[i])})
		}
	}
	for i, b := range h.Bounds {
		if !math.IsInf(b, 1) {
			out.Bounds, out.Cumulative = append(out.Bounds, b), append(out.Cumulative, h.Cumulative[i])
		}
	}
	return out
}

// Bounds on a result file's server view.
const (
	maxServerSeries  = 100_000
	maxServerBuckets = 10_000 // of one histogram
)

// readServer rebuilds the server view; nil stays nil (a run without one,
// or a file older than it).
func readServer(in *serverJSON) (*servermetrics.View, error) {
	if in == nil {
		return nil, nil
	}
	if len(in.Series) > maxServerSeries {
		return nil, fmt.Errorf("%d series; at most %d", len(in.Series), maxServerSeries)
	}
	var mappings []string
	for name, sel := range in.Names {
		mappings = append(mappings, name+"="+sel)
	}
	names, err := servermetrics.ParseNames(mappings)
	if err != nil {
		return nil, fmt.Errorf("names: %v", err)
	}
	if len(names) == 0 {
		names = nil
	}
	v := &servermetrics.View{Delta: servermetrics.Delta{Resets: in.Resets, Text: in.Text}, Problems: in.Problems, Names: names, Sources: in.Sources}
	seen := map[string]bool{}
	for _, js := range in.Series {
		s := servermetrics.Series{Name: js.Name, Labels: js.Labels}
		if _, err := servermetrics.ParseSelector(s.Key()); err != nil {
			return nil, fmt.Errorf("series %q: %v", s.Key(), err)
		}
		switch {
		case (js.Counter == nil) == (js.Histogram == nil):
			return nil, fmt.Errorf("series %s: a counter or a histogram, one of them", s.Key())
		case js.Counter != nil:
			if s.Counter = *js.Counter; !(s.Counter >= 0) || math.IsInf(s.Counter, 0) {
				return nil, fmt.Errorf("series %s: a counter's increase of %g", s.Key(), s.Counter)
			}
		default:
			h, err := readHist(js.Histogram)
			if err != nil {
				return nil, fmt.Errorf("series %s: %v", s.Key(), err)
			}
			s.Histogram = h
		}
		if seen[s.Key()] {
			return nil, fmt.Errorf("series %s comes twice", s.Key())
		}
		seen[s.Key()] = true
		v.Series = append(v.Series, s)
	}
	slices.SortFunc(v.Series, func(a, b servermetrics.Series) int { return cmp.Compare(a.Key(), b.Key()) })
	return v, nil
}

func readHist(in *serverHistJSON) (*servermetrics.Histogram, error) {
	if len(in.Positive) > maxServerBuckets || len(in.Bounds) > maxServerBuckets || len(in.Bounds) != len(in.Cumulative) {
		return nil, fmt.Errorf("%d native and %d classic buckets with %d counts", len(in.Positive), len(in.Bounds), len(in.Cumulative))
	}
	h := &servermetrics.Histogram{Count: in.Count, Sum: in.Sum}
	if in.Schema != nil {
		h.Native, h.Schema, h.ZeroThreshold, h.ZeroCount = true, *in.Schema, in.ZeroThreshold, in.ZeroCount
		if h.Schema < -4 || h.Schema > 8 || !(h.ZeroThreshold >= 0) {
			return nil, fmt.Errorf("schema %d, zero threshold %g", h.Schema, h.ZeroThreshold)
		}
		h.Positive = map[int32]uint64{}
		for _, b := range in.Positive {
			if b[0] < math.MinInt32 || b[0] > math.MaxInt32 || b[1] <= 0 || h.Positive[int32(b[0])] > 0 {
				return nil, fmt.Errorf("native bucket %d of %d values", b[0], b[1])
			}
			h.Positive[int32(b[0])] = uint64(b[1])
		}
	}
	for i, b := range in.Bounds {
		if math.IsNaN(b) || math.IsInf(b, 0) || i > 0 && (b <= in.Bounds[i-1] || in.Cumulative[i] < in.Cumulative[i-1]) {
			return nil, fmt.Errorf("classic buckets out of order")
		}
	}
	if len(in.Bounds) > 0 {
		h.Bounds, h.Cumulative = append(slices.Clone(in.Bounds), math.Inf(1)), append(slices.Clone(in.Cumulative), h.Count)
	}
	return h, nil
}
