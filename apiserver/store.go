package apiserver

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// errLockTimeout means the storage lock could not be had within the lock
// timeout; handlers answer it with the lock-timeout 503.
var errLockTimeout = errors.New("storage lock timeout")

// user is one registered account. Values are copied out of the store, never
// shared with it.
type user struct {
	ID            string
	Username      string
	Email         string
	PasswordHash  []byte
	WorkspaceID   string
	WorkspaceName string
	CreatedAt     time.Time
}

// tables is the storage itself. It is only ever touched inside store.with.
type tables struct {
	byUsername map[string]user
	byEmailKey map[string]string // emailKey(email) -> username
	byID       map[string]string // user ID -> username
}

// emailKey is the form in which e-mail addresses are compared for uniqueness.
func emailKey(email string) string { return strings.ToLower(email) }

func (t *tables) insert(u user) {
	t.byUsername[u.Username] = u
	t.byEmailKey[emailKey(u.Email)] = u.Username
	t.byID[u.ID] = u.Username
}

func (t *tables) userByID(id string) (user, bool) {
	u, ok := t.byUsername[t.byID[id]]
	return u, ok
}

// store is the in-memory storage behind one mutex. The mutex is reachable
// only through with, which behaves like the seed service's lock helper: try
// the lock, sleep a spin interval, try again, and give up after the timeout.
// A store is safe for concurrent use.
type store struct {
	mu    sync.Mutex
	data  tables
	delay time.Duration // StorageDelay, slept inside the lock on every operation
	wait  time.Duration // LockTimeout
	spin  time.Duration // LockSpin
	stats lockStats     // guarded by mu, except timeouts
	seen  lockObserver
}

// lockObserver is told of every storage operation: once it had the lock,
// or once it gave up waiting.
type lockObserver interface {
	locked(op string, wait, hold time.Duration)
	lockTimedOut(op string)
}

func newStore(cfg Config, seen lockObserver) *store {
	return &store{
		data: tables{
			byUsername: map[string]user{},
			byEmailKey: map[string]string{},
			byID:       map[string]string{},
		},
		delay: cfg.StorageDelay,
		wait:  cfg.LockTimeout,
		spin:  cfg.LockSpin,
		stats: newLockStats(),
		seen:  seen,
	}
}

// The storage operations, as the lock statistics and the metrics name
// them.
const (
	opRegister = "register"
	opLogin    = "login"
	opProfile  = "profile"
)

// with runs fn holding the storage lock. It returns errLockTimeout when the
// lock could not be had within the lock timeout, ctx.Err() when ctx ended
// first, and otherwise whatever fn returns. The time spent waiting for and
// holding the lock is recorded per operation and passed to the observer.
func (s *store) with(ctx context.Context, op string, fn func(*tables) error) error {
	start := time.Now()
	deadline := start.Add(s.wait)
	for !s.mu.TryLock() {
		left := time.Until(deadline)
		if left <= 0 {
			s.stats.timeouts.Add(1)
			s.seen.lockTimedOut(op)
			return errLockTimeout
		}
		t := time.NewTimer(min(s.spin, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	acquired := time.Now()
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	err := fn(&s.data)
	wait, hold := acquired.Sub(start), time.Since(acquired)
	s.stats.record(wait, hold)
	s.mu.Unlock()
	s.seen.locked(op, wait, hold)
	return err
}

// LockStats summarises the storage lock since the server started.
// Durations are read off HdrHistograms with 3 significant digits.
type LockStats struct {
	Operations uint64        // operations that got the lock
	Timeouts   uint64        // operations that gave up after the lock timeout
	WaitP50    time.Duration // time spent waiting for the lock
	WaitP99    time.Duration
	WaitMax    time.Duration
	HoldP50    time.Duration // time spent holding the lock
	HoldP99    time.Duration
	HoldMax    time.Duration
}

// lockStats records wait and hold times in nanoseconds. The histograms are
// guarded by the storage mutex (recording happens while it is held); the
// timeout counter is atomic because a timed-out operation never holds it.
type lockStats struct {
	wait, hold *hdrhistogram.Histogram
	timeouts   atomic.Uint64
}

const maxRecordedLockTime = time.Minute

func newLockStats() lockStats {
	return lockStats{
		wait: hdrhistogram.New(1, int64(maxRecordedLockTime), 3),
		hold: hdrhistogram.New(1, int64(maxRecordedLockTime), 3),
	}
}

func (l *lockStats) record(wait, hold time.Duration) {
	l.wait.RecordValue(int64(min(max(wait, 1), maxRecordedLockTime)))
	l.hold.RecordValue(int64(min(max(hold, 1), maxRecordedLockTime)))
}

// lockStats returns a summary of the lock statistics. It takes the mutex
// directly (not through with) because it reads statistics, not storage, and
// must not count itself as an operation.
func (s *store) lockStats() LockStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := func(h *hdrhistogram.Histogram, q float64) time.Duration {
		return time.Duration(h.ValueAtQuantile(q))
	}
	return LockStats{
		Operations: uint64(s.stats.hold.TotalCount()),
		Timeouts:   s.stats.timeouts.Load(),
		WaitP50:    at(s.stats.wait, 50),
		WaitP99:    at(s.stats.wait, 99),
		WaitMax:    time.Duration(s.stats.wait.Max()),
		HoldP50:    at(s.stats.hold, 50),
		HoldP99:    at(s.stats.hold, 99),
		HoldMax:    time.Duration(s.stats.hold.Max()),
	}
}
