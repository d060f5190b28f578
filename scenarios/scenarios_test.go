package scenarios_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/loadgate/loadgate/runner"
	"github.com/loadgate/loadgate/scenarios"
)

var remote, _ = url.Parse("https://staging.example.com")

func build(t *testing.T, name string, env scenarios.Env) scenarios.Requests {
	t.Helper()
	sc, ok := scenarios.Lookup(name)
	if !ok {
		t.Fatalf("no built-in scenario %q", name)
	}
	return sc.Build(env)
}

// TestBuiltinsAreComplete: every built-in has its parts, and its line in
// `loadgate scenarios` fits 80 columns (16 for the name).
func TestBuiltinsAreComplete(t *testing.T) {
	for _, sc := range scenarios.Builtin() {
		if sc.Description == "" || len(sc.SLOs) == 0 || len(sc.Endpoints()) == 0 || sc.Load.Validate() != nil || len(sc.Description) > 64 {
			t.Errorf("%s: incomplete: %+v", sc.Name, sc)
		}
	}
	if _, ok := scenarios.Lookup("nope"); ok {
		t.Errorf("Lookup found a scenario that does not exist")
	}
}

// TestLoginPools: which users a login scenario registers and logs in with,
// by target and credentials.
func TestLoginPools(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		env      scenarios.Env
		setup    int
		username string // of iteration 0
	}{
		{"smoke, embedded", "smoke", scenarios.Env{Embedded: true, RunID: "r1", Concurrency: 1}, 1, "lg-smoke-r1-0"},
		{"smoke, embedded, given user", "smoke", scenarios.Env{Embedded: true, RunID: "r1", Username: "ann", Password: "Ann-Pw1!"}, 1, "ann"},
		{"smoke, remote, given user", "smoke", scenarios.Env{Target: remote, RunID: "r1", Username: "ann", Password: "Ann-Pw1!"}, 0, "ann"},
		{"smoke, remote, no user", "smoke", scenarios.Env{Target: remote, RunID: "r1"}, 1, "lg-smoke-r1-0"},
		{"stress, 50 workers", "stress", scenarios.Env{Embedded: true, RunID: "r2", Concurrency: 50}, 50, "lg-stress-r2-0"},
		{"stress, 500 workers", "stress", scenarios.Env{Embedded: true, RunID: "r2", Concurrency: 500}, 100, "lg-stress-r2-0"},
		{"stress, remote, given user", "stress", scenarios.Env{Target: remote, RunID: "r2", Concurrency: 50, Username: "ann", Password: "Ann-Pw1!"}, 0, "ann"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reqs := build(t, tc.scenario, tc.env)
			if len(reqs.Setup) != tc.setup {
				t.Errorf("%d setup requests, want %d", len(reqs.Setup), tc.setup)
			}
			var body struct{ Username, Password string }
			if err := json.Unmarshal(reqs.Steps[0].Body(runner.Iteration{Seq: 0}), &body); err != nil || body.Username != tc.username {
				t.Errorf("iteration 0 logs in as %q (%v), want %q", body.Username, err, tc.username)
			}
		})
	}
}

// TestRegisterStormBodies: every iteration registers a new user unique to the
// run, except every 10th, which repeats a user the setup registered.
func TestRegisterStormBodies(t *testing.T) {
	reqs := build(t, "register-storm", scenarios.Env{Embedded: true, RunID: "r3", Concurrency: 20})
	existing := map[string]bool{}
	for _, r := range reqs.Setup {
		var u struct{ Username string }
		json.Unmarshal(r.Body, &u)
		existing[u.Username] = true
	}
	seen := map[string]bool{}
	for seq := range int64(1000) {
		var u struct{ Username, Email string }
		json.Unmarshal(reqs.Steps[0].Body(runner.Iteration{Seq: seq}), &u)
		duplicate := seq%10 == 9
		if existing[u.Username] != duplicate {
			t.Fatalf("iteration %d registers %q: duplicate %v, want %v", seq, u.Username, existing[u.Username], duplicate)
		}
		if !duplicate && seen[u.Username] {
			t.Fatalf("iteration %d registers %q a second time", seq, u.Username)
		}
		seen[u.Username] = true
	}
	other := build(t, "register-storm", scenarios.Env{Embedded: true, RunID: "r4", Concurrency: 20})
	if string(other.Steps[0].Body(runner.Iteration{Seq: 0})) == string(reqs.Steps[0].Body(runner.Iteration{Seq: 0})) {
		t.Errorf("two runs register the same user")
	}
}
