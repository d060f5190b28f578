// Package scenarios reads scenarios: what to send, with what load and which
// SLOs. A scenario is a YAML file (docs/scenarios.md); the built-in ones
// are files embedded in the binary.
package scenarios

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// Scenario is a validated scenario file. It is read-only once loaded, so
// one Scenario may build any number of runs.
type Scenario struct {
	Name        string
	Description string // one line, for `loadgate scenarios`
	// Target is the file's target URL; "" when it names none.
	Target string
	// TLS is the file's tls block, its paths made relative to the working
	// directory (or absolute); the zero value when it has none. Its files
	// have been read only with Options.ReadTLSFiles.
	TLS runner.TLSOptions
	// Timeout is the file's request timeout; 0 when it sets none.
	Timeout time.Duration
	// HTTP2 is the file's http2: its requests go over HTTP/2.
	HTTP2 bool
	Load  runner.Load
	SLOs  []slo.SLO // parsed and checked against this scenario
	// Source is the file as written.
	Source []byte

	files      []NamedFile // see Files
	classifier runner.Classifier
	users      users
	session    *session // nil: none
	steps      []step
	vars       int   // extracted variables
	mix        []int // the weighted step each iteration chooses, by Seq mod len
}

// Env is what a scenario needs to know about the run it builds.
type Env struct {
	Target *url.URL
	// Embedded is set when the target is the embedded reference API.
	Embedded bool
	// Username and Password are the credentials the user gave; empty when none.
	Username, Password string
	// RunID is unique to this run (its shards share it); generated names
	// include it.
	RunID string
	// Shard is the part of the load the run takes: it registers, or takes
	// from the CSV file, its share of the users (those whose index is its
	// own modulo the count), so that no two shards share a user.
	Shard runner.Shard
}

// Requests are a scenario's setup requests (unmeasured), its steps and how
// their answers are classified.
type Requests struct {
	Setup []runner.SetupRequest
	// Usernames are the usernames of the users Setup registers, in order.
	Usernames  []string
	Steps      []runner.Step
	Classifier runner.Classifier
	Vars       int
	// Session is the users' session; nil when the scenario has none.
	Session *runner.Session
}

// Build returns the setup requests and steps of a run in env.
func (s *Scenario) Build(env Env) Requests {
	rows, setup := s.users.forRun(env)
	seed := seedOf(env.RunID)
	// The user of iteration seq: of the shard's users, by the iteration's
	// number among the shard's own.
	index := func(seq int64) int { return s.users.pickIndex(len(rows), env.Shard.Local(seq), seed) }
	user := func(it runner.Iteration) []string {
		if len(rows) == 0 {
			return nil
		}
		return rows[index(it.Seq)]
	}
	r := Requests{Setup: setup, Classifier: s.classifier, Vars: s.vars}
	if len(setup) > 0 {
		for _, row := range rows {
			r.Usernames = append(r.Usernames, row[regUsername])
		}
	}
	weighted := 0
	for i := range s.steps {
		st := &s.steps[i]
		r.Steps = append(r.Steps, st.runnerStep(env.RunID, user, s.mix, weighted))
		if st.weighted {
			weighted++
		}
	}
	if s.session != nil {
		r.Session = s.session.runnerSession(env.RunID, rows, index)
	}
	return r
}

// CheckCredentials reports why a --username and --password pair cannot
// stand for the scenario's users.
func (s *Scenario) CheckCredentials() error { return s.users.checkCredentials() }

// Endpoints returns the names of the scenario's steps, without repeats: the
// endpoints its reports show and its SLOs may scope.
func (s *Scenario) Endpoints() []string {
	var names []string
	for _, st := range s.steps {
		if !slices.Contains(names, st.name) {
			names = append(names, st.name)
		}
	}
	return names
}

// Classes returns the names of the scenario's own outcome classes.
func (s *Scenario) Classes() []string {
	var names []string
	for _, r := range s.classifier.Custom {
		names = append(names, r.Name)
	}
	return names
}

// UserShare returns how many users shard takes of the file's: its share
// of those it registers or reads from a CSV file, else all (one fixed
// pair, or none).
func (s *Scenario) UserShare(shard runner.Shard) int64 {
	switch {
	case s.users.reg != nil:
		return shard.Share(int64(s.users.reg.count))
	case s.users.fields != nil && len(s.users.rows) > 1:
		return shard.Share(int64(len(s.users.rows)))
	}
	return int64(len(s.users.rows))
}

// IterationLimit is the most iterations the scenario's users allow: the
// number of users when each iteration takes its own (users.order: unique),
// else 0, no limit.
func (s *Scenario) IterationLimit() int64 {
	if s.users.order != orderUnique {
		return 0
	}
	if s.users.reg != nil {
		return int64(s.users.reg.count)
	}
	return int64(len(s.users.rows))
}

// NewRunID returns a short random identifier for names unique across runs.
func NewRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

//go:embed builtin/*.yaml
var builtinFiles embed.FS

// builtinOrder is the order `loadgate scenarios` lists the built-ins in.
var builtinOrder = []string{"smoke", "stress", "register-storm", "ramp", "ping"}

// The reference API's register path, for a registration that names no request.
const registerPath = "/api/auth/register"

// Builtin returns the built-in scenarios in the order `loadgate scenarios`
// lists them.
func Builtin() []*Scenario {
	var all []*Scenario
	for _, name := range builtinOrder {
		sc, _ := Lookup(name)
		all = append(all, sc)
	}
	return all
}

// Lookup returns the built-in scenario called name.
func Lookup(name string) (*Scenario, bool) {
	if !slices.Contains(builtinOrder, name) {
		return nil, false
	}
	file := path.Join("builtin", name+".yaml")
	data, err := fs.ReadFile(builtinFiles, file)
	if err != nil {
		panic(err) // the file is embedded with the binary
	}
	sc, err := Parse(file, data, Options{})
	if err != nil {
		panic(fmt.Sprintf("built-in scenario %s is invalid: %v", name, err)) // caught by the package's tests
	}
	return sc, true
}

// Names lists the built-in scenario names.
func Names() []string { return slices.Clone(builtinOrder) }

// IsFile reports whether name is a scenario file rather than a built-in
// scenario's name: it ends in .yaml or .yml, or has a path separator.
func IsFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") || strings.ContainsRune(name, '/')
}

// TargetURL is the file's target; nil when it names none (the embedded
// reference API) or names an invalid one (a problem of the file).
func (s *Scenario) TargetURL() *url.URL {
	if s.Target == "" {
		return nil
	}
	u, err := runner.ParseTarget(s.Target)
	if err != nil {
		return nil
	}
	return u
}
