package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
)

// TestRetrySLOs: against an auth API that lets 3 logins through and then
// answers 429 without Retry-After, 4 serial logins retried twice each make
// 6 requests: 2 retries, and of the 4 first attempts 1 error (25%). The
// SLOs on retries and first attempts pass and fail by those numbers,
// through run and through report; one on a step the file lacks, or on the
// first attempts' latency, is a usage error.
func TestRetrySLOs(t *testing.T) {
	backend := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{LoginBurst: 3})
	backend.AddUser("ann@example.test", "Secret-123")
	dir := t.TempDir()
	file := writeFile(t, dir, "throttled.yaml", `
name: throttled
target: `+backend.URL+`
load: {iterations: 4}
users:
  fixed: {username: ann@example.test, password: Secret-123}
steps:
  - name: login
    path: /api/collections/users/auth-with-password
    body: {identity: "{{user.username}}", password: "{{user.password}}"}
    retry: {max: 2, max_wait: 20ms}
`)
	out := filepath.Join(dir, "result.json")
	const route = testkit.AuthLogin
	for _, tc := range []struct {
		slos []string
		code int
		want string // in stdout for a run, stderr for a usage error
	}{
		{[]string{"retries==2", "login.retries<=33.4%", "login.first_attempt.error_rate<=25%", "first_attempt.errors==1", "first_attempt.ok==3"}, exitOK,
			"first_attempt.error_rate<=25%"},
		{[]string{"retries<2"}, exitSLOFailed, "2 is not < 2"},
		{[]string{"login.first_attempt.error_rate<25%"}, exitSLOFailed, "25% is not < 25%"},
		{[]string{"session.retries<5"}, exitUsage, `unknown endpoint "session"`},
		{[]string{"first_attempt.p95<1s"}, exitUsage, "first attempts are counted by class only"},
	} {
		t.Run(strings.Join(tc.slos, ","), func(t *testing.T) {
			backend.Release()
			refusedBefore := backend.Requests(route, 429)
			args := []string{"run", file, "--out", out, "--no-progress"}
			for _, s := range tc.slos {
				args = append(args, "--slo", s)
			}
			code, stdout, stderr := run(t, args...)
			shown := stdout
			if tc.code == exitUsage {
				shown = stderr
			}
			if code != tc.code || !strings.Contains(shown, tc.want) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.want, stdout, stderr)
			}
			if tc.code == exitUsage {
				return
			}
			e := endpoint(t, readResult(t, out), "login")
			if refused := int64(backend.Requests(route, 429) - refusedBefore); e.Requests != 6 || e.Retries != 2 || e.Classes["client_error"] != 3 || refused != 3 {
				t.Errorf("%+v, the server refused %d; want 6 requests, 2 retries, 3 429s on both sides", e, refused)
			}
		})
	}
	// The result file holds what report judges again.
	code, stdout, stderr := run(t, "report", out, "--slo", "first_attempt.error_rate<1%", "--slo", "retries<=2")
	if code != exitSLOFailed || !strings.Contains(stdout, "25% is not < 1%") || !strings.Contains(stdout, "2 <= 2") {
		t.Errorf("report: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitSLOFailed, stdout, stderr)
	}
	code, stdout, stderr = run(t, "report", out, "--slo", "retries<=2", "--baseline", out, "--max-regression", "retries=0,first_attempt.error_rate=0%")
	if code != exitOK {
		t.Errorf("report against itself as a baseline: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
