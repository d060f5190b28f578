package runner

import (
	"errors"
	"net"
	"time"
)

// backoffSchedule is a wait that grows with each failure in a row: first
// after the first, twice as long after each further one, up to most. It
// serves after failed connection attempts (connectBackoff) and before
// retries that no Retry-After paces (retryWait).
type backoffSchedule struct {
	first, most time.Duration
}

// wait returns the wait after failure n+1 in a row (n = 0 for the first):
// first·2^n, at most most.
func (s backoffSchedule) wait(n int) time.Duration {
	wait := s.first
	for ; n > 0 && wait < s.most; n-- {
		if wait > s.most/2 {
			return s.most // and no overflow
		}
		wait *= 2
	}
	return min(wait, s.most)
}

// jittered returns a wait drawn evenly from [d/2, d]; random(n) must return
// a number in [0, n), as math/rand/v2's Int64N does. Clients that failed
// together then wait apart, and their waits still grow with d.
func jittered(d time.Duration, random func(int64) int64) time.Duration {
	half := d / 2
	return d - half + time.Duration(random(int64(half)+1))
}

// connectBackoff is every run's schedule after failed connection attempts; a
// variable so that tests can stretch it. A failed attempt never reached the
// server, so trying again at once would only measure how fast loadgate
// fails: against a dead target, workers would spin, and the counts and the
// rate would describe loadgate, not the target.
var connectBackoff = backoffSchedule{first: 10 * time.Millisecond, most: time.Second}

// backoff is a worker's place in connectBackoff.
type backoff struct {
	failures int // failed connection attempts in a row
}

// failed returns the wait after a failed attempt, and counts it.
func (b *backoff) failed(s backoffSchedule) time.Duration {
	wait := s.wait(b.failures)
	b.failures++
	return wait
}

// connected starts the schedule over: an attempt reached the server.
func (b *backoff) connected() { b.failures = 0 }

// failedToConnect reports whether a request that failed with err failed to
// connect: its dial failed (refused, a host name that did not resolve, a
// timeout), or, over net/http, it failed before it had a connection (the
// TLS handshake). Such a request never reached the server.
func failedToConnect(err error) bool {
	var op *net.OpError
	var connect connectError
	return errors.As(err, &connect) || errors.As(err, &op) && op.Op == "dial"
}
