package scenarios_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/runner"
	"github.com/loadgate/loadgate/scenarios"
)

var remote, _ = url.Parse("https://staging.example.com")

func builtin(t *testing.T, name string) *scenarios.Scenario {
	t.Helper()
	sc, ok := scenarios.Lookup(name)
	if !ok {
		t.Fatalf("no built-in scenario %q", name)
	}
	return sc
}

// TestBuiltinsAreComplete: every built-in file loads, has its parts, and
// its line in `loadgate scenarios` fits 80 columns (16 for the name).
func TestBuiltinsAreComplete(t *testing.T) {
	for _, sc := range scenarios.Builtin() {
		if sc.Description == "" || len(sc.SLOs) == 0 || len(sc.Endpoints()) == 0 || sc.Load.Validate() != nil || len(sc.Description) > 64 {
			t.Errorf("%s: incomplete: %+v", sc.Name, sc)
		}
		if !strings.Contains(string(sc.Source), "name: "+sc.Name) {
			t.Errorf("%s: its source does not name it", sc.Name)
		}
	}
	if _, ok := scenarios.Lookup("nope"); ok {
		t.Errorf("Lookup found a scenario that does not exist")
	}
}

// firstRun returns the step an iteration runs first, and its body.
func firstRun(steps []runner.Step, it runner.Iteration) (runner.Step, []byte) {
	for _, s := range steps {
		if s.Skip == nil || !s.Skip(it) {
			return s, s.Body(it)
		}
	}
	return runner.Step{}, nil
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
		{"smoke, embedded", "smoke", scenarios.Env{Embedded: true, RunID: "r1"}, 1, "lg-smoke-r1-0"},
		{"smoke, embedded, given user", "smoke", scenarios.Env{Embedded: true, RunID: "r1", Username: "ann", Password: "Ann-Pw1!"}, 1, "ann"},
		{"smoke, remote, given user", "smoke", scenarios.Env{Target: remote, RunID: "r1", Username: "ann", Password: "Ann-Pw1!"}, 0, "ann"},
		{"smoke, remote, no user", "smoke", scenarios.Env{Target: remote, RunID: "r1"}, 1, "lg-smoke-r1-0"},
		{"stress", "stress", scenarios.Env{Embedded: true, RunID: "r2"}, 50, "lg-stress-r2-0"},
		{"stress, remote, given user", "stress", scenarios.Env{Target: remote, RunID: "r2", Username: "ann", Password: "Ann-Pw1!"}, 0, "ann"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reqs := builtin(t, tc.scenario).Build(tc.env)
			if len(reqs.Setup) != tc.setup {
				t.Errorf("%d setup requests, want %d", len(reqs.Setup), tc.setup)
			}
			var body struct{ Username, Password string }
			_, b := firstRun(reqs.Steps, runner.Iteration{})
			if err := json.Unmarshal(b, &body); err != nil || body.Username != tc.username {
				t.Errorf("iteration 0 logs in as %q (%v), want %q", body.Username, err, tc.username)
			}
			if tc.setup > 0 {
				var reg struct{ Username, Email, Password string }
				json.Unmarshal(reqs.Setup[0].Body, &reg)
				if reg.Username != body.Username || reg.Password != body.Password || reg.Email == "" {
					t.Errorf("setup registers %+v, the run logs in as %+v", reg, body)
				}
			}
		})
	}
}

// TestRegisterStormBodies: every iteration registers a new user unique to the
// run, except one in ten, which repeats a user the setup registered.
func TestRegisterStormBodies(t *testing.T) {
	reqs := builtin(t, "register-storm").Build(scenarios.Env{Embedded: true, RunID: "r3"})
	existing := map[string]bool{}
	for _, r := range reqs.Setup {
		var u struct{ Username string }
		json.Unmarshal(r.Body, &u)
		existing[u.Username] = true
	}
	if len(existing) != 5 {
		t.Fatalf("setup registers %d users, want 5", len(existing))
	}
	seen, duplicated := map[string]bool{}, map[string]bool{}
	duplicates := 0
	for seq := range int64(1000) {
		var u struct{ Username, Email string }
		_, b := firstRun(reqs.Steps, runner.Iteration{Seq: seq})
		json.Unmarshal(b, &u)
		if existing[u.Username] {
			duplicates++
			duplicated[u.Username] = true
			continue
		}
		if seen[u.Username] {
			t.Fatalf("iteration %d registers %q a second time", seq, u.Username)
		}
		seen[u.Username] = true
	}
	if duplicates != 100 {
		t.Errorf("%d duplicates in 1000 iterations, want 100", duplicates)
	}
	if len(duplicated) != len(existing) {
		t.Errorf("the duplicates register %d of the %d existing users", len(duplicated), len(existing))
	}
}

// write writes a file in a temporary directory and returns its path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUniqueUsersFromCSV: 1,000 users, unique per iteration: the scenario
// allows 1,000 iterations, and they log in as 1,000 different users.
func TestUniqueUsersFromCSV(t *testing.T) {
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("login,secret\n")
	for i := range 1000 {
		csv.WriteString("user" + strings.Repeat("x", i%3) + "-" + strconv.Itoa(i) + ",pw-" + strconv.Itoa(i) + "\n")
	}
	write(t, dir, "users.csv", csv.String())
	path := write(t, dir, "s.yaml", `
users:
  csv: users.csv
  order: unique
steps:
  - name: login
    path: /login
    body: {login: "{{user.login}}", secret: "{{user.secret}}"}
`)
	sc, err := scenarios.LoadFile(path, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sc.IterationLimit() != 1000 {
		t.Fatalf("iteration limit %d, want 1000", sc.IterationLimit())
	}
	steps := sc.Build(scenarios.Env{RunID: "r"}).Steps
	seen := map[string]bool{}
	for seq := range int64(1000) {
		var body struct{ Login string }
		json.Unmarshal(steps[0].Body(runner.Iteration{Seq: seq}), &body)
		if seen[body.Login] {
			t.Fatalf("iteration %d reuses %q", seq, body.Login)
		}
		seen[body.Login] = true
	}
}
