package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/scenarios"
)

// otherAPI is an auth API unlike the reference one: its session call takes
// other field names and a required header, nests the token, and a second
// call needs that token. It counts what it served.
type otherAPI struct {
	requests atomic.Int64
	flaky    atomic.Int64 // answers of /flaky so far
	mu       sync.Mutex
	sessions map[string]int // by login
	profiles map[string]int // by login, authenticated
}

func newOtherAPI(t *testing.T) (*otherAPI, string) {
	api := &otherAPI{sessions: map[string]int{}, profiles: map[string]int{}}
	return api, "http://" + testkit.HTTPServer(t, api)
}

func (a *otherAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.requests.Add(1)
	switch {
	case r.Method == "POST" && r.URL.Path == "/v2/session":
		var in struct{ Login, Secret string }
		if r.Header.Get("X-Client") != "loadgate" || json.NewDecoder(r.Body).Decode(&in) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if in.Secret != "pw-"+strings.TrimPrefix(in.Login, "user-") {
			http.Error(w, "wrong secret", http.StatusUnauthorized)
			return
		}
		a.count(a.sessions, in.Login)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"result":{"auth":{"jwt":"jwt.%s"}}}`, in.Login)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v2/people/"):
		login := strings.TrimPrefix(r.URL.Path, "/v2/people/")
		if r.Header.Get("Authorization") != "Bearer jwt."+login {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		a.count(a.profiles, login)
		fmt.Fprintf(w, `{"login":%q}`, login)
	case r.URL.Path == "/flaky":
		if a.flaky.Add(1) <= 2 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	case r.URL.Path == "/limited":
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case r.URL.Path == "/plain":
		io.WriteString(w, "not json")
	default:
		http.NotFound(w, r)
	}
}

func (a *otherAPI) count(m map[string]int, login string) {
	a.mu.Lock()
	m[login]++
	a.mu.Unlock()
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// endpointResult is what the tests read of one endpoint in --out.
type endpointResult struct {
	Requests     int64            `json:"requests"`
	OK           int64            `json:"ok"`
	Classes      map[string]int64 `json:"classes"`
	Retries      int64            `json:"retries"`
	FirstAttempt struct {
		Requests int64 `json:"requests"`
		Errors   int64 `json:"errors"`
	} `json:"first_attempt"`
}

func endpoint(t *testing.T, r resultFile, name string) endpointResult {
	t.Helper()
	var e endpointResult
	if err := json.Unmarshal(r.Endpoints[name], &e); err != nil {
		t.Fatalf("endpoint %s in the result: %v", name, err)
	}
	return e
}

// TestScenarioFileOtherAPI runs a file against an API of other paths,
// field names and token place, from a CSV of 1,000 users taken once each:
// every user opens one session and reads its own profile with its token.
func TestScenarioFileOtherAPI(t *testing.T) {
	api, url := newOtherAPI(t)
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("login,secret\n")
	for i := range 1000 {
		fmt.Fprintf(&csv, "user-%d,pw-%d\n", i, i)
	}
	writeFile(t, dir, "people.csv", csv.String())
	file := writeFile(t, dir, "other.yaml", `
name: other-api
target: `+url+`
load: {concurrency: 8, duration: 1m}
users:
  csv: {file: people.csv}
  order: unique
steps:
  - name: session
    method: POST
    path: /v2/session
    headers: {X-Client: loadgate}
    body: {login: "{{user.login}}", secret: "{{user.secret}}"}
    expect: [201]
    extract: {jwt: result.auth.jwt}
  - name: profile
    path: "/v2/people/{{user.login}}"
    headers: {Authorization: "Bearer {{jwt}}"}
slos: [errors==0, session.requests==1000, profile.requests==1000]
`)
	out := filepath.Join(dir, "result.json")
	code, stdout, stderr := run(t, "run", file, "--out", out, "--no-progress")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if len(api.sessions) != 1000 || len(api.profiles) != 1000 {
		t.Fatalf("%d users opened sessions and %d read profiles, want 1000 each", len(api.sessions), len(api.profiles))
	}
	for login, n := range api.sessions {
		if n != 1 || api.profiles[login] != 1 {
			t.Fatalf("user %s: %d sessions, %d profiles; want one each", login, n, api.profiles[login])
		}
	}
	if r := readResult(t, out); endpoint(t, r, "profile").OK != 1000 {
		t.Errorf("result: %s", r.Endpoints["profile"])
	}
}

// TestScenarioFileRetry: a server answers 503 with Retry-After: 1 twice,
// then 200. With retries the run waits, records both 503s and the 200, and
// the step ends ok; without, it shows the 503.
func TestScenarioFileRetry(t *testing.T) {
	api, url := newOtherAPI(t)
	dir := t.TempDir()
	body := "target: " + url + "\nsteps:\n  - {name: flaky, path: /flaky}\n"
	out := filepath.Join(dir, "result.json")

	start := time.Now()
	code, stdout, stderr := run(t, "run", writeFile(t, dir, "retry.yaml", "retry: {max: 3}\n"+body), "--out", out, "--slo", "flaky.ok==1")
	waited := time.Since(start)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	e := endpoint(t, readResult(t, out), "flaky")
	if e.Requests != 3 || e.Classes["unavailable"] != 2 || e.OK != 1 || e.Retries != 2 || e.FirstAttempt.Requests != 1 || e.FirstAttempt.Errors != 1 {
		t.Errorf("with retries: %+v", e)
	}
	if waited < 2*time.Second {
		t.Errorf("the run took %s; two Retry-After: 1 waits take 2s", waited)
	}
	if !strings.Contains(stdout, "retries") {
		t.Errorf("the summary does not show the retries:\n%s", stdout)
	}

	api.flaky.Store(0)
	code, stdout, _ = run(t, "run", writeFile(t, dir, "once.yaml", body), "--out", out, "--slo", "errors==0")
	e = endpoint(t, readResult(t, out), "flaky")
	if code != exitSLOFailed || e.Requests != 1 || e.Classes["unavailable"] != 1 || e.Retries != 0 {
		t.Errorf("without retries: exit %d, %+v\n%s", code, e, stdout)
	}
}

// TestScenarioFileClasses: a custom class counts its responses and gates
// an SLO; a response without the value a step extracts is extract_failed
// and ends the iteration.
func TestScenarioFileClasses(t *testing.T) {
	api, url := newOtherAPI(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "result.json")
	limited := writeFile(t, dir, "limited.yaml", `
target: `+url+`
load: {concurrency: 2, iterations: 10}
classify:
  classes:
    rate_limited: {status: 429, body_contains: slow down}
steps:
  - {name: limited, path: /limited}
slos: [rate_limited<1%]
`)
	code, stdout, stderr := run(t, "run", limited, "--out", out)
	if code != exitSLOFailed {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if e := endpoint(t, readResult(t, out), "limited"); e.Classes["rate_limited"] != 10 || e.Classes["client_error"] != 0 {
		t.Errorf("limited: %+v", e)
	}
	if !strings.Contains(stdout, "rate_limited:10") || !strings.Contains(stdout, "FAIL  rate_limited<1%") {
		t.Errorf("the summary does not show the class:\n%s", stdout)
	}

	plain := writeFile(t, dir, "plain.yaml", `
target: `+url+`
load: {concurrency: 2, iterations: 10}
steps:
  - name: plain
    path: /plain
    extract: {word: first}
  - {name: person, path: "/v2/people/{{word}}"}
`)
	before := api.requests.Load()
	code, stdout, _ = run(t, "run", plain, "--out", out, "--slo", "extract_failed==10")
	r := readResult(t, out)
	if e := endpoint(t, r, "plain"); code != exitOK || e.Classes["extract_failed"] != 10 || api.requests.Load()-before != 10 {
		t.Errorf("exit %d, plain %+v, %d requests; want 10 failed extractions and no person request\n%s", code, e, api.requests.Load()-before, stdout)
	}
}

// TestScenarioFileReferenceAPI: a file that registers its users, logs in,
// and reads the profile with the token, against the embedded API.
func TestScenarioFileReferenceAPI(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "flow.yaml", `
load: {concurrency: 3, iterations: 9}
users:
  register: {count: 3, password: {length: 12}}
steps:
  - name: login
    path: /api/auth/login
    body: {username: "{{user.username}}", password: "{{user.password}}"}
    extract: {token: token}
  - name: profile
    path: /api/auth/profile
    headers: {Authorization: "Bearer {{token}}"}
slos: [errors==0, login.requests==9, profile.requests==9]
`)
	if code, stdout, stderr := run(t, "run", file, "--bcrypt-cost", "4"); code != exitOK {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestFixedUserFromFlags: --username and --password replace a file's fixed
// user, so the environment variables it names need not be set then;
// without the flags they must be.
func TestFixedUserFromFlags(t *testing.T) {
	in := remoteAPI(t)
	registerCarol(t, in)
	file := writeFile(t, t.TempDir(), "fixed.yaml", `
users:
  fixed: {username: "{{env.LG_TEST_UNSET_USER}}", password: "{{env.LG_TEST_UNSET_PASSWORD}}"}
steps:
  - name: login
    path: /api/auth/login
    body: {username: "{{user.username}}", password: "{{user.password}}"}
slos: [errors==0]
`)
	code, _, stderr := run(t, "validate", file)
	if code != exitUsage || !strings.Contains(stderr, "environment variable LG_TEST_UNSET_PASSWORD is not set") {
		t.Errorf("validate without the variables: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run(t, "run", file, "--target", in.URL()); code != exitUsage || !strings.Contains(stderr, "LG_TEST_UNSET_USER is not set") {
		t.Errorf("run without the variables or the flags: exit %d, stderr %q", code, stderr)
	}
	if code, stdout, stderr := run(t, "run", file, "--target", in.URL(), "--username", "carol", "--password", carolPassword); code != exitOK {
		t.Errorf("run with the flags: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestInvalidFileSendsNothing: `run` validates a file first and sends no
// request when it is invalid; `validate` lists every problem, located.
func TestInvalidFileSendsNothing(t *testing.T) {
	api, url := newOtherAPI(t)
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", "target: "+url+"\nload: {duration: soon}\nsteps:\n  - name: a\n    path: /a\n    headr: {}\n")
	good := writeFile(t, dir, "good.yaml", "target: "+url+"\nsteps:\n  - {name: a, path: /a}\n")
	code, stdout, stderr := run(t, "run", bad)
	want := bad + ":2:18: load.duration: \"soon\" is not a duration such as 500ms, 30s or 1m30s\n" +
		bad + ":6:5: unknown key \"headr\" in a step; known keys are name, method, path, headers, body, form, multipart, expect, classes, extract, weight, retry\n"
	if code != exitUsage || stderr != want || stdout != "" {
		t.Errorf("run: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
	if n := api.requests.Load(); n != 0 {
		t.Errorf("an invalid file sent %d requests", n)
	}
	code, stdout, stderr = run(t, "validate", good, bad)
	if code != exitUsage || stderr != want || !strings.HasPrefix(stdout, good+": valid") {
		t.Errorf("validate: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if code, _, _ := run(t, "validate", good); code != exitOK {
		t.Errorf("validate of a valid file: exit %d", code)
	}
}

// TestScenariosShow: `scenarios show` prints the built-in file as it is
// embedded, and the printed file validates.
func TestScenariosShow(t *testing.T) {
	code, stdout, _ := run(t, "scenarios", "show", "stress")
	sc, _ := scenarios.Lookup("stress")
	if code != exitOK || stdout != string(sc.Source) {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
	file := writeFile(t, t.TempDir(), "stress.yaml", stdout)
	if code, _, stderr := run(t, "validate", file); code != exitOK {
		t.Errorf("the shown file does not validate: %s", stderr)
	}
	if code, _, stderr := run(t, "scenarios", "show", "nope"); code != exitUsage || !strings.Contains(stderr, "unknown scenario") {
		t.Errorf("show nope: exit %d, %s", code, stderr)
	}
}
