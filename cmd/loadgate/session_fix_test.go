package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
)

// sessionLoginFile is a scenario that registers users at the AuthBackend
// at url and logs each in once in its session, with the session step's
// extra keys (indented as its keys), then reads each user's record in 20
// iterations of workers.
func sessionLoginFile(t *testing.T, url string, users, workers int, extra string) string {
	return writeFile(t, t.TempDir(), "login.yaml", `
target: `+url+`
users:
  register:
    count: `+strconv.Itoa(users)+`
    email: "{{user.username}}@example.test"
    request:
      path: /api/collections/users/records
      body: {email: "{{user.email}}", password: "{{user.password}}", passwordConfirm: "{{user.password}}"}
session:
  steps:
    - name: login
      path: /api/collections/users/auth-with-password
      form: {identity: "{{user.email}}", password: "{{user.password}}"}
      extract: {token: token, id: record.id}`+extra+`
load: {concurrency: `+strconv.Itoa(workers)+`, iterations: 20}
steps:
  - name: record
    path: "/api/collections/users/records/{{session.id}}"
    headers: {Authorization: "{{session.token}}"}
`)
}

// TestSessionStepClass: a session step's class takes effect. Every login
// answers a 200 whose record has no avatar, which the step's class
// no_avatar claims: the login is not ok, and the session fails to open
// (exit 1, before the load: no record is read).
func TestSessionStepClass(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	file := sessionLoginFile(t, b.URL, 2, 2, `
      classes: {no_avatar: {status: 200, json: {path: record.avatar, exists: false}}}`)
	code, stdout, stderr := run(t, "run", file)
	if code != exitRunFailed || !strings.Contains(stderr, "failed: step login: no_avatar: 200") {
		t.Errorf("exit %d, want %d and the session failed by its class:\n%s%s", code, exitRunFailed, stdout, stderr)
	}
	if logins, reads := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthRecord, 200); logins == 0 || reads != 0 {
		t.Errorf("the server answered %d logins and %d reads; want logins and no read", logins, reads)
	}
}

// TestSessionStepRetryOnExpected: a session step that retries a status it
// expects is refused by validate, at its line and column, and run sends
// nothing.
func TestSessionStepRetryOnExpected(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	file := sessionLoginFile(t, b.URL, 2, 2, `
      expect: [400]
      retry: {max: 2, on: [429, 400]}`)
	want := "login.yaml:16:15: session step login: retry.on 400 is also in expect"
	for _, command := range []string{"validate", "run"} {
		code, stdout, stderr := run(t, command, file)
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s%s", command, code, exitUsage, want, stdout, stderr)
		}
	}
	if n := b.Requests(testkit.AuthRegister, 200); n != 0 {
		t.Errorf("the server answered %d registrations; want none", n)
	}
}

// loginFront serves a front of b on a loopback port, which counts the
// logins b answers by identity and status (by "identity status") and
// hands each answer to answered before it goes on to the client.
type loginFront struct {
	URL string
	mu  sync.Mutex
	log map[string]int
}

func newLoginFront(t *testing.T, b *testkit.AuthBackend, answered func(status int)) *loginFront {
	target, err := url.Parse(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := &loginFront{log: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if answered != nil && resp.Request.URL.Path == loginPath {
			answered(resp.StatusCode)
		}
		return nil
	}
	f.URL = "http://" + testkit.HTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != loginPath {
			proxy.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		status := &statusKeeper{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(status, r)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.log[fmt.Sprintf("%s %d", form.Get("identity"), status.status)]++
	}))
	return f
}

const loginPath = "/api/collections/users/auth-with-password"

// logins returns the front's log of logins.
func (f *loginFront) logins() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.log {
		out[k] = v
	}
	return out
}

type statusKeeper struct {
	http.ResponseWriter
	status int
}

func (s *statusKeeper) WriteHeader(status int) {
	s.status = status
	s.ResponseWriter.WriteHeader(status)
}

// TestSessionsUnderShards runs a scenario of 4 users with sessions as
// shards 0/2 and 1/2 of one run: each shard registers its own users and
// opens their sessions alone, so the server saw each of the 4 users log
// in once across both shards, every read succeeded, and the shards'
// results merge into 4 sessions opened.
func TestSessionsUnderShards(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	front := newLoginFront(t, b, nil)
	file := sessionLoginFile(t, front.URL, 4, 2, "")
	dir := t.TempDir()
	shardFile := func(i int) string { return filepath.Join(dir, fmt.Sprintf("shard-%d.json", i)) }
	for i := range 2 {
		code, stdout, stderr := run(t, "run", file, "--shard", fmt.Sprintf("%d/2", i), "--run-id", "sharded", "--out", shardFile(i), "--no-progress")
		if code != exitOK {
			t.Fatalf("shard %d/2: exit %d\n%s%s", i, code, stdout, stderr)
		}
		var r sessionResult
		if err := json.Unmarshal(mustRead(t, shardFile(i)), &r); err != nil || r.Session == nil {
			t.Fatalf("shard %d/2's result: %v", i, err)
		}
		if r.Session.Users != 2 || r.Session.Opened != 2 || r.Totals.OK != 10 {
			t.Errorf("shard %d/2: session %+v, totals %+v; want 2 users' sessions opened and 10 reads ok", i, r.Session, r.Totals)
		}
	}
	logins := front.logins()
	if len(logins) != 4 {
		t.Errorf("the logins by identity and status: %v; want 4 users, each once with 200", logins)
	}
	for who, n := range logins {
		if !strings.HasSuffix(who, " 200") || n != 1 {
			t.Errorf("login %q answered %d times; want each user's once, with 200", who, n)
		}
	}
	if reads := b.Requests(testkit.AuthRecord, 200); reads != 20 {
		t.Errorf("the server answered %d reads; want 20", reads)
	}
	merged := filepath.Join(dir, "merged.json")
	if code, stdout, stderr := run(t, "report", "--expect-shards", "2", shardFile(0), shardFile(1), "--out", merged); code != exitOK {
		t.Fatalf("report: exit %d\n%s%s", code, stdout, stderr)
	}
	var r sessionResult
	if err := json.Unmarshal(mustRead(t, merged), &r); err != nil || r.Session == nil || r.Session.Opened != 4 || r.Session.Users != 4 {
		t.Errorf("the merged result's session: %+v (%v); want 4 users' sessions opened", r.Session, err)
	}
}

// TestSessionStepRetries: a session step's own retry applies. The server
// answers one login, then 429s without Retry-After until Release, which
// the front calls on the first 429: with one worker, the second user's
// login is refused once and its retry, after a back-off of at most
// max_wait, succeeds, so both sessions open and the run passes.
func TestSessionStepRetries(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{LoginBurst: 1})
	var released sync.Once
	front := newLoginFront(t, b, func(status int) {
		if status == http.StatusTooManyRequests {
			released.Do(b.Release)
		}
	})
	file := sessionLoginFile(t, front.URL, 2, 1, `
      retry: {max: 2, max_wait: 50ms, on: [429]}`)
	r := runSessions(t, file)
	if ok, refused := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthLogin, 429); ok != 2 || refused != 1 {
		t.Errorf("the server answered %d logins and refused %d; want 2 and 1", ok, refused)
	}
	login := r.Session.Endpoints["login"]
	if r.Session.Opened != 2 || r.Session.Failed != 0 || login.Requests != 3 || login.Retries != 1 || login.OK != 2 || r.Totals.OK != 20 {
		t.Errorf("session %+v, login %+v, totals %+v; want 2 opened by 3 logins, one a retry, and 20 reads ok", r.Session, login, r.Totals)
	}
}

// TestSessionStepRetryExhausted: a session step's retries end: with no
// Release, the second user's login is refused 1+2 times, and its session
// fails to open (exit 1, no read).
func TestSessionStepRetryExhausted(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{LoginBurst: 1})
	file := sessionLoginFile(t, b.URL, 2, 1, `
      retry: {max: 2, max_wait: 50ms, on: [429]}`)
	code, stdout, stderr := run(t, "run", file)
	if code != exitRunFailed || !strings.Contains(stderr, "session of user 1 failed: step login: client_error: 429") {
		t.Errorf("exit %d, want %d and user 1's session failed on a 429:\n%s%s", code, exitRunFailed, stdout, stderr)
	}
	if ok, refused, reads := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthLogin, 429), b.Requests(testkit.AuthRecord, 200); ok != 1 || refused != 3 || reads != 0 {
		t.Errorf("the server answered %d logins, refused %d and answered %d reads; want 1, 3 and 0", ok, refused, reads)
	}
}

// TestStepRetryOn: a step's retry.on retries a status other than 429 and
// 503. Reading a record that is not the user's is a 403; with on: [403]
// and max 2, each of 6 iterations sends it 3 times, and the result counts
// the 12 retries and 6 first attempts, all errors (which fail no run
// without an SLO).
func TestStepRetryOn(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	b.AddUser("ann@example.test", "Ann-secret-1")
	file := writeFile(t, t.TempDir(), "retry.yaml", `
target: `+b.URL+`
users:
  fixed: {username: ann@example.test, password: Ann-secret-1}
session:
  steps:
    - name: login
      path: /api/collections/users/auth-with-password
      form: {identity: "{{user.username}}", password: "{{user.password}}"}
      extract: {token: token}
load: {concurrency: 2, iterations: 6}
steps:
  - name: other
    path: /api/collections/users/records/someone-else
    headers: {Authorization: "{{session.token}}"}
    retry: {max: 2, max_wait: 50ms, on: [403]}
`)
	out := filepath.Join(t.TempDir(), "out.json")
	code, stdout, stderr := run(t, "run", file, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if refused := b.Requests(testkit.AuthRecord, 403); refused != 18 {
		t.Errorf("the server refused %d reads; want 6 iterations of 3 attempts", refused)
	}
	other := endpoint(t, readResult(t, out), "other")
	if other.Requests != 18 || other.Retries != 12 || other.FirstAttempt.Requests != 6 || other.FirstAttempt.Errors != 6 || other.Classes["client_error"] != 18 {
		t.Errorf("endpoint other %+v; want 18 requests, 12 of them retries, 6 first attempts, all errors", other)
	}
}
