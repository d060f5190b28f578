package runner

import (
	"context"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"golang.org/x/sync/errgroup"
)

// arrival is one scheduled iteration of the open model.
type arrival struct {
	seq      int64
	intended time.Time // when the schedule wants it to start
}

// dispatcher hands the arrivals of a rate profile to workers: to a free one,
// to a new one while there are fewer than maxWorkers, or else drops the
// arrival. It never delays one: the schedule does not wait for the target,
// and arrivals the dispatcher itself reaches more than BehindBound late
// are dropped, not sent in a burst.
//
// The pool starts empty and grows by one worker when an arrival finds no
// worker free (see handOff), so that it follows the target's latency: the
// rate times the latency (Little's law), and a few more for the time a
// worker takes to come back for its next arrival. It grows past
// growFloor only while this machine keeps up: the dispatcher wakes for an
// arrival within LateBound (or, when it has not slept since, comes to
// each within LateBound) and the goroutines wait for a core less than
// LateBound (see cpuWait). Otherwise the busy workers wait on this
// machine's CPU, not on the target, and more of them would only add to the
// load: the arrival waits for a worker until BehindBound past its intended
// time, and is then dropped as the generator's.
type dispatcher struct {
	profile    profile
	maxWorkers int
	shard      Shard         // the arrivals it owns
	iterations int64         // of the whole schedule; 0: no bound
	length     time.Duration // 0: no bound
	// work runs a new worker with its first arrival, then every arrival
	// h.next gives it until there are no more.
	work func(id int, first arrival, h *handOff)
	// wait sleeps until a time and reports false if stop ended first; nil
	// means waitUntil. Tests on a fake clock set it to a timer-only wait.
	wait func(stop context.Context, t time.Time) bool
	// lateness, when not nil, gets how late the dispatcher reached each
	// arrival but those it drops at once for being over BehindBound late,
	// or, for one that waited for a worker, handed it over.
	lateness *hdrhistogram.Histogram
	// cpuShort reports whether this process has lately been short of CPU
	// (see cpuWait.short); nil: never.
	cpuShort func() bool
}

// growFloor is how many workers the pool may grow to however late the
// dispatcher is, and however short of CPU: enough to keep a few cores busy
// against a fast target.
const growFloor = 16

// coarseWake is how early waitUntil hands over from the Go timer to the
// alarm.
const coarseWake = 2 * time.Millisecond

// waitUntil sleeps until t and reports false if stop ended first. A Go timer
// can wake up to a millisecond late when the process is otherwise idle; in
// the open model that lateness would show as latency, so the last stretch
// is slept on a, the alarm's kernel timer.
func waitUntil(stop context.Context, a *alarm, t time.Time) bool {
	if d := time.Until(t); d > coarseWake && !sleep(stop, d-coarseWake, nil) {
		return false
	}
	a.sleep(time.Until(t))
	return stop.Err() == nil
}

// run dispatches arrivals from started until the schedule, its length or
// the iteration bound ends, or interrupt ends (the run's own context: not
// the length's deadline, which the schedule keeps itself), then waits for
// the workers, and returns how many arrivals were due. An arrival due
// before the length is handed to a worker even when the dispatcher reaches
// it just after the length's end. It calls onDrop with the arrivals it
// could not hand to a worker and why: one at a time when none was free (as
// the generator's when, with the pool past its floor, it was late or short
// of CPU and none came free in time, see dispatcher); at once when it
// reached one more than BehindBound late with another due by then, those
// arrivals (a machine too slow for the rate);
// and those due before an interrupt that it never reached, counted from
// the schedule so that the cost does not grow with their number. A
// schedule that runs out of arrivals before its length (stages that ramp
// down to zero) still lasts its length, so that rates are over the time
// the load asked for.
func (d dispatcher) run(interrupt context.Context, started time.Time, onDrop func(cause dropCause, n int64)) (arrivals int64) {
	wait := d.wait
	if wait == nil {
		a := newAlarm()
		defer a.close()
		wait = func(stop context.Context, t time.Time) bool { return waitUntil(stop, a, t) }
	}
	h := newHandOff()
	var g errgroup.Group // lifetimes only
	workers := 0
	// lagging: the dispatcher is behind on this machine's CPU. It woke
	// over LateBound late the last time it slept for an arrival, or has
	// since found one over LateBound late without having waited for a
	// worker (waited) on the way.
	lagging, waited := false, false
	// j counts the shard's own arrivals, k is j's in the whole schedule.
	for j := int64(0); ; j++ {
		k := d.shard.global(j)
		if d.iterations > 0 && k >= d.iterations {
			break
		}
		at, ok := d.profile.arrivalTime(k)
		if !ok || (d.length > 0 && at >= d.length) {
			if d.length > 0 {
				wait(interrupt, started.Add(d.length))
			}
			break
		}
		a := arrival{seq: k, intended: started.Add(at)}
		slept := time.Now().Before(a.intended)
		if !wait(interrupt, a.intended) {
			if late := d.dueBefore(time.Since(started)) - j; late > 0 {
				arrivals += late
				onDrop(dropBehind, late)
			}
			break
		}
		late := time.Since(a.intended)
		switch {
		case slept:
			// Woken late, the dispatcher waited for a core.
			lagging, waited = late > LateBound, false
		case !waited && late > LateBound:
			// It has not slept since it was last on time, nor waited for
			// a worker: it is too slow for the schedule (at a rate too
			// high for it, from the start). An arrival it is late for
			// after a wait for a worker says nothing of the machine: the
			// last verdict stays.
			lagging = true
		}
		if late > BehindBound {
			// This arrival and every other due by now are dropped at once:
			// the dispatcher starts again on time. A single late arrival
			// is no burst: it is sent.
			if behind := d.dueBefore(at+late) - j; behind > 1 {
				arrivals += behind
				onDrop(dropBehind, behind)
				j += behind - 1
				continue
			}
		}
		arrivals++
		// Asked on every arrival, so that its baseline stays fresh.
		cpuShort := d.cpuShort != nil && d.cpuShort()
		if !h.give(a) {
			switch {
			case workers == d.maxWorkers:
				onDrop(dropNoWorker, 1)
			case workers >= growFloor && (lagging || cpuShort):
				// The workers wait on this machine's CPU, not on the
				// target: another would not help, but one of them may
				// soon be free; the arrival is as late as it waits.
				waited = true
				if h.giveBy(a, a.intended.Add(BehindBound)) {
					late = time.Since(a.intended)
				} else {
					onDrop(dropBehind, 1)
				}
			default:
				id := workers
				workers++
				g.Go(func() error {
					d.work(id, a, h)
					return nil
				})
			}
		}
		if d.lateness != nil {
			d.lateness.RecordValue(clampMicros(late))
		}
	}
	h.close()
	g.Wait()
	return arrivals
}

// dueBefore returns how many of the shard's arrivals the schedule has
// before elapsed time t, within the length and the iteration bound.
func (d dispatcher) dueBefore(t time.Duration) int64 {
	if d.length > 0 {
		t = min(t, d.length)
	}
	n := d.profile.arrivalsBefore(t)
	if d.iterations > 0 {
		n = min(n, d.iterations)
	}
	return d.shard.ownedBefore(n)
}

// runOpen runs the open model over the engine's workers. interrupt is the
// run's context; stop ends with it or at the run's length. A worker sends
// the first step of every arrival it receives unless interrupt has ended
// (the arrival was due before the length), and the later steps until stop
// ends.
func (e *engine) runOpen(interrupt, stop context.Context, started time.Time) {
	load := e.plan.Load
	d := dispatcher{
		profile:    load.profile(),
		maxWorkers: load.PoolCap(),
		shard:      load.Shard,
		iterations: load.Iterations,
		length:     load.Length(),
		lateness:   e.lateness,
		cpuShort:   newCPUWait().short,
	}
	drop := func(cause dropCause, n int64) {
		e.dropped[cause].Add(n)
		if e.plan.Progress != nil {
			e.plan.Progress.dropped.Add(n)
		}
	}
	d.work = func(id int, first arrival, h *handOff) {
		w := e.newWorker(id)
		defer w.close()
		for a, ok := first, true; ok; a, ok = h.next() {
			if !w.iterate(interrupt, stop, Iteration{Seq: a.seq, Worker: id}, a.intended) {
				drop(dropBehind, 1) // handed over as the run was interrupted
			}
		}
	}
	e.arrivals.Store(d.run(interrupt, started, drop))
}
