package runner

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// rampTick is how often the closed model adjusts its worker count to the
// stages. It is a variable so that a test can show that a run bounded by
// iterations does not wait for the next tick.
var rampTick = 100 * time.Millisecond

// runClosed runs the closed model: workers running iterations back to back,
// as many at each moment as the load's profile says (Concurrency throughout
// without stages), or the shard's share of them. A worker the profile no
// longer wants finishes its iteration and retires.
func (e *engine) runClosed(stop context.Context, started time.Time) {
	var g errgroup.Group // lifetimes only: a worker never fails
	defer g.Wait()
	profile := e.plan.Load.profile()
	var retire []chan struct{}     // per running worker, by id
	claimed := make(chan struct{}) // closed once the iterations are all claimed
	var claimedOnce sync.Once
	allClaimed := func() { claimedOnce.Do(func() { close(claimed) }) }
	ticker := time.NewTicker(rampTick)
	defer ticker.Stop()
	for e.moreIterations(e.next.Load()) {
		want := int(e.plan.Load.Shard.Share(int64(math.Round(profile.at(time.Since(started))))))
		for len(retire) < want && stop.Err() == nil {
			retired := make(chan struct{})
			w := e.newWorker(len(retire))
			retire = append(retire, retired)
			g.Go(func() error {
				defer w.close()
				w.loop(stop, retired, allClaimed)
				return nil
			})
		}
		for len(retire) > want {
			close(retire[len(retire)-1])
			retire = retire[:len(retire)-1]
		}
		select {
		case <-stop.Done():
			return
		case <-claimed: // the loop's condition ends it, without waiting for a tick
		case <-ticker.C:
		}
	}
}

// loop runs iterations until stop ends, retired is closed, or the plan's
// iterations are used up; then it calls allClaimed.
func (w *worker) loop(stop context.Context, retired <-chan struct{}, allClaimed func()) {
	e := w.engine
	for stop.Err() == nil && !isClosed(retired) {
		seq := e.next.Add(1) - 1
		if !e.moreIterations(seq) {
			allClaimed()
			return
		}
		w.iterate(stop, stop, Iteration{Seq: e.plan.Load.Shard.global(seq), Worker: w.id}, time.Time{})
		if !e.moreIterations(e.next.Load()) {
			allClaimed()
			return
		}
		if pause := e.plan.Load.Pause; pause > 0 && !sleep(stop, pause, retired) {
			return
		}
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
