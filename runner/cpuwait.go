package runner

import (
	"runtime/metrics"
	"time"
)

// cpuWait tells whether this process is short of CPU: whether its
// goroutines, at p90, waited for a core more than LateBound, by the Go
// runtime's /sched/latencies:seconds (the time a goroutine spent runnable
// before it ran, sampled by the runtime) over the last cpuLookEvery or
// more. A worker whose answer has arrived waits that long before it reads
// it, so the generator adds the wait to the response time; when it grows,
// more workers would only add to it. Not safe for concurrent use.
type cpuWait struct {
	sample   [1]metrics.Sample
	prev     []uint64  // the histogram's counts at the last look
	lookedAt time.Time // zero: never
	wasShort bool      // at the last look
}

// cpuLookEvery is how often cpuWait reads the runtime's figures at most.
const cpuLookEvery = 10 * time.Millisecond

func newCPUWait() *cpuWait {
	c := &cpuWait{}
	c.sample[0].Name = "/sched/latencies:seconds"
	return c
}

// short reports whether the goroutines waited for a core more than
// LateBound at p90 between the last two looks; it looks again when the
// last look is cpuLookEvery old (a look reads the runtime's histogram: a
// few microseconds), and says what the last one found otherwise. The
// first look finds nothing.
func (c *cpuWait) short() bool {
	now := time.Now()
	if now.Sub(c.lookedAt) < cpuLookEvery {
		return c.wasShort
	}
	c.lookedAt = now
	metrics.Read(c.sample[:])
	if c.sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return false
	}
	h := c.sample[0].Value.Float64Histogram()
	if len(c.prev) == len(h.Counts) {
		c.wasShort = quantileAbove(h, c.prev, 0.9, LateBound)
	}
	c.prev = append(c.prev[:0], h.Counts...)
	return c.wasShort
}

// quantileAbove reports whether the q-quantile (0 to 1) of the counts h
// gained since prev lies in a bucket that starts at bound or above; false
// when none were gained.
func quantileAbove(h *metrics.Float64Histogram, prev []uint64, q float64, bound time.Duration) bool {
	var total uint64
	for i, n := range h.Counts {
		total += n - prev[i]
	}
	if total == 0 {
		return false
	}
	rank, seen := uint64(q*float64(total)), uint64(0)
	for i, n := range h.Counts {
		if seen += n - prev[i]; seen > rank {
			return h.Buckets[i] >= bound.Seconds()
		}
	}
	return false
}
