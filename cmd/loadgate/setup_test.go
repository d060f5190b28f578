package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// setupResult is what the tests read of a result file's setup.
type setupResult struct {
	Setup *struct {
		Users       int              `json:"users"`
		Done        int              `json:"done"`
		Requests    int64            `json:"requests"`
		Status      map[string]int64 `json:"status"`
		Transport   int64            `json:"transport"`
		Retries     int64            `json:"retries"`
		Failures    int64            `json:"failures"`
		RemoteUsers int              `json:"remote_users"`
		NamePrefix  string           `json:"name_prefix"`
	} `json:"setup"`
}

func readSetup(t *testing.T, path string) setupResult {
	t.Helper()
	var r setupResult
	if err := json.Unmarshal(mustRead(t, path), &r); err != nil {
		t.Fatal(err)
	}
	if r.Setup == nil {
		t.Fatalf("the result has no setup")
	}
	return r
}

// TestSetupReportedAtRemoteTarget registers 5 users at a remote auth API:
// the setup's counts are the server's own, and the summary says the users
// stay there and how their names start.
func TestSetupReportedAtRemoteTarget(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	dir := t.TempDir()
	file := writeFile(t, dir, "register.yaml", `
name: auth-register
target: `+b.URL+`
users:
  register:
    count: 5
    username: "lgtest-{{run_id}}-{{n}}"
    email: "{{user.username}}@example.test"
    request:
      path: /api/collections/users/records
      body: {email: "{{user.email}}", password: "{{user.password}}", passwordConfirm: "{{user.password}}"}
load: {iterations: 5}
steps:
  - name: login
    path: /api/collections/users/auth-with-password
    body: {identity: "{{user.email}}", password: "{{user.password}}"}
`)
	out := filepath.Join(dir, "out.json")
	code, stdout, stderr := run(t, "run", file, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	s := readSetup(t, out).Setup
	registered := b.Requests(testkit.AuthRegister, 200)
	if registered != 5 || s.Requests != 5 || s.Status["200"] != 5 || len(s.Status) != 1 || s.Users != 5 || s.Done != 5 || s.Retries != 0 {
		t.Errorf("setup %+v; the server registered %d", s, registered)
	}
	if s.RemoteUsers != 5 || !strings.HasPrefix(s.NamePrefix, "lgtest-") || !strings.HasSuffix(s.NamePrefix, "-") || len(s.NamePrefix) != len("lgtest-12345678-") {
		t.Errorf("remote users %d, prefix %q; want 5 and lgtest-RUNID-", s.RemoteUsers, s.NamePrefix)
	}
	for _, want := range []string{"setup      5 of 5 users in ", ": 5 requests (200: 5), 0 retries, 0 failures",
		"warning: 5 users registered at the target stay there; their", fmt.Sprintf("usernames start with %q", s.NamePrefix)} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the summary lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, stderr = run(t, "report", out, "--markdown", filepath.Join(dir, "r.md"))
	if code != 0 || !strings.Contains(stdout, "setup      5 of 5 users") {
		t.Errorf("report of the file: exit %d, the summary lacks its setup:\n%s%s", code, stdout, stderr)
	}
	if md := string(mustRead(t, filepath.Join(dir, "r.md"))); !strings.Contains(md, "**Setup** 5 of 5 users") || !strings.Contains(md, "stay there") {
		t.Errorf("the Markdown lacks the setup:\n%s", md)
	}
}

// TestSetupRetriesCounted sends its setup requests to a login that answers
// 429 without Retry-After past a burst (the users are in the server
// already): the setup's requests, statuses and retries are what the server
// logged.
func TestSetupRetriesCounted(t *testing.T) {
	// Two more logins go through after each refusal: every request ends
	// within its retries.
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{LoginBurst: 2, RefillAfterRefusal: true})
	for i := range 4 {
		b.AddUser(fmt.Sprintf("u%d@example.test", i), fmt.Sprintf("Secret-%d-pw", i))
	}
	dir := t.TempDir()
	file := writeFile(t, dir, "login-setup.yaml", `
name: setup-retries
target: `+b.URL+`
users:
  register:
    count: 4
    username: "u{{n}}"
    email: "{{user.username}}@example.test"
    password: "Secret-{{n}}-pw"
    request:
      path: /api/collections/users/auth-with-password
      body: {identity: "{{user.email}}", password: "{{user.password}}"}
load: {iterations: 1}
steps:
  - name: read
    path: /api/collections/users/records/none
    expect: [401]
`)
	out := filepath.Join(dir, "out.json")
	code, stdout, stderr := run(t, "run", file, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	s := readSetup(t, out).Setup
	ok, refused := b.Requests(testkit.AuthLogin, 200), b.Requests(testkit.AuthLogin, 429)
	if refused == 0 {
		t.Fatalf("the server refused no login; the test proves nothing")
	}
	if ok != 4 || s.Status["200"] != int64(ok) || s.Status["429"] != int64(refused) || s.Requests != int64(ok+refused) || s.Retries != int64(refused) || s.Done != 4 {
		t.Errorf("setup %+v; the server answered %d logins and refused %d", s, ok, refused)
	}
	if want := fmt.Sprintf("%d retr", refused); !strings.Contains(stdout, want) {
		t.Errorf("the summary lacks %q:\n%s", want, stdout)
	}
}

// TestSetupProgressBar draws users done over users while setup goes on.
func TestSetupProgressBar(t *testing.T) {
	var out testkit.Buffer
	var p runner.SetupProgress
	stop := showSetupProgress(&out, 5, &p)
	waitFor(t, &out, "setup  0/5 users")
	stop()
}

func TestCommonPrefix(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"lg-ab-0"}, "lg-ab-0"},
		{[]string{"lg-ab-0", "lg-ab-1", "lg-ab-10"}, "lg-ab-"},
		{[]string{"é1", "è2"}, ""}, // never half a character
		{[]string{"x", "y"}, ""},
	} {
		if got := commonPrefix(tc.names); got != tc.want {
			t.Errorf("commonPrefix(%q) = %q, want %q", tc.names, got, tc.want)
		}
	}
}
