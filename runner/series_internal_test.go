package runner

import (
	"slices"
	"testing"
	"time"
)

// TestSeriesWidensExactly: a run longer than the most points a series
// keeps ends with a wider interval, no more points than that, and not one
// request or latency lost or moved: the points add up to what was recorded.
func TestSeriesWidensExactly(t *testing.T) {
	c := newSeriesCollector(1)
	c.max = 40
	s := newStripe([]string{"login"}, c, nil)
	whole := NewSeriesHistogram()
	const seconds = 3 * 40
	for sec := range seconds {
		for k := range 3 {
			d := time.Duration(sec*7+k*1000) * time.Microsecond
			class := ClassOK
			if k == 2 {
				class = ClassUnavailable
			}
			s.record(0, Sample{Response: d, Service: d, Status: 200, Class: class}, time.Duration(sec)*time.Second+time.Duration(k)*time.Millisecond, nil)
			whole.RecordValue(max(d.Microseconds(), 1))
		}
	}
	s.flush()
	series, err := c.series()
	if err != nil {
		t.Fatal(err)
	}
	points := series.Endpoints[0]
	if series.Interval != 4*time.Second || len(points) > c.max || len(points) != seconds/4 {
		t.Fatalf("interval %s, %d points", series.Interval, len(points))
	}
	merged := NewSeriesHistogram()
	var ok, unavailable int64
	for i, p := range points {
		if p.Start != time.Duration(i)*series.Interval {
			t.Fatalf("point %d starts at %s", i, p.Start)
		}
		h, err := p.Latency()
		if err != nil {
			t.Fatal(err)
		}
		if h.TotalCount() != p.Requests() || p.Requests() != 12 {
			t.Fatalf("point %d: %d latencies, %d requests", i, h.TotalCount(), p.Requests())
		}
		merged.Merge(h)
		ok, unavailable = ok+p.Classes[ClassOK], unavailable+p.Classes[ClassUnavailable]
	}
	if ok != 2*seconds || unavailable != seconds || !merged.Equals(whole) {
		t.Errorf("points sum to %d ok and %d unavailable, histograms equal: %v", ok, unavailable, merged.Equals(whole))
	}
}

// TestSeriesFoldsFinalSliver: the requests a run recorded in the last few
// milliseconds of its final interval join the interval before, with their
// latencies; a last interval the run lasted a quarter into keeps its point.
func TestSeriesFoldsFinalSliver(t *testing.T) {
	for _, tc := range []struct {
		name   string
		length time.Duration
		starts []time.Duration
	}{
		{"a sliver", 3*time.Second + 5*time.Millisecond, []time.Duration{0, time.Second, 2 * time.Second}},
		{"a quarter interval", 3*time.Second + 250*time.Millisecond, []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newSeriesCollector(1)
			s := newStripe([]string{"login"}, c, nil)
			for _, at := range []time.Duration{0, time.Second, 2*time.Second + 900*time.Millisecond, tc.length} {
				s.record(0, Sample{Response: time.Millisecond, Service: time.Millisecond, Status: 200, Class: ClassOK}, at, nil)
			}
			s.flush()
			if err := c.foldSliver(tc.length); err != nil {
				t.Fatal(err)
			}
			series, err := c.series()
			if err != nil {
				t.Fatal(err)
			}
			var starts []time.Duration
			var requests, latencies int64
			for _, p := range series.Endpoints[0] {
				h, _ := p.Latency()
				starts, requests, latencies = append(starts, p.Start), requests+p.Requests(), latencies+h.TotalCount()
			}
			if !slices.Equal(starts, tc.starts) || requests != 4 || latencies != 4 {
				t.Errorf("points at %v with %d requests, %d latencies; want points at %v, 4 of each", starts, requests, latencies, tc.starts)
			}
		})
	}
}

// TestSeriesIntervalValid: only a second doubled is a series interval.
func TestSeriesIntervalValid(t *testing.T) {
	for d, want := range map[time.Duration]bool{
		time.Second: true, 2 * time.Second: true, 1024 * time.Second: true,
		0: false, -time.Second: false, 500 * time.Millisecond: false, 1500 * time.Millisecond: false, 3 * time.Second: false, 6 * time.Second: false,
	} {
		if got := SeriesIntervalValid(d); got != want {
			t.Errorf("SeriesIntervalValid(%v) = %v, want %v", d, got, want)
		}
	}
}
