package runner

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// dropCause says why an arrival of the open model sent nothing.
type dropCause uint8

const (
	// dropNoWorker: every worker was busy and the pool was at its limit
	// when the arrival came: the target is slow for the rate, or
	// MaxWorkers is too small. The user's finding.
	dropNoWorker dropCause = iota
	// dropBehind: the generator itself could not keep to its schedule (see
	// BehindBound): this machine is too small for the rate, which says
	// nothing of the target.
	dropBehind
)

// BehindBound is how late the dispatcher may reach an arrival and still
// hand it to a worker. An arrival it reaches later than that after its
// intended time is dropped as the generator's (Result.DroppedBehind), with
// every other arrival that is by then as late, and so are the arrivals due
// before the run stopped that it never reached. 10 ms is above a busy
// machine's scheduling jitter (Go preempts a goroutine after 10 ms), so one
// hiccup costs no arrival; and it bounds the generator's lateness that a
// sent request's response time can include (Result.Lateness records it).
const BehindBound = 10 * time.Millisecond

// LateBound is the p99 of the generator's lateness above which the
// generator, not the target, is said to have limited the run (see
// Result.GeneratorLimited).
const LateBound = time.Millisecond

// GeneratorLimited reports whether the open model's generator, not the
// target, limited the run: it dropped more than 0.1% of the arrivals for
// being behind its schedule, or it sent its arrivals more than LateBound
// late at p99. The response times of such a run include the generator's
// lateness. A few arrivals dropped behind (a single stall of the machine,
// the race with the run's end) do not make it so.
func (r *Result) GeneratorLimited() bool {
	if !r.Load.Open {
		return false
	}
	return r.DroppedBehind*1000 > r.Arrivals || r.Lateness != nil && Micros(r.Lateness.ValueAtQuantile(99)) > LateBound
}

// recordLateness adds one arrival's lateness to h, in microseconds.
func recordLateness(h *hdrhistogram.Histogram, late time.Duration) {
	h.RecordValue(clampMicros(late))
}
