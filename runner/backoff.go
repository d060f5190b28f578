package runner

import (
	"errors"
	"net"
	"time"
)

// backoffSchedule is how long a worker waits after a connection attempt
// fails: first after the first failure, twice as long after each further
// one, up to most. A failed attempt never reached the server, so trying
// again at once would only measure how fast loadgate fails: against a dead
// target, workers would spin, and the counts and the rate would describe
// loadgate, not the target.
type backoffSchedule struct {
	first, most time.Duration
}

// connectBackoff is every run's schedule; a variable so that tests can
// stretch it.
var connectBackoff = backoffSchedule{first: 10 * time.Millisecond, most: time.Second}

// backoff is a worker's place in the schedule.
type backoff struct {
	next time.Duration // the wait after the next failure; 0: the first
}

// failed returns the wait after a failed attempt, and doubles the next.
func (b *backoff) failed(s backoffSchedule) time.Duration {
	wait := max(b.next, s.first)
	b.next = min(2*wait, s.most)
	return min(wait, s.most)
}

// connected starts the schedule over: an attempt reached the server.
func (b *backoff) connected() { b.next = 0 }

// failedToConnect reports whether a request that failed with err failed to
// connect: its dial failed (refused, a host name that did not resolve, a
// timeout), or, over net/http, it failed before it had a connection (the
// TLS handshake). Such a request never reached the server.
func failedToConnect(err error) bool {
	var op *net.OpError
	var connect connectError
	return errors.As(err, &connect) || errors.As(err, &op) && op.Op == "dial"
}
