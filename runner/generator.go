package runner

import "time"

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
// hand it to a worker with others due after it. When it reaches one later
// than that after its intended time and another is due by then, it drops
// those arrivals as the generator's (Result.DroppedBehind) and starts again
// on time, rather than sending them in a burst whose latency would be its
// own. 10 ms is above a busy machine's scheduling jitter (Go preempts a
// goroutine after 10 ms), so one hiccup costs few arrivals; and, but for a
// lone arrival at a low rate, it bounds the generator's lateness that a
// sent request's response time can include (Result.Lateness records it).
//
// An arrival is dropped behind, then, when the dispatcher reached it more
// than BehindBound late with another due by then (a single late arrival is
// no burst: it is sent, its lateness recorded); when it reached it more
// than LateBound late, or when this process's goroutines waited for a core
// more than LateBound (see cpuWait), and found no free worker with the pool
// past its floor and below its cap (the workers wait on this machine's
// CPU), and none came free within BehindBound of its intended time; and
// when it was due before the run was interrupted but the dispatcher never
// reached it, or a worker received it only after the interrupt. An arrival
// due before the run's length is sent even when it is reached after the
// length's end.
const BehindBound = 10 * time.Millisecond

// LateBound is the p99 of the generator's lateness above which the
// generator, not the target, is said to have limited the run (see
// Result.GeneratorLimited); and how late the dispatcher may be, and how
// long the goroutines may wait for a core, for the pool to grow past its
// floor (see dispatcher).
const LateBound = time.Millisecond
