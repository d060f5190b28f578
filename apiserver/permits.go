package apiserver

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// permits is the optional login semaphore: a buffered channel with one slot
// per login allowed to run at once. Safe for concurrent use.
type permits chan struct{}

func newPermits(n int) permits { return make(permits, n) }

// acquire takes a permit, waiting at most wait; it reports whether it got one.
// A caller that got one must call release. waits counts the calls that found
// no permit free at once.
func (p permits) acquire(ctx context.Context, wait time.Duration, waits prometheus.Counter) bool {
	select {
	case p <- struct{}{}:
		return true
	default:
	}
	waits.Inc()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case p <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (p permits) release() { <-p }
