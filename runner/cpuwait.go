package runner

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// cpuWait tells whether this process is short of CPU: whether, over the
// last 10 to 50 ms (with at least 20 samples), its goroutines waited for a core more than
// LateBound at p90, by the Go runtime's /sched/latencies:seconds (the time
// a goroutine spent runnable before it ran, sampled by the runtime), while
// the process used at least 90% of the cores it may run on (GOMAXPROCS;
// off Linux, where it cannot tell, that part is taken as true). A worker
// whose answer has arrived waits that long before it reads it, so the
// generator adds the wait to the response time, and more workers would
// only add to it. A machine busy with other work makes the goroutines
// wait too, but leaves the process short of its cores: more workers
// waiting on a slow target then cost little. Not safe for concurrent use.
type cpuWait struct {
	sample   [1]metrics.Sample
	prev     []uint64      // the histogram's counts at the baseline
	prevCPU  time.Duration // the process's CPU time at the baseline
	baseAt   time.Time     // when the baseline was read; zero: never
	lookedAt time.Time     // the last look
	wasShort bool          // the last verdict
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
// runtime's histogram and the process's CPU time: about a microsecond),
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
	cpu, known := processCPU()
	elapsed := now.Sub(c.baseAt)
	switch {
	case len(c.prev) != len(h.Counts) || elapsed > cpuStaleAfter:
		c.wasShort = false
	case gained(h, c.prev) < cpuMinSamples:
		return c.wasShort
	default:
		c.wasShort = quantileAbove(h, c.prev, 0.9, LateBound) &&
			(!known || usesCores(cpu-c.prevCPU, elapsed, runtime.GOMAXPROCS(0)))
	}
	c.prev, c.prevCPU, c.baseAt = append(c.prev[:0], h.Counts...), cpu, now
	return c.wasShort
}

// usesCores reports whether cpu, the CPU time used over elapsed, is at
// least 90% of cores.
func usesCores(cpu, elapsed time.Duration, cores int) bool {
	return float64(cpu) >= 0.9*float64(cores)*float64(elapsed)
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
