package runner

import (
	"sync/atomic"
	"time"
)

// handOff passes the open model's arrivals from the dispatcher to its
// workers. It counts the workers that are free: those waiting on the
// channel, and those that have finished an iteration and are on their way
// back to it (a goroutine not yet scheduled again), so that an arrival
// goes to one of those rather than to a new worker, and a new connection,
// only because none was parked on the channel at that instant.
type handOff struct {
	more  chan arrival
	free  atomic.Int64 // workers in next not yet handed an arrival
	timer *time.Timer  // giveBy's, made on its first wait; the dispatcher's only
}

func newHandOff() *handOff { return &handOff{more: make(chan arrival)} }

// next marks the calling worker free and waits for its next arrival; false
// once the dispatcher has no more. Workers call it and nothing else to
// take an arrival.
func (h *handOff) next() (arrival, bool) {
	h.free.Add(1)
	a, ok := <-h.more
	return a, ok
}

// give hands a to a free worker and reports whether there was one. When
// none is parked on the channel but one is on its way back to it, give
// waits for that one: no longer than it takes to be scheduled, shorter
// than starting a worker and dialling its connection.
func (h *handOff) give(a arrival) bool {
	select {
	case h.more <- a:
	default:
		if h.free.Load() == 0 {
			return false
		}
		h.more <- a
	}
	h.free.Add(-1)
	return true
}

// giveBy hands a to the first worker free before deadline, waiting for one,
// and reports whether one was.
func (h *handOff) giveBy(a arrival, deadline time.Time) bool {
	if h.give(a) {
		return true
	}
	if h.timer == nil {
		h.timer = time.NewTimer(time.Until(deadline))
	} else {
		h.timer.Reset(time.Until(deadline))
	}
	defer h.timer.Stop()
	select {
	case h.more <- a:
		h.free.Add(-1)
		return true
	case <-h.timer.C:
		return false
	}
}

// close tells the workers there are no more arrivals.
func (h *handOff) close() { close(h.more) }
