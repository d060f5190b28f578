package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
	"golang.org/x/crypto/bcrypt"
)

// fast are flags that keep a test run short: the cheapest bcrypt and no pause.
var fast = []string{"--bcrypt-cost", "4", "--pause", "0"}

func args(a ...[]string) []string {
	var all []string
	for _, x := range a {
		all = append(all, x...)
	}
	return all
}

// resultFile reads a --out file.
type resultFile struct {
	Passed      bool      `json:"passed"`
	Interrupted bool      `json:"interrupted"`
	EndedAt     time.Time `json:"ended_at"`
	Totals      struct {
		Requests     int64            `json:"requests"`
		LockTimeouts int64            `json:"lock_timeouts"`
		Transport    map[string]int64 `json:"transport"`
	} `json:"totals"`
	Endpoints map[string]json.RawMessage `json:"endpoints"`
	SLOs      []struct {
		Expr string `json:"expr"`
		Pass bool   `json:"pass"`
	} `json:"slos"`
}

func readResult(t *testing.T, path string) resultFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading --out: %v", err)
	}
	var r resultFile
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("--out is not the result JSON: %v", err)
	}
	return r
}

// TestSmokePasses runs the built-in smoke test, as it is, against the
// embedded API: exit 0, ten logins, the SLO passed.
func TestSmokePasses(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result.json")
	code, stdout, stderr := run(t, "smoke", "--bcrypt-cost", "4", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"scenario   smoke", "load       serial, 1 worker, 10 iterations, 500ms pause", "PASS  errors==0", "200:10"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if r := readResult(t, out); !r.Passed || r.Totals.Requests != 10 || r.Endpoints["login"] == nil {
		t.Errorf("result file: passed %v, %d requests, endpoints %v", r.Passed, r.Totals.Requests, r.Endpoints)
	}
	if stderr != "" {
		t.Errorf("stderr is not empty when it is not a terminal: %q", stderr)
	}
}

func TestExitCodes(t *testing.T) {
	refused := func() string {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		return srv.URL
	}()
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string // a part of the one error line
	}{
		{"impossible SLO", args([]string{"smoke", "-n", "2", "--slo", "p95<1us"}, fast), exitSLOFailed, "1 of 1 SLO failed"},
		{"malformed SLO", []string{"smoke", "--slo", "p95<5oo"}, exitUsage, `invalid SLO "p95<5oo": "5oo" is not a duration`},
		{"unknown scope", []string{"smoke", "--slo", "checkout.p95<1s"}, exitUsage, `unknown endpoint "checkout"`},
		{"standard scope without samples", args([]string{"smoke", "-n", "1", "--slo", "register.p95<1s"}, fast), exitSLOFailed, "1 of 1 SLO failed"},
		{"several problems on one line", []string{"smoke", "-c", "0", "-n", "-1"}, exitUsage, "-c must be at least 1, got 0; -n must be 0"},
		{"zero lock timeout", []string{"smoke", "--lock-timeout", "0"}, exitUsage, "--lock-timeout must be positive, got 0s"},
		{"out is a directory", []string{"smoke", "--out", os.TempDir()}, exitUsage, "is a directory"},
		{"empty out", []string{"smoke", "--out="}, exitUsage, "--out is empty: give a file name, or leave the flag out"},
		{"empty html", []string{"smoke", "--html", ""}, exitUsage, "--html is empty"},
		{"empty raw", []string{"smoke", "--raw="}, exitUsage, "--raw is empty"},
		{"empty cpu profile", []string{"smoke", "--cpuprofile="}, exitUsage, "--cpuprofile is empty"},
		{"empty baseline", []string{"smoke", "--baseline="}, exitUsage, "--baseline is empty"},
		{"unknown scenario", []string{"run", "soak"}, exitUsage, `unknown scenario "soak": built-in scenarios are smoke, stress, register-storm`},
		{"missing scenario file", []string{"run", "mine.yaml"}, exitUsage, "mine.yaml: no such file or directory"},
		{"two scenarios", []string{"run", "smoke", "stress"}, exitUsage, `run takes one scenario, a built-in name or a FILE.yaml, not 2 arguments ("smoke" "stress")`},
		{"unknown flag", []string{"smoke", "--rps", "5"}, exitUsage, "unknown flag: --rps"},
		{"bad rate", []string{"run", "ping", "--rate", "fast"}, exitUsage, `invalid --rate: rate "fast" is not a number`},
		{"negative rate", []string{"run", "ping", "--rate=-5"}, exitUsage, `invalid --rate: rate "-5" is below 0`},
		{"rate per hour", []string{"run", "ping", "--rate", "5/h"}, exitUsage, "the unit after / must be s or m"},
		{"rate with -c", []string{"run", "ping", "--rate", "5", "-c", "3"}, exitUsage, "-c sets the closed model's workers"},
		{"max workers without rate", []string{"run", "ping", "--max-workers", "3"}, exitUsage, "--max-workers applies to the open model"},
		{"pause in the open model", []string{"run", "ping", "--rate", "5", "--pause", "1s"}, exitUsage, "--pause applies to the closed model only"},
		{"bad stages", []string{"run", "ping", "--stages", "10s:5,oops"}, exitUsage, `invalid --stages: stage 2 "oops"`},
		{"zero rate", []string{"run", "ping", "--rate", "0"}, exitUsage, "--rate must be more than 0 without stages"},
		{"bad duration", []string{"smoke", "-d", "ten"}, exitUsage, `-d/--duration "ten": not a duration such as 500ms`},
		{"not a number", []string{"smoke", "-c", "abc"}, exitUsage, `-c/--concurrency "abc": not a whole number`},
		{"out of range", []string{"smoke", "-n", "99999999999999999999"}, exitUsage, `-n/--iterations "99999999999999999999": out of range`},
		{"not a bool", []string{"smoke", "--quiet=maybe"}, exitUsage, `--quiet "maybe": not true or false`},
		{"zero workers", []string{"smoke", "-c", "0"}, exitUsage, "-c must be at least 1, got 0"},
		{"zero timeout", []string{"smoke", "--timeout", "0s"}, exitUsage, "--timeout must be positive, got 0s"},
		{"target without scheme", []string{"smoke", "--target", "127.0.0.1:8080"}, exitUsage, "--target 127.0.0.1:8080: missing scheme; did you mean http://127.0.0.1:8080?"},
		{"target without host", []string{"smoke", "--target", "http://"}, exitUsage, "--target http://: no host"},
		{"target of another scheme", []string{"smoke", "--target", "ftp://bob:s3cret@127.0.0.1/"}, exitUsage, `--target ftp://bob:xxxxx@127.0.0.1/: scheme "ftp" is not supported`},
		{"unparsable target", []string{"smoke", "--target", "http://bob:s3cret@host:port/"}, exitUsage, `--target http://bob:xxxxx@host:port/: invalid port ":port"`},
		{"refused target with a password", []string{"smoke", "--target", strings.Replace(refused, "//", "//bob:s3cret@", 1)}, exitRunFailed, "bob:xxxxx@127.0.0.1"},
		{"server flag with target", []string{"smoke", "--target", "http://127.0.0.1:1", "--hash-under-lock"}, exitUsage, "--hash-under-lock sets up the embedded reference API"},
		{"bad bcrypt cost", []string{"smoke", "--bcrypt-cost", "40"}, exitUsage, "--bcrypt-cost must be between 4 and 31"},
		{"username without password", []string{"smoke", "--username", "alice"}, exitUsage, "--username needs a password"},
		{"password without username", []string{"smoke", "--password", "x"}, exitUsage, "--password needs --username"},
		{"out in a missing directory", []string{"smoke", "--out", "/nonexistent/dir/r.json"}, exitUsage, "directory /nonexistent/dir does not exist"},
		{"refused target", []string{"smoke", "--target", refused}, exitRunFailed, "is unreachable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q; want one line containing %q", stderr, tc.stderr)
			}
			if strings.Contains(stdout+stderr, "s3cret") {
				t.Errorf("a password is shown:\n%s%s", stdout, stderr)
			}
			if tc.code == exitUsage && stdout != "" {
				t.Errorf("a usage error printed a summary: %q", stdout)
			}
		})
	}
}

// TestInterruptWritesResult interrupts a run once its load is under way:
// exit 130, and the summary and result file cover what ran.
func TestInterruptWritesResult(t *testing.T) {
	api := watchAPI(t, "/api/auth/login", false)
	out := filepath.Join(t.TempDir(), "result.json")
	stdout, stderr, stop := background(t, "run", "stress", "-c", "4", "-d", "1m", "--target", api.URL, "--out", out)
	api.waitFor(t, 20)
	if code := stop(); code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "interrupted: the figures cover what ran") {
		t.Errorf("summary does not say it was interrupted:\n%s", stdout)
	}
	if r := readResult(t, out); !r.Interrupted || r.Totals.Requests == 0 {
		t.Errorf("result file: interrupted %v with %d requests", r.Interrupted, r.Totals.Requests)
	}
}

// TestInterruptDuringSetup interrupts a run while it registers its users:
// exit 130 with one line saying nothing was measured, and no result file.
func TestInterruptDuringSetup(t *testing.T) {
	api := watchAPI(t, "/api/auth/register", true)
	out := filepath.Join(t.TempDir(), "result.json")
	stdout, stderr, stop := background(t, "run", "stress", "--target", api.URL, "--out", out)
	api.waitFor(t, 1)
	if code := stop(); code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	want := "loadgate: interrupted before the load began: nothing was measured, no result written\n"
	if stderr.String() != want || stdout.String() != "" {
		t.Errorf("stdout %q, stderr %q; want no summary and stderr %q", stdout, stderr, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--out after an interrupted setup: %v", err)
	}
}

// TestInterruptBeforeLoad: a run interrupted before its load began (here,
// before it started at all: ping registers nobody) writes no result and
// creates no --raw file.
func TestInterruptBeforeLoad(t *testing.T) {
	out, raw := filepath.Join(t.TempDir(), "result.json"), filepath.Join(t.TempDir(), "raw.csv")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr testkit.Buffer
	code := execute(ctx, []string{"run", "ping", "-n", "5", "--out", out, "--raw", raw}, &stdout, &stderr)
	want := "loadgate: interrupted before the load began: nothing was measured, no result written\n"
	if code != exitInterrupted || stderr.String() != want || stdout.String() != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 130 and %q alone", code, stdout.String(), stderr.String(), want)
	}
	for _, file := range []string{out, raw} {
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("%s of a run interrupted before its load: %v", file, err)
		}
	}
}

// TestGateCatchesHashUnderLock: with bcrypt under the storage lock, 20
// workers produce lock timeouts and the gate fails (3); against the normal
// API the same run has none and passes (0). The normal API gets a lock
// timeout far above its lock holds (microseconds), so that a busy machine
// that pauses a holder for a while cannot fail it; with the hash under the
// lock, 20 logins queue behind one another's hashes, which a busy machine
// only makes longer.
func TestGateCatchesHashUnderLock(t *testing.T) {
	load := []string{"run", "stress", "-c", "20", "-d", "3s", "--bcrypt-cost", "8", "--slo", "lock_timeouts==0"}
	for _, tc := range []struct {
		name  string
		fault []string
		code  int
	}{
		{"hash under lock", []string{"--hash-under-lock", "--lock-timeout", "100ms"}, exitSLOFailed},
		{"normal API", []string{"--lock-timeout", "5s"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "result.json")
			code, stdout, stderr := run(t, args(load, tc.fault, []string{"--out", out})...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			r := readResult(t, out)
			t.Logf("%d requests, %d lock timeouts", r.Totals.Requests, r.Totals.LockTimeouts)
			if tc.code == exitSLOFailed && (r.Totals.LockTimeouts == 0 || r.SLOs[0].Pass) {
				t.Errorf("no lock timeouts counted with the hash under the lock")
			}
			if tc.code == exitOK && r.Totals.LockTimeouts != 0 {
				t.Errorf("%d lock timeouts against the normal API", r.Totals.LockTimeouts)
			}
		})
	}
}

// remoteAPI starts a reference API apart from loadgate, as a remote target.
func remoteAPI(t *testing.T) *apiserver.Instance {
	t.Helper()
	in, err := apiserver.Start(apiserver.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Shutdown(context.Background()) })
	return in
}

// carolPassword is the password of the user registerCarol registers.
const carolPassword = "Carol-Pw1!"

// registerCarol registers the user carol with carolPassword at in.
func registerCarol(t *testing.T, in *apiserver.Instance) {
	t.Helper()
	target, _ := url.Parse(in.URL())
	_, err := runner.Setup(t.Context(), http.DefaultClient, target, []runner.SetupRequest{{Label: "register carol",
		Method: "POST", Path: "/api/auth/register", Body: []byte(`{"username":"carol","password":"` + carolPassword + `","email":"c@example.com"}`)}}, runner.SetupOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRemoteTargetCredentials: against a remote target, smoke logs in with
// the given credentials (password from the flag or the environment) and
// registers nobody; without credentials it registers a fresh user.
func TestRemoteTargetCredentials(t *testing.T) {
	in := remoteAPI(t)
	registerCarol(t, in)
	t.Setenv(envTarget, in.URL())
	if code, stdout, stderr := run(t, "smoke", "-n", "2", "--pause", "0", "--username", "carol", "--password", carolPassword); code != exitOK {
		t.Errorf("with --password: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Setenv(envPassword, carolPassword)
	if code, stdout, stderr := run(t, "smoke", "-n", "2", "--pause", "0", "--username", "carol"); code != exitOK {
		t.Errorf("with $%s: exit %d\n%s%s", envPassword, code, stdout, stderr)
	}
	if code, stdout, _ := run(t, "smoke", "-n", "1", "--username", "carol", "--password", "Wrong-Pw1!"); code != exitSLOFailed || !strings.Contains(stdout, "401:1") {
		t.Errorf("with a wrong password: exit %d, want 3 with a 401\n%s", code, stdout)
	}
	before := in.LockStats().Operations
	t.Setenv(envPassword, "")
	if code, stdout, stderr := run(t, "smoke", "-n", "2", "--pause", "0"); code != exitOK {
		t.Errorf("without credentials: exit %d\n%s%s", code, stdout, stderr)
	}
	if ops := in.LockStats().Operations - before; ops != 3 { // one registration, two logins
		t.Errorf("%d storage operations without credentials, want 3 (register once, log in twice)", ops)
	}
}

// TestTargetDiesMidRun: the run goes on, counts the failed connection
// attempts apart, reports, and the SLOs judge it.
func TestTargetDiesMidRun(t *testing.T) {
	api, err := apiserver.New(apiserver.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	// It answers the setup's registration and 10 logins, then dies.
	target := testkit.DyingServer(t, api, 11)
	out := filepath.Join(t.TempDir(), "result.json")
	code, stdout, stderr := run(t, "smoke", "--target", target, "-n", "15", "--pause", "20ms", "--out", out)
	if code != exitSLOFailed {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	r := readResult(t, out)
	if r.Interrupted || r.Totals.Requests != 15 || r.Totals.Transport["refused"] != 5 {
		t.Errorf("interrupted %v, %d requests, transport errors %v; want 15 requests, the last 5 refused",
			r.Interrupted, r.Totals.Requests, r.Totals.Transport)
	}
	summary := strings.Join(strings.Fields(stdout), " ")
	if !strings.Contains(stdout, "refused:5") || !strings.Contains(stdout, "FAIL  errors==0") ||
		!strings.Contains(summary, "connects 5 connection attempts failed (refused:5); 10 requests reached the server") {
		t.Errorf("summary does not show the refused connections apart and the failed SLO:\n%s", stdout)
	}
}

// TestSetupFailureIsOneLine: a target that refuses the setup registration
// aborts with one line naming the request and the status, exit 1.
func TestSetupFailureIsOneLine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":"registration is closed"}`))
	}))
	defer srv.Close()
	code, stdout, stderr := run(t, "smoke", "--target", srv.URL)
	if code != exitRunFailed || strings.Count(stderr, "\n") != 1 || stdout != "" ||
		!strings.Contains(stderr, "setup failed: register user lg-smoke-") ||
		!strings.Contains(stderr, "POST "+srv.URL+"/api/auth/register answered 403") {
		t.Errorf("exit %d, stderr %q, stdout %q", code, stderr, stdout)
	}
}

func TestQuietPrintsOnlySLOs(t *testing.T) {
	code, stdout, _ := run(t, args([]string{"smoke", "-n", "2", "--quiet", "--slo", "errors==0", "--slo", "p99<1us"}, fast)...)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitSLOFailed || len(lines) != 2 || !strings.Contains(lines[0], "PASS  errors==0") || !strings.Contains(lines[1], "FAIL  p99<1us") {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
}

func TestRegisterStorm(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result.json")
	code, stdout, stderr := run(t, "run", "register-storm", "-c", "4", "-n", "40", "--bcrypt-cost", "4", "--out", out,
		"--slo", "errors==0", "--slo", "register.status_409==4", "--slo", "register.status_200==36")
	if code != exitOK {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestScenariosList(t *testing.T) {
	code, stdout, _ := run(t, "scenarios")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitOK || len(lines) != 5 || !strings.HasPrefix(lines[0], "smoke ") || !strings.HasPrefix(lines[4], "ping ") {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
}

// TestTargetPasswordRedacted: a password in --target never reaches the
// summary, the result file or an error line.
func TestTargetPasswordRedacted(t *testing.T) {
	in := remoteAPI(t)
	withPassword := strings.Replace(in.URL(), "http://", "http://bob:s3cret@", 1)
	out := filepath.Join(t.TempDir(), "result.json")
	code, stdout, stderr := run(t, "smoke", "--target", withPassword, "-n", "1", "--out", out)
	data, _ := os.ReadFile(out)
	if code != exitOK || strings.Contains(stdout+stderr+string(data), "s3cret") || !strings.Contains(stdout, "bob:xxxxx@") {
		t.Errorf("exit %d; the password shows in the output:\n%s%s%s", code, stdout, stderr, data)
	}
	forbidden := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	defer forbidden.Close()
	code, _, stderr = run(t, "smoke", "--target", strings.Replace(forbidden.URL, "http://", "http://bob:s3cret@", 1))
	if code != exitRunFailed || strings.Contains(stderr, "s3cret") {
		t.Errorf("exit %d, setup error %q", code, stderr)
	}
}

// TestOpenModelRun runs ping at a fixed rate: the summary shows the target
// and achieved rates and the drops, and the result file the open model.
// Its SLO is given: the dropped<1% that --rate adds would fail on one
// arrival a busy machine dropped behind.
func TestOpenModelRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result.json")
	code, stdout, stderr := run(t, "run", "ping", "--rate", "6000/m", "-d", "1s", "--out", out, "--slo", "error_rate<1%")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "load       open, 100/s, up to 1000 workers, for 1s") ||
		!strings.Contains(stdout, "rate       target 100.0 iterations/s, achieved") || !strings.Contains(stdout, "of 100 arrivals dropped") {
		t.Errorf("summary:\n%s", stdout)
	}
	var r struct {
		Load struct {
			Model       string  `json:"model"`
			Concurrency int     `json:"concurrency"`
			Rate        float64 `json:"rate"`
			MaxWorkers  int     `json:"max_workers"`
		} `json:"load"`
		Totals struct {
			Requests, Arrivals, Dropped, Iterations int64
			DroppedNoWorker                         int64 `json:"dropped_no_worker"`
		} `json:"totals"`
		Endpoints map[string]struct {
			ServiceMS        map[string]float64 `json:"service_ms"`
			ServiceHistogram string             `json:"service_histogram"`
		} `json:"endpoints"`
	}
	data, _ := os.ReadFile(out)
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	// A busy machine may stall the dispatcher past 10 ms and drop a few
	// arrivals as the generator's; none may find the pool of 1,000 full.
	if r.Load.Model != "open" || r.Load.Concurrency != 0 || r.Load.Rate != 100 || r.Load.MaxWorkers != 1000 || r.Totals.Arrivals != 100 ||
		r.Totals.Requests+r.Totals.Dropped != 100 || r.Totals.DroppedNoWorker != 0 || r.Totals.Iterations != r.Totals.Requests {
		t.Errorf("result: %+v", r)
	}
	if ping := r.Endpoints["ping"]; ping.ServiceHistogram == "" || ping.ServiceMS["p99"] == 0 {
		t.Errorf("no service times in the result: %+v", ping)
	}
}

// TestStagesRampWorkersAndRates: stages ramp the worker count in the closed
// model and the arrival rate in an open scenario.
func TestStagesRampWorkersAndRates(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result.json")
	// A plateau at 4: the closed model reads the stages at its ramp ticks,
	// and on a busy machine a peak of one instant falls between two.
	code, stdout, stderr := run(t, "run", "ping", "--stages", "300ms:4,1s:4,300ms:0", "--slo", "requests>0", "--out", out)
	var r struct {
		Load struct {
			Model       string   `json:"model"`
			PeakWorkers int      `json:"peak_workers"`
			Stages      []string `json:"stages"`
		} `json:"load"`
	}
	data, _ := os.ReadFile(out)
	json.Unmarshal(data, &r)
	if code != exitOK || r.Load.Model != "closed" || r.Load.PeakWorkers != 4 || len(r.Load.Stages) != 3 {
		t.Errorf("closed ramp: exit %d, load %+v\n%s%s", code, r.Load, stdout, stderr)
	}
	// The built-in ramp judges p95; this test replaces its SLOs, since a
	// latency is no unit test's business.
	code, stdout, stderr = run(t, "run", "ramp", "--stages", "1s:40,1s:0", "--bcrypt-cost", "4", "--slo", "requests>0", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "of 40 arrivals dropped") {
		t.Errorf("open ramp: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestTargetPasswordNeverShown: a target's password is in none of the
// outputs of a run, nor in the error about a bad $LOADGATE_TARGET.
func TestTargetPasswordNeverShown(t *testing.T) {
	api := watchAPI(t, "/api/auth/login", false)
	dir := t.TempDir()
	outputs := []string{"--out", "r.json", "--junit", "r.xml", "--markdown", "r.md", "--html", "r.html"}
	a := []string{"smoke", "-n", "2", "--target", strings.Replace(api.URL, "//", "//bob:s3cret@", 1)}
	for i := 0; i < len(outputs); i += 2 {
		a = append(a, outputs[i], filepath.Join(dir, outputs[i+1]))
	}
	code, stdout, stderr := run(t, args(a, []string{"--pause", "0"})...)
	if code != exitOK || !strings.Contains(stdout, "bob:xxxxx@127.0.0.1") {
		t.Fatalf("exit %d, want 0 and the target redacted\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	shown := stdout + stderr
	for i := 1; i < len(outputs); i += 2 {
		shown += string(mustRead(t, filepath.Join(dir, outputs[i])))
	}
	if strings.Contains(shown, "s3cret") {
		t.Errorf("the password is shown in the summary or a report")
	}

	closed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden) // setup fails
	}))
	defer closed.Close()
	code, _, stderr = run(t, "smoke", "--target", strings.Replace(closed.URL, "//", "//bob:s3cret@", 1))
	if code != exitRunFailed || !strings.Contains(stderr, "setup failed") || !strings.Contains(stderr, "bob:xxxxx@") || strings.Contains(stderr, "s3cret") {
		t.Errorf("a failed setup: exit %d, stderr %q; want 1 and the target redacted", code, stderr)
	}

	t.Setenv(envTarget, "bob:s3cret@localhost:9")
	code, _, stderr = run(t, "smoke")
	if want := "$LOADGATE_TARGET bob:xxxxx@localhost:9: missing scheme; did you mean http://bob:xxxxx@localhost:9?"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
}

// TestProtocolEventsCounted: answers with bytes after them are protocol
// events, counted in the summary and the result file; net/http's log, which
// would print such events, is the run's own while it runs.
func TestProtocolEventsCounted(t *testing.T) {
	addr, _ := testkit.RawHTTPServer(t, "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello", false)
	out := filepath.Join(t.TempDir(), "result.json")
	before := log.Writer()
	code, stdout, stderr := run(t, "run", "ping", "--target", "http://"+addr, "-c", "1", "-n", "5", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	var r struct {
		Totals struct {
			ProtocolEvents int64 `json:"protocol_events"`
		} `json:"totals"`
	}
	data, _ := os.ReadFile(out)
	if err := json.Unmarshal(data, &r); err != nil || r.Totals.ProtocolEvents == 0 {
		t.Errorf("protocol_events %d (%v); want the dropped connections counted", r.Totals.ProtocolEvents, err)
	}
	if !strings.Contains(stdout, "protocol events") {
		t.Errorf("the summary does not count the protocol events:\n%s", stdout)
	}
	if log.Writer() != before {
		t.Errorf("the process's log was left redirected")
	}
}

// TestSummaryCountsInTheSingular: one request and one error read as such.
func TestSummaryCountsInTheSingular(t *testing.T) {
	_, stdout, _ := run(t, "run", "ping", "-n", "1")
	if !strings.Contains(stdout, "total      1 request, 1 ok, 0 errors (0%)") {
		t.Errorf("summary:\n%s", stdout)
	}
}

// TestBadVariedPathHidesPassword: a path template that makes no valid URL
// fails its requests with a message naming the path, and never the target's
// password, which url.Parse would quote.
func TestBadVariedPathHidesPassword(t *testing.T) {
	api := watchAPI(t, "/health", false)
	dir := t.TempDir()
	file := writeFile(t, dir, "bad.yaml", "load: {iterations: 2}\nsteps:\n  - {name: a, path: \"/x%zz{{seq}}\"}\n")
	out := filepath.Join(dir, "r.json")
	_, stdout, stderr := run(t, "run", file, "--target", strings.Replace(api.URL, "//", "//bob:s3cret@", 1), "--out", out)
	shown := stdout + stderr + string(mustRead(t, out))
	if !strings.Contains(shown, `path \"/x%zz0\" does not make a valid URL`) || strings.Contains(shown, "s3cret") {
		t.Errorf("the failure does not name the path, or shows the password:\n%s", shown)
	}
}
