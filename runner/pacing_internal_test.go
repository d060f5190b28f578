package runner

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The dispatcher tests run in synctest bubbles: time there is a fake clock
// that moves only when every goroutine of the bubble is blocked, so a
// time.Sleep takes no real time and says exactly how long a worker is busy
// or the dispatcher late, however busy the machine.

// timerWait sleeps until t with a Go timer only, which synctest's fake clock
// drives (nanosleep would sleep in real time).
func timerWait(stop context.Context, t time.Time) bool { return sleep(stop, time.Until(t), nil) }

// lateWait is a dispatcher's wait that is late by late() once the time
// comes: none when it returns 0.
func lateWait(late func() time.Duration) func(context.Context, time.Time) bool {
	return func(stop context.Context, at time.Time) bool {
		ok := timerWait(stop, at)
		time.Sleep(late())
		return ok
	}
}

// stallOnce is a lateness for lateWait: d once, when served first reaches
// n, else none.
func stallOnce(served *atomic.Int64, n int64, d time.Duration) func() time.Duration {
	stalled := false
	return func() time.Duration {
		if stalled || served.Load() != n {
			return 0
		}
		stalled = true
		return d
	}
}

// countingWorker is a dispatcher's work that counts in served the arrivals
// it takes, each keeping it busy for busy.
func countingWorker(served *atomic.Int64, busy time.Duration) func(int, arrival, *handOff) {
	return func(_ int, first arrival, h *handOff) {
		for _, ok := first, true; ok; _, ok = h.next() {
			served.Add(1)
			time.Sleep(busy)
		}
	}
}

// runDispatcher runs d from now until interrupt ends (or its schedule
// does), and returns its arrivals and their drops by cause.
func runDispatcher(interrupt context.Context, d dispatcher) (arrivals int64, dropped [numDropCauses]int64) {
	arrivals = d.run(interrupt, time.Now(), func(c dropCause, n int64) { dropped[c] += n })
	return arrivals, dropped
}

// dueBefore counts the arrivals of p due before t.
func dueBefore(p profile, t time.Duration) int64 {
	var n int64
	for {
		at, ok := p.arrivalTime(n)
		if !ok || at >= t {
			return n
		}
		n++
	}
}

func TestArrivalCounts(t *testing.T) {
	stages := func(s string) []Stage {
		st, err := ParseStages(s)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	cases := []struct {
		name    string
		profile profile
		until   time.Duration
		want    int64
	}{
		{"constant 100/s for 1s", profile{start: 100}, time.Second, 100},
		{"constant 7/s for 3s", profile{start: 7}, 3 * time.Second, 21},
		{"constant 0.5/s for 10s", profile{start: 0.5}, 10 * time.Second, 5},
		{"ramp 0 to 100/s over 10s", profile{stages: stages("10s:100")}, 10 * time.Second, 500},
		{"ramp up, hold, down", profile{stages: stages("30s:100,1m:100,30s:0")}, 2 * time.Minute, 9000},
		{"ramp down from 50/s", profile{start: 50, stages: stages("4s:0")}, time.Minute, 100},
		{"hold after the last stage", profile{stages: stages("2s:10")}, 3 * time.Second, 20},
		{"ramp between rates", profile{start: 10, stages: stages("10s:30")}, 10 * time.Second, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := dueBefore(tc.profile, tc.until); got != tc.want {
				t.Errorf("%d arrivals before %s, want %d", got, tc.until, tc.want)
			}
			if due := tc.profile.due(tc.until); math.Abs(due-float64(tc.want)) > 1e-6*float64(tc.want) {
				t.Errorf("due(%s) = %g, want %d", tc.until, due, tc.want)
			}
		})
	}
}

func TestArrivalTimes(t *testing.T) {
	constant := profile{start: 4}
	for k, want := range []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond, time.Second} {
		if at, _ := constant.arrivalTime(int64(k)); at != want {
			t.Errorf("constant 4/s: arrival %d at %s, want %s", k, at, want)
		}
	}
	// From 0 to 100/s over 10s, n arrivals are due at sqrt(n/5) seconds.
	ramp := profile{stages: []Stage{{10 * time.Second, 100}}}
	for _, k := range []int64{1, 20, 125, 499} {
		at, _ := ramp.arrivalTime(k)
		if want := math.Sqrt(float64(k) / 5); math.Abs(at.Seconds()-want) > 1e-6 {
			t.Errorf("ramp: arrival %d at %s, want %.6fs", k, at, want)
		}
	}
	if _, ok := (profile{start: 10, stages: []Stage{{time.Second, 0}}}).arrivalTime(5); ok {
		t.Errorf("an arrival after the rate fell to zero for good")
	}
}

func TestProfileAt(t *testing.T) {
	p := profile{start: 10, stages: []Stage{{10 * time.Second, 30}, {5 * time.Second, 30}, {5 * time.Second, 0}}}
	for at, want := range map[time.Duration]float64{0: 10, 5 * time.Second: 20, 12 * time.Second: 30, 17500 * time.Millisecond: 15, time.Hour: 0} {
		if got := p.at(at); math.Abs(got-want) > 1e-9 {
			t.Errorf("at(%s) = %v, want %v", at, got, want)
		}
	}
	if got := p.length(); got != 20*time.Second {
		t.Errorf("length %s, want 20s", got)
	}
}

// TestDispatcherDropsWhenWorkersAreShort runs the dispatcher in a synctest
// bubble (fake time): 100 arrivals a second for one second, two workers, 45
// ms per iteration. Every 50 ms the two workers take two arrivals and the
// three between are dropped: 40 served, 60 dropped, none delayed.
func TestDispatcherDropsWhenWorkersAreShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served, late atomic.Int64
		started := time.Now()
		d := dispatcher{wait: timerWait,
			profile:    profile{start: 100},
			maxWorkers: 2,
			length:     time.Second,
			work: func(_ int, first arrival, h *handOff) {
				for a, ok := first, true; ok; a, ok = h.next() {
					if time.Since(a.intended) > 0 {
						late.Add(1)
					}
					served.Add(1)
					time.Sleep(45 * time.Millisecond)
				}
			},
		}
		var dropped [numDropCauses]int64
		arrivals := d.run(context.Background(), started, func(c dropCause, n int64) { dropped[c] += n })
		if arrivals != 100 || dropped[dropNoWorker] != 60 || dropped[dropBehind] != 0 || served.Load() != 40 {
			t.Errorf("arrivals %d, dropped %v (no worker, behind), served %d; want 100, [60 0], 40", arrivals, dropped, served.Load())
		}
		if late.Load() != 0 {
			t.Errorf("%d arrivals started after their intended time", late.Load())
		}
	})
}

// TestDispatcherEnoughWorkers: with workers to spare nothing is dropped, the
// schedule's count is exact, and on a fake clock (no machine to be busy)
// the pool grows only as far as needed.
func TestDispatcherEnoughWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var peak atomic.Int64
		d := dispatcher{wait: timerWait,
			profile:    profile{stages: []Stage{{2 * time.Second, 200}}}, // 0 to 200/s: 200 arrivals
			maxWorkers: 1000,
			length:     2 * time.Second,
			work: func(id int, first arrival, h *handOff) {
				if int64(id+1) > peak.Load() {
					peak.Store(int64(id + 1)) // ids are handed out in order
				}
				for _, ok := first, true; ok; _, ok = h.next() {
					time.Sleep(20 * time.Millisecond)
				}
			},
		}
		var dropped int64
		arrivals := d.run(context.Background(), time.Now(), func(_ dropCause, n int64) { dropped += n })
		if arrivals != 200 || dropped != 0 {
			t.Errorf("arrivals %d, dropped %d; want 200, 0", arrivals, dropped)
		}
		if peak.Load() > 5 { // at most 200/s x 20 ms = 4 busy at once, plus one
			t.Errorf("the pool grew to %d workers", peak.Load())
		}
	})
}

func TestDispatcherIterationBoundAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		work := func(_ int, first arrival, h *handOff) {
			for _, ok := first, true; ok; _, ok = h.next() {
			}
		}
		d := dispatcher{wait: timerWait, profile: profile{start: 1000}, maxWorkers: 10, iterations: 37, work: work}
		if arrivals := d.run(context.Background(), time.Now(), func(dropCause, int64) {}); arrivals != 37 {
			t.Errorf("%d arrivals with -n 37", arrivals)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 245*time.Millisecond)
		defer cancel()
		d = dispatcher{wait: timerWait, profile: profile{start: 100}, maxWorkers: 10, work: work}
		if arrivals := d.run(ctx, time.Now(), func(dropCause, int64) {}); arrivals != 25 {
			t.Errorf("%d arrivals in 245ms at 100/s, want 25", arrivals)
		}
	})
}

// TestDispatcherBehindCountsDrops: a dispatcher slower than its schedule
// (15 ms of work per arrival at 100 a second) still counts every arrival
// due before the run stopped; those it never reached are dropped.
func TestDispatcherBehindCountsDrops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stop, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var served atomic.Int64
		d := dispatcher{profile: profile{start: 100}, maxWorkers: 10, length: time.Second,
			wait: func(stop context.Context, t time.Time) bool {
				timerWait(stop, t)
				time.Sleep(15 * time.Millisecond)
				return stop.Err() == nil
			},
			work: countingWorker(&served, 0),
		}
		arrivals, dropped := runDispatcher(stop, d)
		if arrivals != 100 || dropped[dropBehind] == 0 || dropped[dropNoWorker] != 0 || served.Load()+dropped[dropBehind] != 100 {
			t.Errorf("arrivals %d, served %d, dropped %v (no worker, behind); want 100 = served + dropped behind, some dropped", arrivals, served.Load(), dropped)
		}
	})
}

// TestDispatcherStallDropsLateArrivals: a dispatcher that stalls 25 ms
// once, at arrival 50 of 100 a second, drops as the generator's the
// arrivals due by the time it goes on (50, 51 and 52, due at 500, 510 and
// 520 ms; it goes on at 525 ms) rather than sending them in a burst, and
// sends the rest on time.
func TestDispatcherStallDropsLateArrivals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served atomic.Int64
		lateness := NewLatencyHistogram()
		d := dispatcher{profile: profile{start: 100}, maxWorkers: 10, length: time.Second, lateness: lateness,
			wait: lateWait(stallOnce(&served, 50, 25*time.Millisecond)),
			work: countingWorker(&served, 0),
		}
		arrivals, dropped := runDispatcher(context.Background(), d)
		if arrivals != 100 || dropped != [numDropCauses]int64{0, 3} || served.Load() != 97 {
			t.Errorf("arrivals %d, dropped %v (no worker, behind), served %d; want 100, [0 3], 97", arrivals, dropped, served.Load())
		}
		if got := Micros(lateness.Max()); got > time.Microsecond || lateness.TotalCount() != 97 {
			t.Errorf("lateness max %s over %d arrivals; want none over 97", got, lateness.TotalCount())
		}
	})
}

// TestDispatcherLateDoesNotGrowPool: 100 arrivals a second of 300 ms each
// need 30 workers. A dispatcher on time, on a machine with CPU to spare,
// grows the pool to them and drops nothing. One that reaches every arrival
// 2 ms late (within BehindBound, past LateBound: its machine is busy), or
// whose goroutines wait for a core (cpuShort), grows it to growFloor only,
// and drops the arrivals that find those busy as the generator's, not for
// want of a worker.
func TestDispatcherLateDoesNotGrowPool(t *testing.T) {
	for _, c := range []struct {
		name     string
		delay    time.Duration
		cpuShort bool
	}{{"on time", 0, false}, {"2ms late", 2 * time.Millisecond, false}, {"short of CPU", 0, true}} {
		synctest.Test(t, func(t *testing.T) {
			var served, peak atomic.Int64 // workers never leave before the end: the pool's peak is how many started
			d := dispatcher{profile: profile{start: 100}, maxWorkers: 1000, length: time.Second,
				wait:     lateWait(func() time.Duration { return c.delay }),
				cpuShort: func() bool { return c.cpuShort },
				work: func(id int, first arrival, h *handOff) {
					peak.Add(1)
					countingWorker(&served, 300*time.Millisecond)(id, first, h)
				},
			}
			arrivals, dropped := runDispatcher(context.Background(), d)
			if arrivals != 100 || served.Load()+dropped[dropBehind] != 100 || dropped[dropNoWorker] != 0 {
				t.Errorf("%s: arrivals %d, served %d, dropped %v (no worker, behind)", c.name, arrivals, served.Load(), dropped)
			}
			keepsUp := c.delay == 0 && !c.cpuShort
			switch {
			case keepsUp && (dropped[dropBehind] != 0 || peak.Load() < 30 || peak.Load() > 32):
				t.Errorf("%s: %d dropped behind, a pool of %d; want none, about 30", c.name, dropped[dropBehind], peak.Load())
			case !keepsUp && (dropped[dropBehind] == 0 || peak.Load() != growFloor):
				t.Errorf("%s: %d dropped behind, a pool of %d; want some, %d", c.name, dropped[dropBehind], peak.Load(), growFloor)
			}
		})
	}
}

// TestDispatcherBehindWithoutSleepingHoldsPool: a dispatcher that takes
// 150 µs over each of 10,000 arrivals a second never sleeps: each arrival
// is due when it comes to it, 50 µs later than the one before. Once that
// is over LateBound (the 19th), it is as late as one that woke late, and
// the pool of workers that never come free stops growing there, where it
// would otherwise take a worker for every arrival (all 50
// here). The 19th then waits for a worker past the run's 5 ms, and the
// rest are dropped behind.
func TestDispatcherBehindWithoutSleepingHoldsPool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served, peak atomic.Int64
		d := dispatcher{profile: profile{start: 10_000}, maxWorkers: 1000, length: 5 * time.Millisecond,
			wait: lateWait(func() time.Duration { return 150 * time.Microsecond }),
			work: func(id int, first arrival, h *handOff) {
				peak.Add(1)
				countingWorker(&served, time.Second)(id, first, h)
			},
		}
		arrivals, dropped := runDispatcher(context.Background(), d)
		if arrivals != 50 || dropped[dropBehind] != 32 || dropped[dropNoWorker] != 0 || peak.Load() != 18 {
			t.Errorf("arrivals %d, dropped %v (no worker, behind), a pool of %d; want 50, 32 behind, 18", arrivals, dropped, peak.Load())
		}
	})
}

// TestDispatcherLateAgainAfterAWaitForAWorker: a wait for a worker keeps
// the dispatcher's verdict only until it next sleeps on time. At 10,000
// arrivals a second, worker 0 takes 2.5 ms over an arrival and the others
// never come back; the 21st arrival, short of CPU once, waits 0.5 ms for
// worker 0. From the 51st the dispatcher takes 150 µs over each arrival
// and never sleeps: about 20 arrivals later it is over LateBound late, and
// the pool stops growing at 65 (the arrivals past that wait for worker 0,
// or drop behind). Were the wait still remembered, the pool would grow to
// 96, a worker for every arrival worker 0 did not take.
func TestDispatcherLateAgainAfterAWaitForAWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served, peak atomic.Int64
		waits := 0 // the dispatcher's, one an arrival
		d := dispatcher{profile: profile{start: 10_000}, maxWorkers: 1000, length: 10 * time.Millisecond,
			wait: lateWait(func() time.Duration {
				if waits++; waits > 50 {
					return 150 * time.Microsecond
				}
				return 0
			}),
			cpuShort: func() bool { return waits == 21 },
			work: func(id int, first arrival, h *handOff) {
				peak.Add(1)
				busy := time.Second
				if id == 0 {
					busy = 2500 * time.Microsecond
				}
				countingWorker(&served, busy)(id, first, h)
			},
		}
		arrivals, dropped := runDispatcher(context.Background(), d)
		if arrivals != 100 || dropped != [numDropCauses]int64{0, 29} || peak.Load() != 65 {
			t.Errorf("arrivals %d, dropped %v (no worker, behind), a pool of %d; want 100, 29 behind, 65", arrivals, dropped, peak.Load())
		}
	})
}

// TestDispatcherShortOfCPUWaitsForAWorker: 100 arrivals a second of 165 ms
// each need 17 workers; short of CPU, the pool stops at growFloor (16), and
// the 17th arrival waits 5 ms (under BehindBound) for the first worker to
// be free, rather than being dropped: over 300 ms, all 30 arrivals are
// sent, those past the 16th 5 ms late.
func TestDispatcherShortOfCPUWaitsForAWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served, peak atomic.Int64
		lateness := hdrhistogram.New(1, 60_000_000, 3)
		d := dispatcher{profile: profile{start: 100}, maxWorkers: 1000, length: 300 * time.Millisecond,
			wait:     timerWait,
			cpuShort: func() bool { return true },
			lateness: lateness,
			work: func(id int, first arrival, h *handOff) {
				peak.Add(1)
				countingWorker(&served, 165*time.Millisecond)(id, first, h)
			},
		}
		arrivals, dropped := runDispatcher(context.Background(), d)
		if arrivals != 30 || dropped != [numDropCauses]int64{} || peak.Load() != growFloor || served.Load() != 30 {
			t.Errorf("arrivals %d, dropped %v, a pool of %d, %d served; want 30, none, %d, 30",
				arrivals, dropped, peak.Load(), served.Load(), growFloor)
		}
		// The generator's lateness says how long they waited: those past
		// the 16th were handed over 5 ms late, the others on time.
		var waited int64
		for _, bar := range lateness.Distribution() {
			if bar.From >= 4900 { // µs
				waited += bar.Count
			}
		}
		if lateness.TotalCount() != 30 || waited != 30-growFloor || lateness.ValueAtQuantile(50) > 1 {
			t.Errorf("lateness of %d arrivals, %d of them at least 5 ms, p50 %d µs; want 30, %d, on time",
				lateness.TotalCount(), waited, lateness.ValueAtQuantile(50), 30-growFloor)
		}
	})
}

// TestDispatcherWaitForAWorkerIsNotLateness: 1,000 arrivals a second of
// 100 ms each need 100 workers. Short of CPU for its first 50 ms, the
// dispatcher holds the pool at growFloor, and its arrivals wait for a
// worker, each until 10 ms past its intended time, which makes it reach the
// next ones late: that lateness is its own wait, not the machine's, and
// once the machine has CPU again the pool grows to the load, dropping only
// what came in the short stretch and just after.
func TestDispatcherWaitForAWorkerIsNotLateness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served, peak atomic.Int64
		started := time.Now()
		d := dispatcher{profile: profile{start: 1000}, maxWorkers: 1000, length: 500 * time.Millisecond,
			wait:     timerWait,
			cpuShort: func() bool { return time.Since(started) < 50*time.Millisecond },
			work: func(id int, first arrival, h *handOff) {
				peak.Add(1)
				countingWorker(&served, 100*time.Millisecond)(id, first, h)
			},
		}
		arrivals, dropped := runDispatcher(context.Background(), d)
		if arrivals != 500 || peak.Load() < 100 || dropped[dropNoWorker] != 0 || dropped[dropBehind] > 60 {
			t.Errorf("arrivals %d, a pool of %d, dropped %v (no worker, behind); want 500, at least 100, at most 60 behind", arrivals, peak.Load(), dropped)
		}
	})
}

// TestScheduleLastsItsLength: stages that ramp down to zero run out of
// arrivals before their end, and the run still lasts the stages' length.
func TestScheduleLastsItsLength(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		work := func(_ int, first arrival, h *handOff) {
			for _, ok := first, true; ok; _, ok = h.next() {
			}
		}
		stages := []Stage{{time.Second, 50}, {time.Second, 0}}
		d := dispatcher{wait: timerWait, profile: profile{start: 50, stages: stages}, maxWorkers: 10, length: 2 * time.Second, work: work}
		began := time.Now()
		arrivals := d.run(context.Background(), began, func(dropCause, int64) {})
		if took := time.Since(began); arrivals != 75 || took != 2*time.Second {
			t.Errorf("%d arrivals in %s, want 75 in 2s", arrivals, took)
		}
	})
}

// TestTargetRate: the rate the load asked for, averaged over the run, also
// when the run ended early, and over the runs of a merge.
func TestTargetRate(t *testing.T) {
	began := time.Now()
	ramp := Load{Open: true, Rate: 50, Stages: []Stage{{time.Second, 50}, {time.Second, 0}}}
	steady := Load{Open: true, Rate: 100, Duration: 2 * time.Second}
	run := func(from time.Duration) Part {
		return Part{Started: began.Add(from), Ended: began.Add(from + 2010*time.Millisecond)}
	}
	shardOf := func(p Part, index int) Part {
		p.Shard = Shard{index, 2}
		return p
	}
	for _, tc := range []struct {
		name  string
		load  Load
		ran   time.Duration
		parts []Part
		want  float64
	}{
		{"constant rate, bounded by iterations", Load{Open: true, Rate: 1000, Iterations: 50}, 49 * time.Millisecond, nil, 1000},
		{"stages, ran their length and a little more", ramp, 2010 * time.Millisecond, nil, 37.5},
		{"stages, interrupted in the first", ramp, time.Second, nil, 50},
		{"closed model", Load{Concurrency: 2, Iterations: 5}, time.Second, nil, 0},
		{"two runs at once, merged", steady, 2010 * time.Millisecond, []Part{run(0), run(0)}, 200},
		{"two runs apart, merged", steady, time.Minute + 2010*time.Millisecond, []Part{run(0), run(time.Minute)}, 100},
		{"a shard of two", Load{Open: true, Rate: 100, Duration: 2 * time.Second, Shard: Shard{1, 2}}, 2010 * time.Millisecond, nil, 50},
		{"two shards, merged", steady, 2010 * time.Millisecond, []Part{shardOf(run(0), 0), shardOf(run(0), 1)}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{Load: tc.load, Started: began, Ended: began.Add(tc.ran), Parts: tc.parts}
			if got := r.TargetRate(); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("target rate %g, want %g", got, tc.want)
			}
		})
	}
}

// TestIterationRateOverSchedule: the open model's achieved iterations, and
// its target, are over the schedule, which ends when the arrival after
// the last counted was due, not at the last answer: 10 arrivals a second,
// all started, against a target whose last answer came at 2.9 s, achieved
// 10 a second whether the length or -n ended them; interrupted after 29
// arrivals, 10 over their 2.9 s; a run of 1 ms, its one arrival over its
// slot of 100 ms; a shard of two, 5 of its 5 arrivals a second. The closed
// model's are over the whole run.
func TestIterationRateOverSchedule(t *testing.T) {
	began := time.Now()
	for _, tc := range []struct {
		name                 string
		load                 Load
		arrivals, iterations int64
		want                 float64
	}{
		{"for 1s", Load{Open: true, Rate: 10, Duration: time.Second}, 10, 10, 10},
		{"-n 10", Load{Open: true, Rate: 10, Iterations: 10}, 10, 10, 10},
		{"interrupted", Load{Open: true, Rate: 10, Duration: time.Minute}, 29, 29, 10},
		{"for 1ms", Load{Open: true, Rate: 10, Duration: time.Millisecond}, 1, 1, 10},
		{"shard 1/2", Load{Open: true, Rate: 10, Duration: time.Second, Shard: Shard{1, 2}}, 5, 5, 5},
		{"half dropped", Load{Open: true, Rate: 10, Duration: time.Second}, 10, 5, 5},
		{"closed", Load{Concurrency: 2, Duration: time.Second}, 0, 10, 10 / 2.9},
	} {
		r := &Result{Load: tc.load, Started: began, Ended: began.Add(2900 * time.Millisecond), Arrivals: tc.arrivals, Iterations: tc.iterations}
		if got := r.IterationRate(); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: %g iterations/s, want %g", tc.name, got, tc.want)
		}
		if target := r.TargetRate(); tc.load.Open && math.Abs(target-tc.load.Rate*tc.load.Shard.fraction()) > 1e-9 {
			t.Errorf("%s: target %g/s, want %g", tc.name, target, tc.load.Rate*tc.load.Shard.fraction())
		}
	}
}

// TestDecimal: numbers in messages and stage strings read as typed, with
// an exponent only where it is shorter.
func TestDecimal(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 0.5: "0.5", 10_000_001: "10000001", 1e20: "100000000000000000000",
		1e21: "1e+21", 0.000001: "0.000001", 1e-30: "1e-30", -2.5: "-2.5"} {
		if got := decimal(x); got != want {
			t.Errorf("decimal(%g) = %q, want %q", x, got, want)
		}
	}
}

func TestParseStages(t *testing.T) {
	st, err := ParseStages("30s:100, 1m:100,30s:0")
	if err != nil || len(st) != 3 || st[1] != (Stage{time.Minute, 100}) || st[2].Target != 0 {
		t.Errorf("ParseStages = %v, %v", st, err)
	}
	for _, bad := range []string{"", "30s", "30s:", ":5", "0s:5", "-1s:5", "10s:-1", "10s:x", "10s:NaN", "10s:5,", "10x:5"} {
		if _, err := ParseStages(bad); err == nil {
			t.Errorf("ParseStages(%q) accepted", bad)
		}
	}
}

func FuzzParseStages(f *testing.F) {
	for _, s := range []string{"30s:100,1m:100,30s:0", "1s:0", "1h:1e9", "5ms:0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		stages, err := ParseStages(s)
		if err != nil {
			return
		}
		p := profile{stages: stages}
		if p.length() <= 0 {
			t.Fatalf("stages %v have no length", stages)
		}
		for k := range int64(50) {
			at, ok := p.arrivalTime(k)
			if !ok {
				break
			}
			if at < 0 || math.IsNaN(at.Seconds()) {
				t.Fatalf("arrival %d of %v at %s", k, stages, at)
			}
		}
	})
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"100": 100, "100/s": 100, "600/m": 10, "0.5": 0.5, "0": 0} {
		if got, err := ParseRate(in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "fast", "-1", "10/h", "10/", "Inf", "NaN/s", "1e400"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"100", "100/s", "600/m", "1e9/m", "/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseRate(s); err == nil && (r < 0 || math.IsNaN(r) || math.IsInf(r, 0)) {
			t.Fatalf("ParseRate(%q) = %v", s, r)
		}
	})
}

// TestDroppedArrivalsCountedAtOnce: a dispatcher that finds the run over
// at its first arrival (a rate of a billion a second on a machine that
// cannot keep up) counts the two billion arrivals due in its two seconds at
// once; walking them one by one took half a minute and ignored Ctrl-C.
func TestDroppedArrivalsCountedAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := dispatcher{profile: profile{start: 1e9}, maxWorkers: 1, length: 2 * time.Second,
			wait: func(context.Context, time.Time) bool { return false },
			work: func(int, arrival, *handOff) { t.Error("an arrival was sent") },
		}
		began := time.Now().Add(-3 * time.Second) // the run is past its length when the dispatcher looks
		var dropped int64
		if arrivals := d.run(context.Background(), began, func(c dropCause, n int64) {
			if c != dropBehind {
				t.Errorf("%d arrivals dropped for want of a worker", n)
			}
			dropped += n
		}); arrivals != 2e9 || dropped != 2e9 {
			t.Errorf("%d arrivals, %d dropped; want 2e9 of each", arrivals, dropped)
		}
	})
}

// TestArrivalsBefore: the count of arrivals before a time agrees with
// arrivalTime, on constant rates and ramps, at arrival times and between.
func TestArrivalsBefore(t *testing.T) {
	for _, p := range []profile{
		{start: 100},
		{start: 0.5},
		{start: 0, stages: []Stage{{3 * time.Second, 70}, {time.Second, 70}, {2 * time.Second, 0}}},
		{start: 1e6, stages: []Stage{{time.Second, 3e6}}},
	} {
		for k := int64(0); k < 200; k += 7 {
			at, ok := p.arrivalTime(k)
			if !ok {
				break
			}
			if got := p.arrivalsBefore(at); got != k {
				t.Errorf("%+v: arrivalsBefore(arrivalTime(%d) = %s) = %d", p, k, at, got)
			}
			if got := p.arrivalsBefore(at + 1); got != k+1 {
				t.Errorf("%+v: arrivalsBefore(arrivalTime(%d) + 1ns) = %d", p, k, got)
			}
		}
	}
}

// TestTinyRateEnds: a rate so low that its second arrival would be due in
// centuries has no second arrival: a run of it lasts its length and no more.
func TestTinyRateEnds(t *testing.T) {
	if _, ok := (profile{start: 1e-10}).arrivalTime(1); ok {
		t.Errorf("an arrival due in %v years", 1e10/3.15e7)
	}
	synctest.Test(t, func(t *testing.T) {
		d := dispatcher{wait: timerWait, profile: profile{start: 1e-10}, maxWorkers: 1, length: time.Second,
			work: func(_ int, first arrival, h *handOff) {
				for _, ok := first, true; ok; _, ok = h.next() {
				}
			},
		}
		began := time.Now()
		if arrivals := d.run(context.Background(), began, func(dropCause, int64) {}); arrivals != 1 || time.Since(began) != time.Second {
			t.Errorf("%d arrivals in %s, want 1 in 1s", arrivals, time.Since(began))
		}
	})
}

// TestDispatcherSendsLastArrivalAfterLength: the dispatcher reaches the
// last arrival (due at 990 ms, 5 µs before the length's end) 10 µs late,
// past the end; it is still handed to a worker, not dropped: only an
// interrupt drops what was due, and the dispatcher waits on the run's
// context, not on the length's deadline.
func TestDispatcherSendsLastArrivalAfterLength(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served atomic.Int64
		d := dispatcher{profile: profile{start: 100}, maxWorkers: 10, length: 990*time.Millisecond + 5*time.Microsecond,
			wait: lateWait(stallOnce(&served, 99, 10*time.Microsecond)),
			work: countingWorker(&served, 0),
		}
		arrivals, dropped := runDispatcher(context.Background(), d)
		if arrivals != 100 || dropped != [numDropCauses]int64{} || served.Load() != 100 {
			t.Errorf("arrivals %d, dropped %v (no worker, behind), served %d; want 100, none, 100", arrivals, dropped, served.Load())
		}
	})
}

// TestDispatcherSendsLoneLateArrival: at 50 arrivals a second (one every
// 20 ms), a dispatcher that stalls 15 ms once reaches one arrival past
// BehindBound with no other due yet: no burst, so it is sent and its
// lateness recorded, not dropped.
func TestDispatcherSendsLoneLateArrival(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served atomic.Int64
		lateness := NewLatencyHistogram()
		d := dispatcher{profile: profile{start: 50}, maxWorkers: 10, length: time.Second, lateness: lateness,
			wait: lateWait(stallOnce(&served, 25, 15*time.Millisecond)),
			work: countingWorker(&served, 0),
		}
		arrivals, dropped := runDispatcher(context.Background(), d)
		if arrivals != 50 || dropped != [numDropCauses]int64{} || served.Load() != 50 {
			t.Errorf("arrivals %d, dropped %v (no worker, behind), served %d; want 50, none, 50", arrivals, dropped, served.Load())
		}
		if got := Micros(lateness.Max()); got < 15*time.Millisecond || got > 16*time.Millisecond || lateness.TotalCount() != 50 {
			t.Errorf("lateness max %s over %d arrivals; want 15 ms over 50", got, lateness.TotalCount())
		}
	})
}

// TestDispatcherAtCapDropsNoWorker: 100 arrivals a second of 300 ms each
// need 30 workers; with a cap of 20 and a dispatcher 2 ms late (past
// LateBound), the arrivals that find the full pool busy are the target's
// (no worker), not the generator's: the pool could not grow anyway.
func TestDispatcherAtCapDropsNoWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var served atomic.Int64
		lateOnceFull := func() time.Duration {
			if served.Load() >= 20 {
				return 2 * time.Millisecond
			}
			return 0
		}
		d := dispatcher{profile: profile{start: 100}, maxWorkers: 20, length: time.Second,
			wait: lateWait(lateOnceFull), work: countingWorker(&served, 300*time.Millisecond),
		}
		arrivals, dropped := runDispatcher(context.Background(), d)
		if arrivals != 100 || dropped[dropBehind] != 0 || dropped[dropNoWorker] == 0 || served.Load()+dropped[dropNoWorker] != 100 {
			t.Errorf("arrivals %d, served %d, dropped %v (no worker, behind); want 100 = served + dropped for want of a worker, none behind", arrivals, served.Load(), dropped)
		}
	})
}

// TestDispatcherWaitsForAWorkerOnItsWay: a worker that has finished its
// iteration (8 ms, of the 10 between two arrivals) but is not yet back on
// the channel when the next arrival is due (it takes 3 ms of fake time to
// get there, as a goroutine on a busy machine may) is free: the arrival
// waits for it rather than start a second worker.
func TestDispatcherWaitsForAWorkerOnItsWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var workers, served atomic.Int64
		d := dispatcher{wait: timerWait, profile: profile{start: 100}, maxWorkers: 10, iterations: 2,
			work: func(_ int, first arrival, h *handOff) {
				workers.Add(1)
				for ok := true; ok; _, ok = <-h.more {
					served.Add(1)
					time.Sleep(8 * time.Millisecond)
					h.free.Add(1) // finished: free, on its way back
					time.Sleep(3 * time.Millisecond)
				}
			},
		}
		var dropped int64
		arrivals := d.run(context.Background(), time.Now(), func(_ dropCause, n int64) { dropped += n })
		if arrivals != 2 || dropped != 0 || served.Load() != 2 || workers.Load() != 1 {
			t.Errorf("arrivals %d, dropped %d, served %d by %d workers; want 2, 0, 2 by 1", arrivals, dropped, served.Load(), workers.Load())
		}
	})
}
