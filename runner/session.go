package runner

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Session is a plan's per-user session: steps that log a user in once,
// before the load, and extract values (a token, a user id) that every
// iteration of that user reads as Iteration.Session. A session is renewed
// (its steps run again for that user) when an iteration's step is answered
// with a status of RenewOn, or when it is older than Lifetime.
type Session struct {
	// Users is how many users there are; User returns the user of the
	// iteration with sequence number seq, from 0 to Users-1.
	Users int
	User  func(seq int64) int
	// Steps open a user's session, in order. They run with an Iteration
	// whose User is the user, Seq -1, and Vars the session's variables
	// (Vars of them), which their Extract set. Their Skip is not used.
	Steps []Step
	Vars  int
	// RenewOn lists the statuses that renew the session of the iteration
	// that met them; the step is then sent again, once, with the new
	// session. Lifetime, when positive, renews a session that old when an
	// iteration takes it.
	RenewOn  []int
	Lifetime time.Duration
	// Measured records the session steps' requests, as endpoints of their
	// own (Result.Session.Endpoints); otherwise only their count is kept.
	Measured bool
	// Now, when not nil, replaces time.Now for Lifetime.
	Now func() time.Time
}

// validate reports a session that cannot run.
func (s *Session) validate() error {
	switch {
	case s.Users <= 0 || s.User == nil:
		return fmt.Errorf("a session needs users")
	case len(s.Steps) == 0:
		return fmt.Errorf("a session needs steps")
	case s.Vars < 0 || s.Lifetime < 0:
		return fmt.Errorf("a session's variables and lifetime cannot be negative")
	}
	return nil
}

// SessionReport is what the sessions of a run did.
type SessionReport struct {
	Users int
	// Opened counts the sessions opened before the load; Failed the
	// openings and renewals whose steps did not all succeed.
	Opened, Failed int64
	// RenewedOnStatus counts the renewals an answer with a RenewOn status
	// caused, RenewedOnLifetime those a session's age caused.
	RenewedOnStatus, RenewedOnLifetime int64
	// Expired counts the answers with a RenewOn status that renewed their
	// iteration's session (or found it renewed by another): they are not
	// in the endpoints' counts, as they are no error of the target, only
	// here. Their step was sent again with the new session, unless the
	// renewal failed (then counted in Failed).
	Expired int64
	// Measured says the session steps' requests were recorded, in
	// Endpoints (by step name, in order); nil otherwise.
	Measured  bool
	Endpoints []*EndpointStats
}

// SessionError is a session that could not be opened before the load: the
// user's index, the session step that was not ok, its class and failure
// message (for an answer, its status and the start of its body).
type SessionError struct {
	User    int
	Step    string
	Class   string
	Status  int // 0: no answer
	Message string
}

func (e *SessionError) Error() string {
	return fmt.Sprintf("session of user %d failed: step %s: %s: %s", e.User, e.Step, e.Class, e.Message)
}

// renewCause says why a session is made.
type renewCause uint8

const (
	causeOpen renewCause = iota
	causeStatus
	causeLifetime
)

// sessionState is one session of a user: immutable once made, so that the
// iterations holding it read it without a lock while another replaces it.
type sessionState struct {
	vars []string
	made time.Time
}

// sessionSlot is a user's session.
type sessionSlot struct {
	lock  chan struct{} // a token: held while the session is made
	state atomic.Pointer[sessionState]
}

// sessions are a run's sessions, one per user.
type sessions struct {
	plan    *Session
	first   int // the engine's index of the first session step
	renewOn statusSet
	slots   []sessionSlot
	names   []string // the session endpoints
	ends    []int    // per session step, its endpoint

	opened, failed, onStatus, onLifetime, expired atomic.Int64

	mu        sync.Mutex       // guards endpoints
	endpoints []*EndpointStats // nil when not measured
}

func newSessions(s *Session, first int) *sessions {
	ss := &sessions{plan: s, first: first, slots: make([]sessionSlot, s.Users)}
	for _, status := range s.RenewOn {
		ss.renewOn.add(status)
	}
	for i := range ss.slots {
		ss.slots[i].lock = make(chan struct{}, 1)
	}
	ss.names, ss.ends = endpointsOf(s.Steps)
	if s.Measured {
		for _, name := range ss.names {
			ss.endpoints = append(ss.endpoints, NewEndpointStats(name))
		}
	}
	return ss
}

func (ss *sessions) now() time.Time {
	if ss.plan.Now != nil {
		return ss.plan.Now()
	}
	return time.Now()
}

// record adds a session step's sample, when sessions are measured.
func (ss *sessions) record(step int, x Sample) {
	if ss.endpoints == nil {
		return
	}
	ss.mu.Lock()
	ss.endpoints[ss.ends[step]].Record(x)
	ss.mu.Unlock()
}

// renews reports whether an answer with status renews the session.
func (ss *sessions) renews(status int) bool {
	return status > 0 && status < maxStatus && ss.renewOn.has(status)
}

// get returns user's session for an iteration, renewing it first when it
// is older than the lifetime (or was never made): nil when that failed or
// stop ended.
func (ss *sessions) get(stop context.Context, w *worker, user int) *sessionState {
	s := ss.slots[user].state.Load()
	if s != nil && (ss.plan.Lifetime <= 0 || ss.now().Sub(s.made) < ss.plan.Lifetime) {
		return s
	}
	return ss.renew(stop, w, user, s, causeLifetime)
}

// renew makes user's session anew, unless another worker has done so
// since old was read: then it returns that one. One worker at a time makes
// a user's session; the others wait for it (until stop ends). It returns
// nil when the session steps failed or stop ended.
func (ss *sessions) renew(stop context.Context, w *worker, user int, old *sessionState, cause renewCause) *sessionState {
	slot := &ss.slots[user]
	select {
	case slot.lock <- struct{}{}:
	case <-stop.Done():
		return nil
	}
	defer func() { <-slot.lock }()
	if cur := slot.state.Load(); cur != old && cur != nil {
		return cur
	}
	made := ss.now()
	if err := w.openSession(stop, user); err != nil {
		slot.state.Store(nil)
		if stop.Err() == nil {
			ss.failed.Add(1)
		}
		return nil
	}
	s := &sessionState{vars: w.sessionVars, made: made}
	w.sessionVars = nil // the state owns them now
	slot.state.Store(s)
	switch cause {
	case causeOpen:
		ss.opened.Add(1)
	case causeStatus:
		ss.onStatus.Add(1)
	case causeLifetime:
		if old == nil {
			ss.opened.Add(1)
		} else {
			ss.onLifetime.Add(1)
		}
	}
	return s
}

// openSession runs the session steps for user into w.sessionVars, a new
// slice; the error names the step that failed.
func (w *worker) openSession(stop context.Context, user int) error {
	ss := w.engine.sessions
	w.sessionVars = make([]string, ss.plan.Vars)
	it := Iteration{Seq: -1, Worker: w.id, User: user, Vars: w.sessionVars}
	for j := range ss.plan.Steps {
		if stop.Err() != nil {
			return stop.Err()
		}
		if class := w.runStep(stop, ss.first+j, it, time.Time{}); class != ClassOK {
			return &SessionError{User: user, Step: ss.plan.Steps[j].Name, Class: w.engine.plan.Classifier.Names()[class],
				Status: w.status, Message: string(w.message)}
		}
	}
	return nil
}

// openAll opens every user's session before the load, a few users at a
// time, and returns the first failure; it stops when ctx ends.
func (ss *sessions) openAll(ctx context.Context, e *engine) error {
	n := min(ss.plan.Users, max(e.plan.Load.WorkerLimit(), 1), maxSessionOpeners)
	var next atomic.Int64
	errs := make(chan error, n)
	for id := range n {
		w := e.worker(id)
		go func() {
			defer w.exchange.close()
			for ctx.Err() == nil {
				user := int(next.Add(1) - 1)
				if user >= ss.plan.Users {
					break
				}
				made := ss.now()
				if err := w.openSession(ctx, user); err != nil {
					if ctx.Err() == nil {
						ss.failed.Add(1)
					}
					errs <- err
					return
				}
				ss.slots[user].state.Store(&sessionState{vars: w.sessionVars, made: made})
				w.sessionVars = nil
				ss.opened.Add(1)
			}
			errs <- nil
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil && ctx.Err() == nil {
			first = err
			next.Store(int64(ss.plan.Users)) // the others stop after their user
		}
	}
	return first
}

// maxSessionOpeners bounds the users whose sessions open at once before
// the load.
const maxSessionOpeners = 16

// report is what the sessions did.
func (ss *sessions) report() *SessionReport {
	if ss == nil {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return &SessionReport{Users: ss.plan.Users, Opened: ss.opened.Load(), Failed: ss.failed.Load(),
		RenewedOnStatus: ss.onStatus.Load(), RenewedOnLifetime: ss.onLifetime.Load(), Expired: ss.expired.Load(),
		Measured: ss.plan.Measured, Endpoints: ss.endpoints}
}

// mergeSessions adds up the session reports of merged results, their
// endpoints by name: nil when none has one.
func mergeSessions(results []*Result) (*SessionReport, error) {
	var out *SessionReport
	for _, r := range results {
		s := r.Session
		if s == nil {
			continue
		}
		if out == nil {
			out = &SessionReport{}
		}
		out.Users += s.Users
		out.Opened += s.Opened
		out.Failed += s.Failed
		out.RenewedOnStatus += s.RenewedOnStatus
		out.RenewedOnLifetime += s.RenewedOnLifetime
		out.Expired += s.Expired
		out.Measured = out.Measured || s.Measured
		for _, e := range s.Endpoints {
			i := slices.IndexFunc(out.Endpoints, func(o *EndpointStats) bool { return o.Name == e.Name })
			if i < 0 {
				out.Endpoints = append(out.Endpoints, NewEndpointStats(e.Name))
				i = len(out.Endpoints) - 1
			}
			if err := out.Endpoints[i].Merge(e); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
