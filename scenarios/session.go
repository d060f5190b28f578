package scenarios

import (
	"slices"
	"time"

	"github.com/loadgate/loadgate/runner"
	"go.yaml.in/yaml/v3"
)

// session is a file's session: steps that log each user in once, before
// the load, whose extracted variables every iteration of that user reads
// as {{session.NAME}}; they run again to renew it (docs/scenarios.md,
// session).
type session struct {
	steps    []step
	vars     int
	renewOn  []int
	lifetime time.Duration
	measured bool
}

var sessionKeys = []string{"steps", "renew", "measure"}

// sessionStepKeys are the keys of a session step: a step's but weight,
// since every session step runs.
var sessionStepKeys = slices.DeleteFunc(slices.Clone(stepKeys), func(k string) bool { return k == "weight" })

// sessionVars are the session's variables while the file is read: by
// "session.NAME", their index, for the scope of the iteration's steps,
// and the keys that extract them, to report those no step uses.
type sessionVars struct {
	index map[string]int
	used  map[int]bool
	keys  []*yaml.Node
}

// session reads the session; retry is the file's policy, which its steps
// take unless they have their own.
func (p *parser) session(n *yaml.Node, retry runner.Retry) *sessionVars {
	f := p.fields(n, "session", sessionKeys...)
	if f == nil {
		return nil
	}
	s := &session{measured: true}
	p.sc.session = s
	if p.sc.users.fields == nil {
		p.at(n, 0, "session: a session belongs to a user, and the scenario has no users (see users:)")
	}
	if v := f["measure"]; v != nil {
		s.measured, _ = p.boolean(v, "session.measure")
	}
	if v := f["renew"]; v != nil {
		p.renew(v, s)
	}
	vars := &sessionVars{index: map[string]int{}, used: map[int]bool{}}
	v := f["steps"]
	if v == nil {
		p.at(n, 0, "session needs steps: the requests that log a user in")
		return vars
	}
	items, ok := p.list(v, "session.steps")
	switch {
	case ok && len(items) == 0:
		p.at(v, 0, "session.steps is empty: give the requests that log a user in")
	case len(items) > maxSteps:
		p.at(v, 0, "%d session steps; at most %d", len(items), maxSteps)
		return vars
	}
	sc := &scope{userFields: p.sc.users.fields, vars: map[string]int{}, later: map[string]bool{}, used: map[int]bool{}, inSession: true}
	p.markLater(items, "session.", sc)
	for _, item := range items {
		st, f := p.step(item, sessionStep, retry, sc, &vars.keys)
		if f == nil {
			continue
		}
		for _, x := range st.extract {
			sc.vars["session."+vars.keys[x.index].Value] = x.index
		}
		s.steps = append(s.steps, st)
	}
	for name, i := range sc.vars {
		vars.index[name] = i
		if sc.used[i] {
			vars.used[i] = true // a later session step uses it
		}
	}
	s.vars = len(vars.keys)
	return vars
}

// renew reads session.renew: the statuses and the age that renew a
// session.
func (p *parser) renew(n *yaml.Node, s *session) {
	f := p.fields(n, "session.renew", "on_status", "after")
	if f == nil {
		return
	}
	if v := f["on_status"]; v != nil {
		s.renewOn = p.notOKStatuses(v, "session.renew.on_status", "an ok answer never renews the session")
		if v := resolve(v); v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			p.at(v, 0, "session.renew.on_status is empty: list the statuses that renew a session, such as [401], or remove the key")
		}
	}
	if v := f["after"]; v != nil {
		if d, ok := p.duration(v, "session.renew.after"); ok && d <= 0 {
			p.at(v, 0, "session.renew.after must be positive: the session's lifetime")
		} else if ok {
			s.lifetime = d
		}
	}
}

// checkRenewOn reports a status of session.renew.on_status that step st
// expects whatever the body: its answer is ok, and never renews the
// session.
func (p *parser) checkRenewOn(st *step, expect *yaml.Node) {
	for _, status := range p.sc.session.renewOn {
		if st.expectsAlways(status) {
			p.at(expect, 0, "step %s: session.renew.on_status %d is also in expect, so it is ok and never renews the session: take it out of one of them", st.name, status)
		}
	}
}

// checkUsed reports the session variables that no step uses.
func (p *parser) checkUsed(vars *sessionVars) {
	for i, k := range vars.keys {
		if !vars.used[i] {
			p.at(k, 0, "session variable %q is extracted but no step uses it", k.Value)
		}
	}
}

// runnerSession builds the runner's session for the users rows; user
// returns an iteration's user, by index.
func (s *session) runnerSession(runID string, rows [][]string, user func(seq int64) int) *runner.Session {
	out := &runner.Session{Users: len(rows), User: user, Vars: s.vars, RenewOn: s.renewOn, Lifetime: s.lifetime, Measured: s.measured}
	row := func(it runner.Iteration) []string { return rows[it.User] }
	for i := range s.steps {
		out.Steps = append(out.Steps, s.steps[i].runnerStep(runID, row, nil, 0))
	}
	return out
}
