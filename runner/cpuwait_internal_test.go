package runner

import (
	"context"
	"math"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestQuantileAbove(t *testing.T) {
	h := &metrics.Float64Histogram{
		Buckets: []float64{math.Inf(-1), 0.0001, 0.001, 0.01, math.Inf(1)},
		Counts:  []uint64{5, 95, 10, 0},
	}
	for _, c := range []struct {
		name string
		prev []uint64
		want bool
	}{
		{"none gained", []uint64{5, 95, 10, 0}, false},
		{"p90 in 100µs-1ms", []uint64{0, 0, 0, 0}, false}, // 5+95 of 110 below 1 ms
		{"p90 in 1-10ms", []uint64{5, 90, 0, 0}, true},    // 5 below 1 ms, 10 above
		{"all in the first", []uint64{0, 95, 10, 0}, false},
	} {
		if got := quantileAbove(h, c.prev, 0.9, time.Millisecond); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestUsesCores(t *testing.T) {
	for _, c := range []struct {
		cpu   time.Duration
		cores int
		want  bool
	}{{10 * time.Millisecond, 1, true}, {9 * time.Millisecond, 1, true}, {8 * time.Millisecond, 1, false}, {10 * time.Millisecond, 2, false}, {19 * time.Millisecond, 2, true}} {
		if got := usesCores(c.cpu, 10*time.Millisecond, c.cores); got != c.want {
			t.Errorf("%v of 10ms on %d cores: %v, want %v", c.cpu, c.cores, got, c.want)
		}
	}
}

// TestCPUWaitReadsTheProcess: cpuWait reads the runtime's scheduling
// latencies and the process's CPU time, which grow while goroutines spin
// on every core; the spinning makes them wait for a core. Whether a look
// then finds the process short depends on what else the machine runs: not
// checked here.
func TestCPUWaitReadsTheProcess(t *testing.T) {
	c := newCPUWait()
	if c.short() {
		t.Fatal("the first look found a wait: it has nothing to compare with")
	}
	before, cpuBefore := slices.Clone(c.prev), c.prevCPU
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var spinners sync.WaitGroup
	for range 4 * runtime.GOMAXPROCS(0) {
		spinners.Go(func() {
			for ctx.Err() == nil {
			}
		})
	}
	defer spinners.Wait()
	defer cancel() // before the wait
	_, cpuKnown := processCPU()
	for cpuKnown && c.prevCPU == cpuBefore || slices.Equal(c.prev, before) {
		if ctx.Err() != nil {
			t.Fatalf("in 10 s of goroutines spinning, the process's CPU time stayed %v or its scheduling latencies %v", cpuBefore, before)
		}
		c.short() // it looks every cpuLookEvery
	}
	if len(c.prev) == 0 {
		t.Error("no scheduling latencies read")
	}
}
