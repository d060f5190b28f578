package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
)

// sessionResult is what the tests read of a result file's session.
type sessionResult struct {
	Totals struct {
		Requests int64 `json:"requests"`
		OK       int64 `json:"ok"`
		Dropped  int64 `json:"dropped"`
	} `json:"totals"`
	Session *struct {
		Users    int   `json:"users"`
		Opened   int64 `json:"opened"`
		Failed   int64 `json:"failed"`
		Renewals struct {
			Status   int64 `json:"status"`
			Lifetime int64 `json:"lifetime"`
		} `json:"renewals"`
		Expired   int64                     `json:"expired_answers"`
		Endpoints map[string]endpointResult `json:"endpoints"`
	} `json:"session"`
}

// sessionFile is a scenario that registers 5 users at the AuthBackend at
// url, logs each in once in its session, and reads its own record with the
// session's raw token in 50 iterations of load (a flow mapping without
// its braces, such as "concurrency: 3"); extra is added to the session
// block.
func sessionFile(t *testing.T, url, load, extra string) string {
	return writeFile(t, t.TempDir(), "session.yaml", `
name: sessions
target: `+url+`
users:
  register:
    count: 5
    email: "{{user.username}}@example.test"
    request:
      path: /api/collections/users/records
      body: {email: "{{user.email}}", password: "{{user.password}}", passwordConfirm: "{{user.password}}"}
session:`+extra+`
  steps:
    - name: login
      path: /api/collections/users/auth-with-password
      body: {identity: "{{user.email}}", password: "{{user.password}}"}
      extract: {token: token, id: record.id}
load: {`+load+`, iterations: 50}
steps:
  - name: record
    path: "/api/collections/users/records/{{session.id}}"
    headers: {Authorization: "{{session.token}}"}
slos: [errors==0]
`)
}

func runSessions(t *testing.T, file string) sessionResult {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.json")
	code, stdout, stderr := run(t, "run", file, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	var r sessionResult
	if err := json.Unmarshal(mustRead(t, out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Session == nil {
		t.Fatalf("the result has no session:\n%s", stdout)
	}
	return r
}

// TestSessionLogsInOnce: each of 5 users logs in once, and 50 iterations
// read the records with their sessions' tokens: the server saw 5 logins and
// 50 reads, and the session's login is its own endpoint, not in the totals.
func TestSessionLogsInOnce(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	r := runSessions(t, sessionFile(t, b.URL, "concurrency: 3", ""))
	logins, reads := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthRecord, 200)
	if logins != 5 || reads != 50 {
		t.Errorf("the server answered %d logins and %d reads; want 5 and 50", logins, reads)
	}
	if r.Totals.Requests != 50 || r.Totals.OK != 50 {
		t.Errorf("totals %+v; want the 50 reads alone", r.Totals)
	}
	s := r.Session
	if s.Opened != 5 || s.Users != 5 || s.Failed != 0 || s.Renewals.Status+s.Renewals.Lifetime != 0 || s.Endpoints["login"].Requests != 5 {
		t.Errorf("session %+v; want 5 opened by 5 measured logins, no renewal", s)
	}
}

// TestSessionOpenModel: in the open model too, each user logs in once,
// and every read sent is one the server answered. A busy machine may drop
// arrivals as the generator's (counted apart), never more than the 50.
func TestSessionOpenModel(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	r := runSessions(t, sessionFile(t, b.URL, "rate: 500/s", ""))
	logins, reads := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthRecord, 200)
	if logins != 5 || int64(reads) != r.Totals.OK || r.Totals.OK+r.Totals.Dropped != 50 || r.Totals.OK == 0 || r.Session.Opened != 5 {
		t.Errorf("the server answered %d logins and %d reads; the result %d ok, %d dropped, session %+v", logins, reads, r.Totals.OK, r.Totals.Dropped, r.Session)
	}
}

// TestSessionRenewsOn401: tokens good for 3 uses answer 401 after; the
// sessions renew on it and every iteration of a serial run still succeeds.
// The renewals are the server's extra logins, and the 401s that caused
// them are counted apart, not as errors.
func TestSessionRenewsOn401(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{TokenUses: 3})
	r := runSessions(t, sessionFile(t, b.URL, "concurrency: 1", `
  renew: {on_status: [401]}`))
	logins, reads, refused := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthRecord, 200), b.Requests(testkit.AuthRecord, 401)
	s := r.Session
	if reads != 50 || r.Totals.Requests != 50 || r.Totals.OK != 50 {
		t.Errorf("the server answered %d reads, the result counts %d requests, %d ok; want 50 of each", reads, r.Totals.Requests, r.Totals.OK)
	}
	// Each user's token serves 3 reads, then a 401 renews it.
	if s.Renewals.Status != 5*(10-1)/3 || int64(logins) != 5+s.Renewals.Status || s.Endpoints["login"].Requests != int64(logins) {
		t.Errorf("the server answered %d logins; session %+v: want 5 plus one per renewal, 3 per user", logins, s)
	}
	if s.Expired != int64(refused) || s.Expired != s.Renewals.Status || s.Renewals.Lifetime != 0 || s.Failed != 0 {
		t.Errorf("the server refused %d reads; session %+v: want as many expired answers and renewals", refused, s)
	}
}

// TestSessionRenewalsShared: 8 workers share 5 users whose tokens serve 3
// uses. Workers that meet a 401 of one session renew it once between them
// (the others take the new one), and nothing is lost or counted twice:
// the server's logins are the sessions opened and renewed, its 401s the
// expired answers and the reads that were still refused after a renewal.
func TestSessionRenewalsShared(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{TokenUses: 3})
	file := sessionFile(t, b.URL, "concurrency: 8", `
  renew: {on_status: [401]}`)
	out := filepath.Join(t.TempDir(), "out.json")
	run(t, "run", file, "--out", out) // may fail errors==0: a renewed token can be used up by others before its resend
	var r sessionResult
	var e struct {
		Endpoints map[string]endpointResult `json:"endpoints"`
	}
	data := mustRead(t, out)
	if err := json.Unmarshal(data, &r); err != nil || json.Unmarshal(data, &e) != nil || r.Session == nil {
		t.Fatalf("the result: %v", err)
	}
	s, record := r.Session, e.Endpoints["record"]
	logins, reads, refused := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthRecord, 200), b.Requests(testkit.AuthRecord, 401)
	if int64(logins) != s.Opened+s.Renewals.Status || s.Opened != 5 || s.Endpoints["login"].Requests != int64(logins) {
		t.Errorf("the server answered %d logins; session %+v", logins, s)
	}
	if int64(refused) != s.Expired+record.Classes["client_error"] || int64(reads) != record.OK || s.Renewals.Status > s.Expired || s.Renewals.Status == 0 {
		t.Errorf("the server answered %d reads and refused %d; record %+v, session %+v", reads, refused, record, s)
	}
}

// TestSessionUnmeasured: measure: false keeps the session's requests out of
// the result's endpoints; the server still saw one login per user.
func TestSessionUnmeasured(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	r := runSessions(t, sessionFile(t, b.URL, "concurrency: 3", `
  measure: false`))
	if logins := b.Requests(testkit.AuthLogin, 200); logins != 5 || r.Session.Opened != 5 || len(r.Session.Endpoints) != 0 {
		t.Errorf("%d logins; session %+v: want 5 opened, no endpoints", logins, r.Session)
	}
}

// TestSessionSummary: the summary says what the sessions did and shows
// the session's requests apart.
func TestSessionSummary(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	code, stdout, stderr := run(t, "run", sessionFile(t, b.URL, "concurrency: 3", ""))
	want := []string{"session    5 users, 5 opened, renewed 0 on status and 0 on lifetime, 0 failed",
		"session requests, apart from the iterations' (not in the totals):", "  login        5   5"}
	for _, w := range want {
		if !strings.Contains(stdout, w) {
			t.Errorf("exit %d; the summary lacks %q:\n%s%s", code, w, stdout, stderr)
		}
	}
}

// TestInterruptWhileSessionsOpen interrupts a run while its sessions log
// in (the login never answers): it ends once the login in flight times
// out, interrupted, with no iteration run.
func TestInterruptWhileSessionsOpen(t *testing.T) {
	api := watchAPI(t, "/api/auth/login", true)
	file := writeFile(t, t.TempDir(), "held.yaml", `
users: {register: {count: 2}}
session:
  steps:
    - name: login
      path: /api/auth/login
      body: {username: "{{user.username}}", password: "{{user.password}}"}
      extract: {token: token}
load: {iterations: 10}
steps:
  - name: profile
    path: /api/auth/profile
    headers: {Authorization: "Bearer {{session.token}}"}
`)
	stdout, stderr, stop := background(t, "run", file, "--target", api.URL, "--timeout", "2s")
	api.waitFor(t, 1)
	if code := stop(); code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "interrupted") || !strings.Contains(stdout.String(), "total      0 requests") {
		t.Errorf("the summary does not say the run was interrupted before any iteration:\n%s", stdout)
	}
}

// TestSessionFailureStopsTheRun: a user whose session cannot be opened
// (a wrong password) stops the run before the load, with exit 1 and one
// line naming the user, the step and the answer.
func TestSessionFailureStopsTheRun(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	file := writeFile(t, t.TempDir(), "wrong.yaml", `
target: `+b.URL+`
users:
  fixed: {username: nobody@example.test, password: wrong-password}
session:
  steps:
    - name: login
      path: /api/collections/users/auth-with-password
      body: {identity: "{{user.username}}", password: "{{user.password}}"}
      extract: {token: token}
steps:
  - name: record
    path: /api/collections/users/records/x
    headers: {Authorization: "{{session.token}}"}
`)
	code, stdout, stderr := run(t, "run", file)
	want := "loadgate: session of user 0 failed: step login: client_error: 400 {"
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and one line starting %q", code, stdout, stderr, want)
	}
	if reads := b.Requests(testkit.AuthRecord, 401) + b.Requests(testkit.AuthRecord, 200); reads != 0 {
		t.Errorf("%d records read after a failed session", reads)
	}
}

// TestUsersLeftWhenSessionsFail: a run that registered users at a remote
// target and then stopped before its summary (a session that could not
// open) still says the users stay there, counting those it registered.
func TestUsersLeftWhenSessionsFail(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	file := writeFile(t, t.TempDir(), "left.yaml", `
target: `+b.URL+`
users:
  register:
    count: 3
    email: "{{user.username}}@example.test"
    request:
      path: /api/collections/users/records
      body: {email: "{{user.email}}", password: "{{user.password}}", passwordConfirm: "{{user.password}}"}
session:
  steps:
    - name: login
      path: /api/collections/users/auth-with-password
      body: {identity: "{{user.email}}", password: wrong-password}
      extract: {token: token}
steps:
  - name: record
    path: /api/collections/users/records/x
    headers: {Authorization: "{{session.token}}"}
`)
	code, _, stderr := run(t, "run", file)
	if code != exitRunFailed || b.Requests(testkit.AuthRegister, 200) != 3 ||
		!strings.Contains(stderr, "warning: 3 users registered at the target stay there; their usernames start with") {
		t.Errorf("exit %d, %d registered; stderr:\n%s", code, b.Requests(testkit.AuthRegister, 200), stderr)
	}
}
