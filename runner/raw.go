package runner

import "time"

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
// record, so a sink must bound how long one call can take (a file that takes
// no more, a pipe nobody reads): it may drop what it cannot write, and count
// it. Errors are the sink's to keep and report.
type RawSink interface {
	WriteRecords(batch []RawRecord)
}

// rawBatch is how many records a worker gathers before it hands them over.
const rawBatch = 512

// rawWriter passes batches from the workers to the sink on one goroutine.
type rawWriter struct {
	batches chan []RawRecord
	done    chan struct{}
}

func startRawWriter(sink RawSink) *rawWriter {
	w := &rawWriter{batches: make(chan []RawRecord, 8), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for b := range w.batches {
			sink.WriteRecords(b)
		}
	}()
	return w
}

// stop waits until every batch handed over is written.
func (w *rawWriter) stop() {
	close(w.batches)
	<-w.done
}
