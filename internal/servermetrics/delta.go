package servermetrics

import (
	"fmt"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
)

// Delta is what a server's counters and histograms did between two
// snapshots, by series key (see Key).
type Delta struct {
	Counters   map[string]float64
	Histograms map[string]*Histogram
	// Resets names the series that went down or went away between the
	// snapshots (a restarted server): they are in neither map.
	Resets []string
	// Text is set when a snapshot was of a text format: the histograms
	// have their classic buckets alone.
	Text bool
}

// Key names a series: its metric and its labels, sorted, as Prometheus
// writes them: http_requests_total{endpoint="login",status="200"}.
func Key(name string, labels []*dto.LabelPair) string {
	if len(labels) == 0 {
		return name
	}
	pairs := make([]string, 0, len(labels))
	for _, l := range labels {
		pairs = append(pairs, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// Subtract returns what happened between before and after. A series that
// appears only after counts from zero (Prometheus makes a labelled series
// on its first use); one that is only before went away, a reset. Gauges,
// untyped and summary series are left out: they are levels, or
// quantiles that cannot be subtracted.
func Subtract(before, after Snapshot) (Delta, error) {
	d := Delta{Counters: map[string]float64{}, Histograms: map[string]*Histogram{}, Text: before.Text || after.Text}
	then, err := series(before)
	if err != nil {
		return d, fmt.Errorf("the first reading: %w", err)
	}
	now, err := series(after)
	if err != nil {
		return d, fmt.Errorf("the second reading: %w", err)
	}
	for key, s := range now {
		old, seen := then[key]
		switch {
		case s.histogram != nil:
			if !seen {
				old = reading{histogram: &Histogram{Native: s.histogram.Native, Schema: s.histogram.Schema, Bounds: s.histogram.Bounds,
					Cumulative: make([]uint64, len(s.histogram.Bounds))}}
			}
			if old.histogram == nil {
				d.Resets = append(d.Resets, key)
				continue
			}
			if h, ok := s.histogram.sub(old.histogram); ok {
				d.Histograms[key] = h
			} else {
				d.Resets = append(d.Resets, key)
			}
		case s.counter < old.counter || seen && old.histogram != nil:
			d.Resets = append(d.Resets, key)
		default:
			d.Counters[key] = s.counter - old.counter
		}
	}
	for key := range then {
		if _, ok := now[key]; !ok {
			d.Resets = append(d.Resets, key)
		}
	}
	slices.Sort(d.Resets)
	return d, nil
}

// reading is one series' value in a snapshot.
type reading struct {
	counter   float64
	histogram *Histogram
}

// series returns the counters and histograms of snap by key.
func series(snap Snapshot) (map[string]reading, error) {
	out := map[string]reading{}
	for name, f := range snap.Families {
		for _, m := range f.Metric {
			key := Key(name, m.Label)
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = reading{counter: m.GetCounter().GetValue()}
			case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
				h, err := fromDTO(m.GetHistogram())
				if err != nil {
					return nil, fmt.Errorf("%s: %w", key, err)
				}
				out[key] = reading{histogram: h}
			}
		}
	}
	return out, nil
}
