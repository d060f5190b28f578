package runner

import (
	"context"
	"math"
	"runtime"
	"runtime/metrics"
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

// TestCPUWaitSeesAShortMachine: with a hundred goroutines per core, each
// spinning 200 µs and then yielding, each waits about 20 ms for a core
// between its turns, which cpuWait must see; what else the machine runs
// only makes the wait longer.
func TestCPUWaitSeesAShortMachine(t *testing.T) {
	c := newCPUWait()
	if c.short() {
		t.Fatal("the first look found a wait: it has nothing to compare with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var spinners sync.WaitGroup
	for range 100 * runtime.GOMAXPROCS(0) {
		spinners.Go(func() {
			for ctx.Err() == nil {
				for turn := time.Now(); time.Since(turn) < 200*time.Microsecond; {
				}
				runtime.Gosched()
			}
		})
	}
	defer spinners.Wait()
	defer cancel() // before the wait
	for !c.short() {
		if ctx.Err() != nil {
			t.Fatal("cpuWait saw no wait for a core in 10 s of goroutines spinning on every core")
		}
	}
}
