package runner

import (
	"runtime/metrics"
	"time"
)

// cpuWait tells whether this process is short of CPU: whether, over the
// last 10 to 50 ms (with at least 20 samples), its goroutines waited for a
// core more than LateBound at p90, by the Go runtime's
// /sched/latencies:seconds (the time a goroutine spent runnable before it
// ran, sampled by the runtime). A worker whose answer has arrived waits
// that long before it reads it, so the generator adds the wait to the
// response time, and more workers would only add to it. The wait is the
// same whether loadgate's own work or the rest of the machine (a target on
// it, say) takes the cores. Not safe for concurrent use.
type cpuWait struct {
	sample   [1]metrics.Sample
	prev     []uint64  // the histogram's counts at the baseline
	baseAt   time.Time // when the baseline was read; zero: never
	lookedAt time.Time // the last look
	wasShort bool      // the last verdict
}

const (
	// cpuLookEvery is how often cpuWait reads the runtime's figures at
	// most.
	cpuLookEvery = 10 * time.Millisecond
	// cpuStaleAfter is how old a baseline may be for a verdict: an older
	// one (the dispatcher did not ask for a while) is read again.
	cpuStaleAfter = 5 * cpuLookEvery
	// cpuMinSamples is how many scheduling latencies a verdict needs (the
	// runtime samples about one scheduling in eight); with fewer, the
	// baseline stays and so does the last verdict.
	cpuMinSamples = 20
)

func newCPUWait() *cpuWait {
	c := &cpuWait{}
	c.sample[0].Name = "/sched/latencies:seconds"
	return c
}

// short reports whether the process was short of CPU since the baseline;
// it looks again when the last look is cpuLookEvery old (a look reads the
// runtime's histogram: under a microsecond),
// and says what the last one found otherwise. A look with no baseline, or
// one older than cpuStaleAfter, only reads a new one: it finds nothing.
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
	switch {
	case len(c.prev) != len(h.Counts) || now.Sub(c.baseAt) > cpuStaleAfter:
		c.wasShort = false
	case gained(h, c.prev) < cpuMinSamples:
		return c.wasShort
	default:
		c.wasShort = quantileAbove(h, c.prev, 0.9, LateBound)
	}
	c.prev, c.baseAt = append(c.prev[:0], h.Counts...), now
	return c.wasShort
}

// gained is how many counts h gained since prev.
func gained(h *metrics.Float64Histogram, prev []uint64) uint64 {
	var n uint64
	for i, count := range h.Counts {
		n += count - prev[i]
	}
	return n
}

// quantileAbove reports whether the q-quantile (0 to 1) of the counts h
// gained since prev lies in a bucket that starts at bound or above; false
// when none were gained.
func quantileAbove(h *metrics.Float64Histogram, prev []uint64, q float64, bound time.Duration) bool {
	total := gained(h, prev)
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
