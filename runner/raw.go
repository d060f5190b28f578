package runner

import (
	"sync/atomic"
	"time"
)

// RawRecord is one request (one attempt) as it happened.
type RawRecord struct {
	// Ended is when the answer's last byte arrived (or the request failed).
	Ended time.Time
	// Intended is when the request was meant to start: its scheduled
	// arrival in the open model, else when it was sent.
	Intended time.Time
	Endpoint string
	Status   int // 0 when there was no HTTP response
	Class    Class
	Latency  time.Duration // the response time, from Intended to Ended
	Retry    bool
}

// RawSink receives every request of a run, in batches of records in no
// particular order, from one goroutine at a time; it must not keep a batch
// after it returns. A slow sink slows the workers down rather than lose a
// record, but one that spends longer than the run's request timeout in one
// call has stalled: it is given up, so that it cannot keep the run from
// ending, and the records it did not take are counted in Result.RawLost.
// Errors are the sink's to keep and report.
type RawSink interface {
	WriteRecords(batch []RawRecord)
}

// rawBatch is how many records a worker gathers before it hands them over.
const rawBatch = 512

// rawWriter passes batches from the workers to the sink on one goroutine.
type rawWriter struct {
	batches chan []RawRecord
	done    chan struct{} // closed when every batch handed over is written
	giveUp  chan struct{} // closed when the sink stalled
	writing atomic.Int64  // the records of the call in progress, 0 between calls
	since   atomic.Int64  // when that call began, in Unix nanoseconds
	lost    atomic.Int64  // records handed over or queued once given up
}

// startRawWriter starts passing batches to sink, giving it up when one call
// lasts longer than timeout.
func startRawWriter(sink RawSink, timeout time.Duration) *rawWriter {
	w := &rawWriter{batches: make(chan []RawRecord, 8), done: make(chan struct{}), giveUp: make(chan struct{})}
	go w.watch(timeout)
	go func() {
		defer close(w.done)
		for b := range w.batches {
			if isClosed(w.giveUp) {
				w.lost.Add(int64(len(b)))
				continue
			}
			w.since.Store(time.Now().UnixNano())
			w.writing.Store(int64(len(b)))
			sink.WriteRecords(b)
			w.writing.Store(0)
		}
	}()
	return w
}

// hand passes a worker's batch to the sink, waiting while the sink is busy,
// unless the sink has been given up.
func (w *rawWriter) hand(b []RawRecord) {
	select {
	case w.batches <- b:
	case <-w.giveUp:
		w.lost.Add(int64(len(b)))
	}
}

// watch gives the sink up once one call has lasted longer than timeout. It
// runs until the writer is done.
func (w *rawWriter) watch(timeout time.Duration) {
	tick := time.NewTicker(max(timeout/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-tick.C:
			if w.writing.Load() > 0 && time.Since(time.Unix(0, w.since.Load())) > timeout {
				close(w.giveUp)
				return
			}
		}
	}
}

// stop waits until every batch handed over is written, or the sink is
// given up, and returns how many records it did not take: those queued
// and, when given up, those of the call it is stuck in.
func (w *rawWriter) stop() (lost int64) {
	close(w.batches)
	select {
	case <-w.done:
		return w.lost.Load()
	case <-w.giveUp:
	}
	stuck := w.writing.Load()
	for b := range w.batches {
		w.lost.Add(int64(len(b)))
	}
	return w.lost.Load() + stuck
}
