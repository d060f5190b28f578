// Package scenarios holds loadgate's built-in scenarios: what to send, with
// what load and which SLOs by default.
package scenarios

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// Scenario is a named kind of run: default load and SLOs, and the requests
// to make once the target and credentials are known.
type Scenario struct {
	Name        string
	Description string // one line, for `loadgate scenarios`
	Load        runner.Load
	SLOs        []string // SLO expressions, parsed by the caller
	build       func(Env) Requests
}

// Env is what a scenario needs to know about the run it builds.
type Env struct {
	Target *url.URL
	// Embedded is set when the target is the embedded reference API.
	Embedded bool
	// Username and Password are the credentials the user gave; empty when none.
	Username, Password string
	// RunID is unique to this run; generated names include it.
	RunID string
	// Concurrency is the run's final worker count.
	Concurrency int
}

// Requests are a scenario's setup requests (unmeasured) and its steps.
type Requests struct {
	Setup []runner.SetupRequest
	Steps []runner.Step
}

// Build returns the setup requests and steps for env.
func (s Scenario) Build(env Env) Requests { return s.build(env) }

// Endpoints returns the names of the scenario's steps, without repeats: the
// endpoints its reports show and its SLOs may scope.
func (s Scenario) Endpoints() []string {
	var names []string
	for _, step := range s.build(Env{Concurrency: 1}).Steps {
		if !slices.Contains(names, step.Name) {
			names = append(names, step.Name)
		}
	}
	return names
}

// NewRunID returns a short random identifier for names unique across runs.
func NewRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Builtin returns the built-in scenarios in the order `loadgate scenarios`
// lists them.
func Builtin() []Scenario {
	return []Scenario{smoke(), stress(), registerStorm(), ramp(), ping()}
}

// Lookup returns the built-in scenario called name.
func Lookup(name string) (Scenario, bool) {
	all := Builtin()
	i := slices.IndexFunc(all, func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		return Scenario{}, false
	}
	return all[i], true
}

// Names lists the built-in scenario names.
func Names() []string {
	var names []string
	for _, s := range Builtin() {
		names = append(names, s.Name)
	}
	return names
}

func smoke() Scenario {
	return Scenario{
		Name:        "smoke",
		Description: "10 logins, one at a time, 500 ms apart; every one must succeed",
		Load:        runner.Load{Concurrency: 1, Iterations: 10, Pause: 500 * time.Millisecond},
		SLOs:        []string{"errors==0"},
		build:       logins("smoke", 1),
	}
}

func stress() Scenario {
	return Scenario{
		Name:        "stress",
		Description: "50 workers log in back to back for 30 s, from a pool of users",
		Load:        runner.Load{Concurrency: 50, Duration: 30 * time.Second},
		SLOs:        []string{"p95<1200ms", "error_rate<0.5%", "lock_timeouts==0"},
		build:       logins("stress", maxPool),
	}
}

func ramp() Scenario {
	return Scenario{
		Name:        "ramp",
		Description: "open model: 0 to 20 logins/s over 10 s, hold 20 s, down in 10 s",
		Load: runner.Load{Open: true, MaxWorkers: 200,
			Stages: []runner.Stage{{Duration: 10 * time.Second, Target: 20}, {Duration: 20 * time.Second, Target: 20}, {Duration: 10 * time.Second, Target: 0}}},
		SLOs:  []string{"p95<1200ms", "error_rate<0.5%", "lock_timeouts==0", "dropped==0"},
		build: logins("ramp", maxPool),
	}
}

// ping measures one URL: GET the target as given (/health on the embedded
// API), for timing any endpoint and comparing load generators.
func ping() Scenario {
	return Scenario{
		Name:        "ping",
		Description: "50 workers GET the target as given (embedded: /health) for 10 s",
		Load:        runner.Load{Concurrency: 50, Duration: 10 * time.Second},
		SLOs:        []string{"error_rate<1%"},
		build: func(env Env) Requests {
			path := ""
			if env.Embedded {
				path = "/health"
			}
			return Requests{Steps: []runner.Step{{Name: "ping", Method: http.MethodGet, Path: path}}}
		},
	}
}

func registerStorm() Scenario {
	return Scenario{
		Name:        "register-storm",
		Description: "20 workers register users for 10 s; 1 in 10 an expected 409",
		Load:        runner.Load{Concurrency: 20, Duration: 10 * time.Second},
		SLOs:        []string{"p95<1200ms", "error_rate<0.5%", "lock_timeouts==0"},
		build:       buildRegisterStorm,
	}
}
