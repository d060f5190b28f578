package servermetrics

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Series is one counter or histogram series over a run: how much it grew
// between two readings.
type Series struct {
	Name   string
	Labels map[string]string
	// Counter is a counter's increase; Histogram, when not nil, makes the
	// series a histogram's.
	Counter   float64
	Histogram *Histogram
}

// Key names a series as Prometheus writes it, its labels sorted:
// http_requests_total{endpoint="login",status="200"}.
func (s Series) Key() string {
	if len(s.Labels) == 0 {
		return s.Name
	}
	pairs := make([]string, 0, len(s.Labels))
	for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
		pairs = append(pairs, fmt.Sprintf("%s=%q", k, s.Labels[k]))
	}
	return s.Name + "{" + strings.Join(pairs, ",") + "}"
}

// Delta is what a server's counters and histograms did between two
// snapshots.
type Delta struct {
	// Series are sorted by Key.
	Series []Series
	// Resets names the series that went down, went away or were made anew
	// (their created time changed) between the snapshots: the server
	// restarted, and Series is empty, since no series of it can be trusted
	// (one that grew past its old count after the restart would pass for
	// the run's).
	Resets []string
	// Text is set when a snapshot was of a text format: the histograms
	// have their classic buckets alone.
	Text bool
}

// Find returns the series with key, if there is one.
func (d Delta) Find(key string) (Series, bool) {
	i, ok := slices.BinarySearchFunc(d.Series, key, func(s Series, key string) int { return cmp.Compare(s.Key(), key) })
	if !ok {
		return Series{}, false
	}
	return d.Series[i], true
}

// Subtract returns what happened between before and after. A series that
// appears only after counts from zero (Prometheus makes a labelled series
// on its first use); one that is only before went away, a reset, as is one
// that went down or whose created time changed: then the delta has no
// series (see Delta.Resets). Gauges, untyped and summary series are left
// out: they are levels, or quantiles that cannot be subtracted.
func Subtract(before, after Snapshot) (Delta, error) {
	d := Delta{Text: before.Text || after.Text}
	then, err := readings(before)
	if err != nil {
		return d, fmt.Errorf("the first reading: %w", err)
	}
	now, err := readings(after)
	if err != nil {
		return d, fmt.Errorf("the second reading: %w", err)
	}
	for key, r := range now {
		s := r.Series
		prev, seen := then[key]
		old := prev.Series
		switch {
		case seen && !r.created.IsZero() && !prev.created.IsZero() && !r.created.Equal(prev.created):
			d.Resets = append(d.Resets, key) // made anew: the server restarted
		case !seen:
			d.Series = append(d.Series, s)
		case (s.Histogram == nil) != (old.Histogram == nil):
			d.Resets = append(d.Resets, key)
		case s.Histogram != nil:
			if h, ok := s.Histogram.sub(old.Histogram); ok {
				s.Histogram = h
				d.Series = append(d.Series, s)
			} else {
				d.Resets = append(d.Resets, key)
			}
		case s.Counter < old.Counter:
			d.Resets = append(d.Resets, key)
		default:
			s.Counter -= old.Counter
			d.Series = append(d.Series, s)
		}
	}
	for key := range then {
		if _, ok := now[key]; !ok {
			d.Resets = append(d.Resets, key)
		}
	}
	slices.SortFunc(d.Series, func(a, b Series) int { return cmp.Compare(a.Key(), b.Key()) })
	slices.Sort(d.Resets)
	if len(d.Resets) > 0 {
		d.Series = nil
	}
	return d, nil
}

// reading is a series as one snapshot has it, and when it was made (the
// zero time when the exposition does not say).
type reading struct {
	Series
	created time.Time
}

// readings returns the counters and histograms of snap by key.
func readings(snap Snapshot) (map[string]reading, error) {
	out := map[string]reading{}
	for name, f := range snap.Families {
		for _, m := range f.Metric {
			s := Series{Name: name, Labels: map[string]string{}}
			for _, l := range m.GetLabel() {
				s.Labels[l.GetName()] = l.GetValue()
			}
			var created *timestamppb.Timestamp
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				if s.Counter = m.GetCounter().GetValue(); math.IsNaN(s.Counter) || math.IsInf(s.Counter, 0) {
					continue // not a count
				}
				created = m.GetCounter().GetCreatedTimestamp()
			case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
				h, err := fromDTO(m.GetHistogram())
				if err != nil {
					return nil, fmt.Errorf("%s: %w", s.Key(), err)
				}
				if math.IsNaN(h.Sum) || math.IsInf(h.Sum, 0) {
					h.Sum = 0 // a NaN observed: the sum says nothing, the buckets still count
				}
				s.Histogram = h
				created = m.GetHistogram().GetCreatedTimestamp()
			default:
				continue
			}
			r := reading{Series: s}
			if created.IsValid() {
				r.created = created.AsTime()
			}
			out[s.Key()] = r
		}
	}
	return out, nil
}
