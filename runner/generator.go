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
	// BehindBound for the exact rule): this machine is too small for the
	// rate, which says nothing of the target.
	dropBehind
	numDropCauses
)

// BehindBound is how late the dispatcher may reach an arrival and still
// hand it to a worker. When it reaches one later than that after its
// intended time, it drops that arrival and every other due by then as the
// generator's (Result.DroppedBehind) and starts again on time, rather than
// sending them in a burst whose latency would be its own. 10 ms is above a
// busy machine's scheduling jitter (Go preempts a goroutine after 10 ms),
// so one hiccup costs few arrivals; and it bounds the generator's lateness
// that a sent request's response time can include (Result.Lateness
// records it).
//
// An arrival is dropped behind, then, when the dispatcher reached it more
// than BehindBound late; when it reached it more than LateBound late and
// found no free worker with the pool past its floor (the workers wait on
// this machine's CPU); and when it was due before the run stopped but the
// dispatcher never reached it, or a worker received it only as the run
// stopped.
const BehindBound = 10 * time.Millisecond

// LateBound is the p99 of the generator's lateness above which the
// generator, not the target, is said to have limited the run (see
// Result.GeneratorLimited); and how late the dispatcher may be and still
// grow the pool past its floor (see dispatcher).
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
