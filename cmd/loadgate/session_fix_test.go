package main

import (
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
)

// sessionLoginFile is a scenario that registers 2 users at the AuthBackend
// at url and logs each in once in its session, with the session step's
// extra keys (indented as its keys), then reads each user's record in 10
// iterations.
func sessionLoginFile(t *testing.T, url, extra string) string {
	return writeFile(t, t.TempDir(), "login.yaml", `
target: `+url+`
users:
  register:
    count: 2
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
load: {concurrency: 2, iterations: 10}
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
	file := sessionLoginFile(t, b.URL, `
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
	file := sessionLoginFile(t, b.URL, `
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
