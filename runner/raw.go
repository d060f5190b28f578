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
	// RequestID is the value of the plan's RequestIDHeader the request
	// carried; "" without one.
	RequestID string
}

// RawSink receives every request of a run while it goes on, in batches of
// records in no particular order: a record within about liveTick (a
// quarter second) of its request's end, plus the time the sinks before it
// take. The sinks of a run are called from one goroutine, one at a time,
// so a sink needs no lock of its own; it must not keep a batch after it
// returns. A slow sink slows the workers down rather than lose a record,
// so a sink must bound how long one call can take (a file that takes no
// more, a pipe nobody reads): it may drop what it cannot write, and count
// it. Errors are the sink's to keep and report.
type RawSink interface {
	WriteRecords(batch []RawRecord)
}

// IntervalSink receives the run's time series while it goes on, a second
// at a time (see Interval), on the goroutine and under the rules of
// RawSink: a slow IntervalSink slows the workers down as a slow RawSink
// does, since both wait on one hand-over.
type IntervalSink interface {
	WriteInterval(Interval)
}

// Interval is one second of a run: for every endpoint, the requests that
// ended in it, by class, and their response times. Seconds come in order,
// those without requests too, each between liveGrace (a tenth of a second)
// and liveGrace+liveTick after it ends, plus the time the sinks take; the
// last one, when the run ends, may be partial. A request recorded later than its
// second's hand-over (its worker was descheduled) comes in a further
// Interval of the same Start, so that sums by Start are exact: over a run,
// the Intervals add up to the Result's totals. Unlike the Result's series,
// whose interval doubles on long runs, an Interval is always a second
// wide.
type Interval struct {
	Start     time.Duration // from the run's start
	Width     time.Duration // FirstSeriesInterval
	Endpoints []string      // the run's endpoints, in Result order; shared: do not modify
	Points    []SeriesPoint // Points[i] is Endpoints[i]'s
}
