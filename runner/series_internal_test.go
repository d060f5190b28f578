package runner

import (
	"testing"
	"time"
)

// TestSeriesWidensExactly: a run longer than the most points a series
// keeps ends with a wider interval, no more points than that, and not one
// request or latency lost or moved: the points add up to what was recorded.
func TestSeriesWidensExactly(t *testing.T) {
	c := newSeriesCollector(1)
	c.max = 40
	s := newShard([]string{"login"}, c)
	whole := NewSeriesHistogram()
	const seconds = 3 * 40
	for sec := range seconds {
		for k := range 3 {
			d := time.Duration(sec*7+k*1000) * time.Microsecond
			class := ClassOK
			if k == 2 {
				class = ClassUnavailable
			}
			s.record(0, Sample{Response: d, Service: d, Status: 200, Class: class}, time.Duration(sec)*time.Second+time.Duration(k)*time.Millisecond)
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
