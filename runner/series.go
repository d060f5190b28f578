package runner

import (
	"encoding/binary"
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

// endOfTime is later than any offset into a run.
const endOfTime = time.Duration(1 << 62)

// Limits of a time series: it starts at one point per second, and doubles
// its interval whenever an endpoint would have more than MaxSeriesPoints,
// so that memory stays bounded however long the run.
const (
	FirstSeriesInterval = time.Second
	MaxSeriesPoints     = 1200
)

// SeriesIntervalValid reports whether d is an interval a series can have:
// FirstSeriesInterval, doubled any number of times.
func SeriesIntervalValid(d time.Duration) bool {
	n := d / FirstSeriesInterval
	return d%FirstSeriesInterval == 0 && n > 0 && n&(n-1) == 0
}

// NewSeriesHistogram returns an empty histogram of the series geometry.
func NewSeriesHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(LatencyLowest, LatencyHighest, SeriesSigFigs)
}

// SeriesPoint is what one endpoint did in one interval of a run: the
// requests that completed in it, by class, and their response times.
type SeriesPoint struct {
	Start   time.Duration // from the run's start
	Classes [MaxClasses]int64
	packed  []byte // the response times; see Latency
}

// NewSeriesPoint returns the point of the interval from start with these
// requests by class and their response times, a histogram of the series
// geometry.
func NewSeriesPoint(start time.Duration, classes [MaxClasses]int64, latency *hdrhistogram.Histogram) SeriesPoint {
	return SeriesPoint{Start: start, Classes: classes, packed: pack(latency)}
}

// Requests is the number of requests of the point.
func (p *SeriesPoint) Requests() int64 {
	var n int64
	for _, c := range p.Classes {
		n += c
	}
	return n
}

// Latency returns the point's response times, a histogram of the series
// geometry (a new one at each call).
func (p *SeriesPoint) Latency() (*hdrhistogram.Histogram, error) { return unpack(p.packed) }

// seriesCounts is the length of a series histogram's counts.
var seriesCounts = len(NewSeriesHistogram().Export().Counts)

// pack writes a series histogram's non-zero counts as varint pairs of
// (index gap, count): a few bytes per distinct latency, and cheap, so that
// a point a second costs neither memory nor time (V2's zlib would allocate
// a compressor each time).
func pack(h *hdrhistogram.Histogram) []byte {
	var b []byte
	last := -1
	for i, c := range h.Export().Counts {
		if c != 0 {
			b = binary.AppendUvarint(b, uint64(i-last))
			b = binary.AppendVarint(b, c)
			last = i
		}
	}
	return b
}

// unpack reads what pack wrote.
func unpack(b []byte) (*hdrhistogram.Histogram, error) {
	counts := make([]int64, seriesCounts)
	for i := -1; len(b) > 0; {
		gap, n := binary.Uvarint(b)
		if n <= 0 || gap == 0 || gap > uint64(len(counts)-1-i) {
			return nil, fmt.Errorf("a packed series histogram is corrupt")
		}
		b = b[n:]
		c, n := binary.Varint(b)
		if n <= 0 || c < 0 {
			return nil, fmt.Errorf("a packed series histogram is corrupt")
		}
		b = b[n:]
		i += int(gap)
		counts[i] = c
	}
	want := NewSeriesHistogram()
	return hdrhistogram.Import(&hdrhistogram.Snapshot{LowestTrackableValue: want.LowestTrackableValue(),
		HighestTrackableValue: want.HighestTrackableValue(), SignificantFigures: want.SignificantFigures(), Counts: counts}), nil
}

// Series is a run's time series: per endpoint, in Result.Endpoints order,
// its points in time order; an interval without requests has no point.
type Series struct {
	Interval  time.Duration
	Endpoints [][]SeriesPoint
}

// Sliver reports whether the series interval from start (interval wide) is
// a run's final sliver: not the run's first interval, and the run, length
// long, ended less than a quarter interval into it. A sliver holds only the
// requests in flight when the run stopped, too few over too short a time
// for a rate; a run's own series (see Run), MergeResults and the HTML
// report fold it into the interval before.
func Sliver(start, length, interval time.Duration) bool {
	return start >= interval && length-start < interval/4
}

// piece is what one stripe recorded for one endpoint in one interval.
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

// put records x, which ended in the interval from start, width wide; a
// piece open for another interval is handed to taker first, as endpoint's.
func (p *piece) put(x Sample, start, width time.Duration, taker pieceTaker, endpoint int) {
	if p.open() && (p.start != start || p.width != width) {
		taker.take(endpoint, p)
		p.reset()
	}
	if !p.open() {
		p.start, p.width = start, width
		if p.hist == nil {
			p.hist = NewSeriesHistogram()
		}
	}
	p.classes[x.Class]++
	p.hist.RecordValue(clampMicros(x.Response))
}

// pieceTaker takes the pieces of an endpoint that stripes hand over; it
// must not keep p.
type pieceTaker interface {
	take(endpoint int, p *piece)
}

// seriesCollector assembles the pieces the stripes hand over into points,
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
// (hist) or already packed.
type pendingPoint struct {
	classes [MaxClasses]int64
	hist    *hdrhistogram.Histogram
	packed  []byte
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

// take merges a stripe's piece for endpoint into its point, packs the
// points old enough to be complete, and widens the interval when an
// endpoint has too many points. A failure is kept for series to return.
func (c *seriesCollector) take(endpoint int, p *piece) {
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
	c.settle(endpoint, start-2*interval)
	if len(c.points[endpoint]) > c.max {
		return c.widen()
	}
	return nil
}

// point returns the point of endpoint at start with an open histogram,
// unpacking it when it was packed already.
func (c *seriesCollector) point(endpoint int, start time.Duration) (*pendingPoint, error) {
	pt := c.points[endpoint][start]
	if pt == nil {
		pt = &pendingPoint{hist: NewSeriesHistogram()}
		c.points[endpoint][start] = pt
	}
	if pt.hist == nil {
		h, err := unpack(pt.packed)
		if err != nil {
			return nil, err
		}
		pt.hist, pt.packed = h, nil
	}
	c.open[endpoint][start] = pt
	return pt, nil
}

// settle packs the open points of endpoint that start before before.
func (c *seriesCollector) settle(endpoint int, before time.Duration) {
	for start, pt := range c.open[endpoint] {
		if start < before {
			pt.hist, pt.packed = nil, pack(pt.hist)
			delete(c.open[endpoint], start)
		}
	}
}

// widen doubles the interval, merging the points two by two.
func (c *seriesCollector) widen() error {
	interval := 2 * c.width()
	c.interval.Store(int64(interval))
	for e, points := range c.points {
		c.points[e], c.open[e] = map[time.Duration]*pendingPoint{}, map[time.Duration]*pendingPoint{}
		for start, old := range points {
			if err := c.absorb(e, start.Truncate(interval), old); err != nil {
				return err
			}
		}
		c.settle(e, endOfTime)
	}
	return nil
}

// foldSliver moves each endpoint's point in the final sliver of a run
// length long (see Sliver) into the interval before, as MergeResults does
// with each run it merges, so that a run's series and a report's of it
// agree.
func (c *seriesCollector) foldSliver(length time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	interval := c.width()
	last := length.Truncate(interval)
	if !Sliver(last, length, interval) {
		return nil
	}
	for e, points := range c.points {
		if sliver := points[last]; sliver != nil {
			delete(points, last)
			delete(c.open[e], last)
			if err := c.absorb(e, last-interval, sliver); err != nil {
				return err
			}
		}
	}
	return nil
}

// absorb adds old's requests and response times to endpoint's point at
// start.
func (c *seriesCollector) absorb(endpoint int, start time.Duration, old *pendingPoint) error {
	pt, err := c.point(endpoint, start)
	if err != nil {
		return err
	}
	h := old.hist
	if h == nil {
		if h, err = unpack(old.packed); err != nil {
			return err
		}
	}
	for i, n := range old.classes {
		pt.classes[i] += n
	}
	pt.hist.Merge(h) // of one geometry: nothing is dropped
	return nil
}

// series packs every point and returns the series.
func (c *seriesCollector) series() (Series, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return Series{}, c.err
	}
	s := Series{Interval: c.width()}
	for e, points := range c.points {
		c.settle(e, endOfTime)
		var list []SeriesPoint
		for start, pt := range points {
			list = append(list, SeriesPoint{Start: start, Classes: pt.classes, packed: pt.packed})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Start < list[j].Start })
		s.Endpoints = append(s.Endpoints, list)
	}
	return s, nil
}
