package runner

import (
	"slices"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// liveTick is how often the live hand-over passes what the stripes gathered
// to the sinks.
const liveTick = 250 * time.Millisecond

// liveGrace is how long after a second ends the live hand-over waits before
// it passes the second on: a request that ended in it is recorded by then,
// unless its worker was descheduled for longer.
const liveGrace = 100 * time.Millisecond

// rawBatch is how many records a stripe gathers before its worker hands
// them over without waiting for the tick.
const rawBatch = 512

// spareBatches is how many emptied batches the hand-over keeps for reuse.
const spareBatches = 16

// live passes a run's records and seconds to its sinks while it goes on:
// a ticker takes them from the stripes, and one goroutine calls the sinks,
// in order.
type live struct {
	rawSinks      []RawSink
	intervalSinks []IntervalSink
	names         []string
	started       time.Time

	deliveries chan delivery
	spare      chan []RawRecord // emptied batches, for reuse
	written    chan struct{}    // closed when every delivery is made
	stopTicks  chan struct{}
	ticked     chan struct{} // closed when the ticker is done

	mu      sync.Mutex
	seconds map[time.Duration]*liveSecond // handed over by stripes, not yet to the sinks
	next    time.Duration                 // the next second to pass on
}

// delivery is one call of every sink of its kind.
type delivery struct {
	records  []RawRecord
	interval *Interval
}

// liveSecond is what the stripes handed over of one second, per endpoint.
type liveSecond struct {
	classes [][MaxClasses]int64
	hists   []*hdrhistogram.Histogram
}

// newLive returns the hand-over of a run of endpoints names to the sinks of
// plan, or nil when it has none. Its goroutines start with start.
func newLive(plan *Plan, names []string) *live {
	if len(plan.RawSinks) == 0 && len(plan.IntervalSinks) == 0 {
		return nil
	}
	return &live{rawSinks: plan.RawSinks, intervalSinks: plan.IntervalSinks, names: slices.Clone(names),
		deliveries: make(chan delivery, 8), spare: make(chan []RawRecord, spareBatches), written: make(chan struct{}),
		stopTicks: make(chan struct{}), ticked: make(chan struct{}), seconds: map[time.Duration]*liveSecond{}}
}

// buffer returns an empty batch to gather records in: a spare one when
// there is one.
func (l *live) buffer() []RawRecord {
	select {
	case b := <-l.spare:
		return b
	default:
		return make([]RawRecord, 0, rawBatch)
	}
}

// wantsSeconds reports whether a sink takes the run's seconds: only then do
// the stripes gather them.
func (l *live) wantsSeconds() bool { return l != nil && len(l.intervalSinks) > 0 }

// wantsRecords reports whether a sink takes the run's records.
func (l *live) wantsRecords() bool { return l != nil && len(l.rawSinks) > 0 }

// start starts the writer and the ticker of a run that started at started.
func (l *live) start(started time.Time, stripes []*stripe) {
	l.started = started
	go l.write()
	go l.tick(stripes)
}

// write makes the deliveries until there are no more.
func (l *live) write() {
	defer close(l.written)
	for d := range l.deliveries {
		if d.interval != nil {
			for _, s := range l.intervalSinks {
				s.WriteInterval(*d.interval)
			}
			continue
		}
		for _, s := range l.rawSinks {
			s.WriteRecords(d.records)
		}
		if cap(d.records) == rawBatch {
			select {
			case l.spare <- d.records[:0]:
			default:
			}
		}
	}
}

// tick passes the stripes' records and the ended seconds on, every liveTick,
// until finish.
func (l *live) tick(stripes []*stripe) {
	defer close(l.ticked)
	t := time.NewTicker(liveTick)
	defer t.Stop()
	for {
		select {
		case <-l.stopTicks:
			return
		case now := <-t.C:
			ended := now.Sub(l.started) - liveGrace
			for _, s := range stripes {
				s.handOver(ended)
			}
			if l.wantsSeconds() {
				l.passSeconds(ended.Truncate(FirstSeriesInterval))
			}
		}
	}
}

// records passes a batch of records on; it blocks while the sinks are
// behind.
func (l *live) records(batch []RawRecord) {
	if len(batch) > 0 {
		l.deliveries <- delivery{records: batch}
	}
}

// take adds a stripe's piece of endpoint, a second wide, to its second.
func (l *live) take(endpoint int, p *piece) {
	l.mu.Lock()
	defer l.mu.Unlock()
	sec := l.seconds[p.start]
	if sec == nil {
		sec = &liveSecond{classes: make([][MaxClasses]int64, len(l.names)), hists: make([]*hdrhistogram.Histogram, len(l.names))}
		l.seconds[p.start] = sec
	}
	for i, n := range p.classes {
		sec.classes[endpoint][i] += n
	}
	if sec.hists[endpoint] == nil {
		sec.hists[endpoint] = NewSeriesHistogram()
	}
	sec.hists[endpoint].Merge(p.hist) // of one geometry: nothing is dropped
}

// passSeconds passes on, in order, the seconds handed over late and every
// second that starts before until: with nothing handed over, as empty.
func (l *live) passSeconds(until time.Duration) {
	l.mu.Lock()
	var starts []time.Duration
	for start := range l.seconds {
		if start < l.next {
			starts = append(starts, start) // late
		}
	}
	slices.Sort(starts)
	for ; l.next < until; l.next += FirstSeriesInterval {
		starts = append(starts, l.next)
	}
	intervals := make([]*Interval, len(starts))
	for i, start := range starts {
		intervals[i] = l.interval(start, l.seconds[start])
		delete(l.seconds, start)
	}
	l.mu.Unlock()
	for _, in := range intervals {
		l.deliveries <- delivery{interval: in}
	}
}

// interval makes the Interval of the second from start; sec may be nil.
func (l *live) interval(start time.Duration, sec *liveSecond) *Interval {
	in := &Interval{Start: start, Width: FirstSeriesInterval, Endpoints: l.names, Points: make([]SeriesPoint, len(l.names))}
	empty := NewSeriesHistogram()
	for e := range l.names {
		classes, hist := [MaxClasses]int64{}, empty
		if sec != nil && sec.hists[e] != nil {
			classes, hist = sec.classes[e], sec.hists[e]
		}
		in.Points[e] = NewSeriesPoint(start, classes, hist)
	}
	return in
}

// stopTicking stops the ticker, once the workers have stopped, so that the
// final hand-over (the stripes' flush, then finish) is the only one.
func (l *live) stopTicking() {
	close(l.stopTicks)
	<-l.ticked
}

// finish passes on what the stripes, flushed after stopTicking, handed
// over: every second up to the run's length, the last one partial; it
// returns when the sinks have had everything.
func (l *live) finish(length time.Duration) {
	l.mu.Lock()
	until := (length + FirstSeriesInterval - 1).Truncate(FirstSeriesInterval)
	for start := range l.seconds {
		until = max(until, start+FirstSeriesInterval) // a request that ended after the run's end
	}
	l.mu.Unlock()
	if l.wantsSeconds() {
		l.passSeconds(until)
	}
	close(l.deliveries)
	<-l.written
}
