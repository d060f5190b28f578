package scenarios

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// sessionHead is the start of the session tests' files: two registered
// users.
const sessionHead = "users: {register: {count: 2}}\n"

// TestSessionProblemsAreLocated: each mistake in a session is reported at
// its line and column.
func TestSessionProblemsAreLocated(t *testing.T) {
	login := "  steps:\n    - {name: in, path: /login, extract: {token: t}}\n"
	uses := "steps:\n  - {name: a, path: /a, headers: {A: \"{{session.token}}\"}}\n"
	cases := []struct {
		name, file string
		want       []string
	}{
		{"extracted, never used", sessionHead + "session:\n" + login + "steps:\n  - {name: a, path: /a}\n",
			[]string{`4:42: session variable "token" is extracted but no step uses it`}},
		{"unknown renew key", sessionHead + "session:\n  renew: {on_stat: [401]}\n" + login + uses,
			[]string{`3:11: unknown key "on_stat" in session.renew; known keys are on_status, after`}},
		{"renew status not a status", sessionHead + "session:\n  renew: {on_status: [401, forbidden]}\n" + login + uses,
			[]string{`3:28: session.renew.on_status must be a whole number`}},
		{"renew status out of range", sessionHead + "session:\n  renew: {on_status: 42}\n" + login + uses,
			[]string{`3:22: session.renew.on_status must be from 100 to 999`}},
		{"lifetime not positive", sessionHead + "session:\n  renew: {after: 0s}\n" + login + uses,
			[]string{`3:18: session.renew.after must be positive`}},
		{"lifetime too long", sessionHead + "session:\n  renew: {after: 9999999999h}\n" + login + uses,
			[]string{`3:18: session.renew.after: "9999999999h" is too large; at most 2562047h`}},
		{"no users", "session:\n" + login + uses, []string{`2:3: session: a session belongs to a user`}},
		{"no steps", sessionHead + "session: {measure: false}\n" + uses,
			[]string{`2:10: session needs steps`, `4:38: header A: {{session.token}}: no session step extracts token`}},
		{"a weight", sessionHead + "session:\n  steps:\n    - {name: in, path: /login, weight: 1, extract: {token: t}}\n" + uses,
			[]string{`4:32: unknown key "weight" in a session step`}},
		{"seq in a session", sessionHead + "session:\n  steps:\n    - {name: in, path: \"/login/{{seq}}\", extract: {token: t}}\n" + uses,
			[]string{`4:32: session step in.path: {{seq}} is not defined here: a session belongs to a user`}},
		{"not extracted", sessionHead + "session:\n" + login + "steps:\n  - {name: a, path: \"/a/{{session.tokn}}\"}\n",
			[]string{`4:42: session variable "token" is extracted but no step uses it`, `6:25: step a.path: {{session.tokn}}: no session step extracts tokn`}},
		{"used before extracted", sessionHead + "session:\n  steps:\n    - {name: a, path: \"/a/{{session.token}}\"}\n" +
			"    - {name: in, path: /login, extract: {token: t}}\n" + uses,
			[]string{`4:27: session step a.path: {{session.token}} is not defined here`}},
		{"a session step uses its own variable", sessionHead + "session:\n  steps:\n    - {name: in, path: \"/login/{{session.token}}\", extract: {token: t}}\n" + uses,
			[]string{`4:32: session step in.path: {{session.token}} is not defined here: a session step extracts it only later, or this one does (a step's extractions are for the steps after it)`}},
		{"no session", sessionHead + uses, []string{`3:38: header A: {{session.token}}: the scenario has no session (see session:)`}},
		{"a session step retries what it expects", sessionHead + "session:\n  steps:\n    - {name: in, path: /login, expect: [400], retry: {max: 1, on: [400]}, extract: {token: t}}\n" + uses,
			[]string{`4:40: session step in: retry.on 400 is also in expect, so it is ok and never retried`}},
		{"a session step's class name taken", sessionHead + "session:\n  steps:\n    - {name: in, path: /login, classes: {ok: {status: 200}}, extract: {token: t}}\n" + uses,
			[]string{`4:42: class name "ok": use letters, digits and _, and not a built-in class`}},
		{"renew on a 2xx", sessionHead + "session:\n  renew: {on_status: [401, 204]}\n" + login + uses,
			[]string{`3:28: session.renew.on_status 204: a 2xx is ok, and an ok answer never renews the session`}},
		{"renew on a status a step expects", sessionHead + "session:\n  renew: {on_status: 401}\n" + login +
			"steps:\n  - {name: a, path: /a, headers: {A: \"{{session.token}}\"}, expect: [401, {status: 403, body_contains: x}]}\n",
			[]string{`7:68: step a: session.renew.on_status 401 is also in expect, so it is ok and never renews the session`}},
		{"renew on no status", sessionHead + "session:\n  renew: {on_status: []}\n" + login + uses,
			[]string{`3:22: session.renew.on_status is empty`}},
		{"measure not a boolean", sessionHead + "session:\n  measure: no thanks\n" + login + uses,
			[]string{`3:12: session.measure must be true or false`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.file), Options{Dir: t.TempDir()})
			var problems Problems
			if !errors.As(err, &problems) {
				t.Fatalf("Parse: %v, want problems", err)
			}
			if len(problems) != len(tc.want) {
				t.Fatalf("problems:\n%v\nwant %d: %q", err, len(tc.want), tc.want)
			}
			for i, want := range tc.want {
				if got := problems[i].String(); !strings.HasPrefix(got, "s.yaml:"+want) {
					t.Errorf("problem %d:\n%s\nwant s.yaml:%s...", i, got, want)
				}
			}
		})
	}
}

// TestSessionLifetime renews a session by its age, on a clock the test
// drives: each read of a record moves it 10 minutes on, and a session lives
// 25, so a serial run of 10 reads by one user renews after the 3rd, 6th
// and 9th. The renewals are the server's logins after the first.
func TestSessionLifetime(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	b.AddUser("ann@example.test", "Ann-secret-1")
	sc, err := Parse("life.yaml", []byte(`
users:
  fixed: {username: ann@example.test, password: Ann-secret-1}
session:
  renew: {after: 25m}
  steps:
    - name: login
      path: /api/collections/users/auth-with-password
      body: {identity: "{{user.username}}", password: "{{user.password}}"}
      extract: {token: token, id: record.id}
load: {iterations: 10}
steps:
  - name: record
    path: "/api/collections/users/records/{{session.id}}"
    headers: {Authorization: "{{session.token}}"}
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	requests := sc.Build(Env{Target: target, RunID: "life"})
	began := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var reads atomic.Int64
	requests.Session.Now = func() time.Time { return began.Add(time.Duration(reads.Load()) * 10 * time.Minute) }
	counted := requests.Steps[0].Vary
	requests.Steps[0].Vary = func(it runner.Iteration) (string, http.Header) {
		reads.Add(1)
		return counted(it)
	}
	r, err := runner.Run(t.Context(), runner.Plan{Scenario: sc.Name, Target: target, Steps: requests.Steps, Load: sc.Load,
		Timeout: 10 * time.Second, Classifier: requests.Classifier, Vars: requests.Vars, Session: requests.Session})
	if err != nil {
		t.Fatal(err)
	}
	logins, records := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthRecord, 200)
	s := r.Session
	if s.Opened != 1 || s.RenewedOnLifetime != 3 || int64(logins) != 1+s.RenewedOnLifetime || s.RenewedOnStatus != 0 {
		t.Errorf("the server answered %d logins; session %+v: want 1 opened and 3 renewed by age", logins, s)
	}
	if records != 10 || r.Total.OK() != 10 {
		t.Errorf("%d records read, %d ok; want 10", records, r.Total.OK())
	}
}

// TestSessionStepIsAStep: a session step is read as a step is, classes
// and expect included, so its runner step has them.
func TestSessionStepIsAStep(t *testing.T) {
	sc, err := Parse("s.yaml", []byte(sessionHead+`session:
  steps:
    - name: in
      path: /login
      form: {a: b}
      expect: [{status: 400, json: {path: code, equals: dup}}]
      classes: {no_token: {status: 200, json: {path: token, exists: false}}}
      retry: {max: 2, on: [429, 400]}
      extract: {token: t}
steps:
  - {name: a, path: /a, headers: {A: "{{session.token}}"}}
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse("http://127.0.0.1:1")
	requests := sc.Build(Env{Target: target, RunID: "r"})
	in := requests.Session.Steps[0]
	if len(in.Classes) != 1 || len(in.Expect) != 1 || in.Retry.Max != 2 || in.Method != http.MethodPost || in.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("session step: classes %v, expect %v, retry %+v, %s %v", in.Classes, in.Expect, in.Retry, in.Method, in.Header)
	}
	if names := requests.Classifier.Custom; len(names) != 1 || names[0].Name != "no_token" {
		t.Errorf("custom classes %v, want no_token", names)
	}
}
