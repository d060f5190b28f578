package runner

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The geometry of the time series' histograms: microseconds from 1 µs to
// one hour, 2 significant digits (1%), small enough to keep one per
// interval.
const SeriesSigFigs = 2

// Limits of a time series: it starts at one point per second, and doubles
// its interval whenever an endpoint would have more than MaxSeriesPoints,
// so that memory stays bounded however long the run.
const (
	FirstSeriesInterval = time.Second
	MaxSeriesPoints     = 1200
)

// NewSeriesHistogram returns an empty histogram of the series geometry.
func NewSeriesHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(LatencyLowest, LatencyHighest, SeriesSigFigs)
}

// SeriesPoint is what one endpoint did in one interval of a run: the
// requests that completed in it, by class, and their response times.
type SeriesPoint struct {
	Start   time.Duration // from the run's start
	Classes [MaxClasses]int64
	// Histogram is the response times, V2 compressed and base64 encoded, in
	// the series geometry; see Latency.
	Histogram []byte
}

// Requests is the number of requests of the point.
func (p *SeriesPoint) Requests() int64 {
	var n int64
	for _, c := range p.Classes {
		n += c
	}
	return n
}

// Latency decodes the point's histogram.
func (p *SeriesPoint) Latency() (*hdrhistogram.Histogram, error) {
	return hdrhistogram.Decode(p.Histogram)
}

// Series is a run's time series: per endpoint, in Result.Endpoints order,
// its points in time order; an interval without requests has no point.
type Series struct {
	Interval  time.Duration
	Endpoints [][]SeriesPoint
}

// piece is what one shard recorded for one endpoint in one interval.
type piece struct {
	start   time.Duration
	width   time.Duration
	classes [MaxClasses]int64
	hist    *hdrhistogram.Histogram
}

// open reports whether the piece has anything in it.
func (p *piece) open() bool { return p.width > 0 }

// reset empties the piece, keeping its histogram for reuse.
func (p *piece) reset() {
	p.width, p.classes = 0, [MaxClasses]int64{}
	p.hist.Reset()
}

// add records one sample.
func (p *piece) add(x Sample) {
	p.classes[x.Class]++
	p.hist.RecordValue(clampMicros(x.Response))
}

// seriesCollector assembles the pieces the shards hand over into points,
// merging exactly. It is safe for concurrent use.
type seriesCollector struct {
	mu       sync.Mutex
	interval atomic.Int64                      // a time.Duration; written under mu
	points   []map[time.Duration]*pendingPoint // per endpoint, by start
	open     []map[time.Duration]*pendingPoint // the points with an open histogram
	err      error                             // the first failure to merge
	max      int                               // MaxSeriesPoints; less in tests
}

// pendingPoint is a point whose histogram is still open for more pieces
// (hist) or already encoded (encoded).
type pendingPoint struct {
	classes [MaxClasses]int64
	hist    *hdrhistogram.Histogram
	encoded []byte
}

func newSeriesCollector(endpoints int) *seriesCollector {
	c := &seriesCollector{max: MaxSeriesPoints}
	c.interval.Store(int64(FirstSeriesInterval))
	for range endpoints {
		c.points = append(c.points, map[time.Duration]*pendingPoint{})
		c.open = append(c.open, map[time.Duration]*pendingPoint{})
	}
	return c
}

// width is the current interval.
func (c *seriesCollector) width() time.Duration { return time.Duration(c.interval.Load()) }

// add merges a shard's piece for endpoint into its point, encodes the
// points old enough to be complete, and widens the interval when an
// endpoint has too many points. A failure is kept for series to return.
func (c *seriesCollector) add(endpoint int, p *piece) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.merge(endpoint, p); err != nil && c.err == nil {
		c.err = err
	}
}

func (c *seriesCollector) merge(endpoint int, p *piece) error {
	interval := c.width()
	start := p.start.Truncate(interval) // a piece is never wider than the interval
	pt, err := c.point(endpoint, start)
	if err != nil {
		return err
	}
	for i, n := range p.classes {
		pt.classes[i] += n
	}
	if dropped := pt.hist.Merge(p.hist); dropped != 0 {
		return fmt.Errorf("merging series histograms dropped %d values", dropped)
	}
	if err := c.settle(endpoint, start-2*interval); err != nil {
		return err
	}
	if len(c.points[endpoint]) > c.max {
		return c.widen()
	}
	return nil
}

// point returns the point of endpoint at start with an open histogram,
// decoding it when it was encoded already.
func (c *seriesCollector) point(endpoint int, start time.Duration) (*pendingPoint, error) {
	pt := c.points[endpoint][start]
	if pt == nil {
		pt = &pendingPoint{hist: NewSeriesHistogram()}
		c.points[endpoint][start] = pt
	}
	if pt.hist == nil {
		h, err := hdrhistogram.Decode(pt.encoded)
		if err != nil {
			return nil, err
		}
		pt.hist, pt.encoded = h, nil
	}
	c.open[endpoint][start] = pt
	return pt, nil
}

// settle encodes the open points of endpoint that start before before.
func (c *seriesCollector) settle(endpoint int, before time.Duration) error {
	for start, pt := range c.open[endpoint] {
		if start < before {
			b, err := pt.hist.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				return err
			}
			pt.hist, pt.encoded = nil, b
			delete(c.open[endpoint], start)
		}
	}
	return nil
}

// widen doubles the interval, merging the points two by two.
func (c *seriesCollector) widen() error {
	interval := 2 * c.width()
	c.interval.Store(int64(interval))
	for e, points := range c.points {
		c.points[e], c.open[e] = map[time.Duration]*pendingPoint{}, map[time.Duration]*pendingPoint{}
		for start, old := range points {
			pt, err := c.point(e, start.Truncate(interval))
			if err != nil {
				return err
			}
			h := old.hist
			if h == nil {
				if h, err = hdrhistogram.Decode(old.encoded); err != nil {
					return err
				}
			}
			for i, n := range old.classes {
				pt.classes[i] += n
			}
			pt.hist.Merge(h)
		}
		if err := c.settle(e, 1<<62); err != nil {
			return err
		}
	}
	return nil
}

// series encodes every point and returns the series.
func (c *seriesCollector) series() (Series, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return Series{}, c.err
	}
	s := Series{Interval: c.width()}
	for e, points := range c.points {
		if err := c.settle(e, 1<<62); err != nil {
			return Series{}, err
		}
		var list []SeriesPoint
		for start, pt := range points {
			list = append(list, SeriesPoint{Start: start, Classes: pt.classes, Histogram: pt.encoded})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Start < list[j].Start })
		s.Endpoints = append(s.Endpoints, list)
	}
	return s, nil
}
