package main

import (
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/testkit"
)

// logsDocument is the part of loadgate.logs/v1 the tests read.
type logsDocument struct {
	Schema string `json:"schema"`
	Passed bool   `json:"passed"`
	Lines  struct {
		Read, Recognised, Unrecognised, OutsideWindow int64
	} `json:"lines"`
	Requests     int64 `json:"requests"`
	Errors       int64 `json:"errors"`
	LockTimeouts struct {
		Total, Structured int64
	} `json:"lock_timeouts"`
	LockAcquire struct{ Count int64 } `json:"lock_acquire_ms"`
	Run         *struct {
		LockTimeouts int64 `json:"lock_timeouts"`
		Errors       int64 `json:"errors"`
	} `json:"run"`
	SLOs []struct {
		Expr string
		Pass bool
	} `json:"slos"`
}

func readLogsDocument(t *testing.T, stdout string) logsDocument {
	t.Helper()
	var doc logsDocument
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not a logs document: %v\n%s", err, stdout)
	}
	if doc.Schema != "loadgate.logs/v1" {
		t.Fatalf("schema %q", doc.Schema)
	}
	return doc
}

// TestLogsOfTheReferenceAPI runs a contended load against the reference
// API (bcrypt under the storage lock, a short lock timeout) logging in
// text and in JSON at debug level, then reads its log back with the run's
// window: the lock timeouts in the log are exactly those the client
// counted, and the lock's debug records give the lock acquisition times.
func TestLogsOfTheReferenceAPI(t *testing.T) {
	for _, logFormat := range []string{"text", "json"} {
		t.Run(logFormat, func(t *testing.T) {
			dir := t.TempDir()
			var log testkit.Buffer
			handler := slog.Handler(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			if logFormat == "json" {
				handler = slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})
			}
			in, err := apiserver.Start(apiserver.Config{BcryptCost: 8, HashUnderLock: true,
				LockTimeout: 20 * time.Millisecond, LockSpin: time.Millisecond, Logger: slog.New(handler)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { in.Shutdown(t.Context()) })
			result := filepath.Join(dir, "result.json")
			code, stdout, stderr := run(t, "run", "smoke", "--target", in.URL(), "-c", "8", "-n", "48", "--pause", "0",
				"--out", result, "--no-progress", "--quiet")
			if code != exitOK && code != exitSLOFailed {
				t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
			}
			logFile := filepath.Join(dir, "service.log")
			if err := os.WriteFile(logFile, []byte(log.String()), 0o644); err != nil {
				t.Fatal(err)
			}

			code, stdout, stderr = run(t, "logs", logFile, "--run", result, "--format", "json", "--slo", "lock_timeouts==0", "--slo", "lock_acquire.p95<1h")
			if code != exitSLOFailed {
				t.Fatalf("logs: exit %d, want 3 (lock_timeouts==0 failed)\n%s\n%s", code, stdout, stderr)
			}
			doc := readLogsDocument(t, stdout)
			if doc.Run == nil || doc.Run.LockTimeouts == 0 {
				t.Fatalf("the run counted no lock timeouts (%+v): the load was not contended", doc.Run)
			}
			if doc.LockTimeouts.Total != doc.Run.LockTimeouts || doc.LockTimeouts.Structured != doc.Run.LockTimeouts {
				t.Errorf("log lock timeouts %+v, client %d: want them equal", doc.LockTimeouts, doc.Run.LockTimeouts)
			}
			if doc.Errors != doc.Run.Errors {
				t.Errorf("log errors %d, client %d", doc.Errors, doc.Run.Errors)
			}
			if doc.LockAcquire.Count == 0 || doc.Lines.Unrecognised != 0 {
				t.Errorf("lock acquisitions %d, unrecognised %d: want the debug lock records, and every line read",
					doc.LockAcquire.Count, doc.Lines.Unrecognised)
			}
			if len(doc.SLOs) != 2 || doc.SLOs[0].Pass || !doc.SLOs[1].Pass || doc.Passed {
				t.Errorf("SLOs %+v passed %v", doc.SLOs, doc.Passed)
			}
			t.Logf("client and log: %d lock timeouts of %d errors", doc.Run.LockTimeouts, doc.Run.Errors)

			code, stdout, _ = run(t, "logs", logFile, "--run", result)
			if code != exitOK || !strings.Contains(stdout, "lock timeouts  ") || !strings.Contains(stdout, "client") {
				t.Errorf("text summary: exit %d\n%s", code, stdout)
			}
		})
	}
}

// tracingLog is tracing-subscriber text with ANSI colours: a lock timeout
// logged both ways (one trace ID) and an auth error.
const tracingLog = "\x1b[2m2026-11-28T12:00:00.000001Z\x1b[0m \x1b[33m WARN\x1b[0m \x1b[1mrequest\x1b[0m\x1b[1m{\x1b[0m\x1b[3mtrace_id\x1b[0m\x1b[2m=\x1b[0m\"a\"\x1b[1m}\x1b[0m\x1b[2m:\x1b[0m \x1b[2mapi::store\x1b[0m\x1b[2m:\x1b[0m storage lock timeout - returning 503\n" +
	"\x1b[2m2026-11-28T12:00:00.000002Z\x1b[0m \x1b[33m WARN\x1b[0m \x1b[2mapi\x1b[0m\x1b[2m:\x1b[0m request failed \x1b[3mendpoint\x1b[0m\x1b[2m=\x1b[0m\"login\" \x1b[3mstatus\x1b[0m\x1b[2m=\x1b[0m503 \x1b[3merror_kind\x1b[0m\x1b[2m=\x1b[0mstorage_lock_timeout \x1b[3mtrace_id\x1b[0m\x1b[2m=\x1b[0m\"a\" \x1b[3mduration_ms\x1b[0m\x1b[2m=\x1b[0m2000.1\n" +
	"\x1b[2m2026-11-28T12:00:01.000001Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mapi\x1b[0m\x1b[2m:\x1b[0m request failed \x1b[3mendpoint\x1b[0m\x1b[2m=\x1b[0m\"login\" \x1b[3mstatus\x1b[0m\x1b[2m=\x1b[0m401 \x1b[3merror_kind\x1b[0m\x1b[2m=\x1b[0mauth_error \x1b[3mtrace_id\x1b[0m\x1b[2m=\x1b[0m\"b\" \x1b[3mduration_ms\x1b[0m\x1b[2m=\x1b[0m61\n"

func writeLog(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "service.log")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLogsANSIGivesTheSameResult(t *testing.T) {
	plain := tracingLog
	for _, esc := range []string{"\x1b[2m", "\x1b[0m", "\x1b[33m", "\x1b[32m", "\x1b[1m", "\x1b[3m"} {
		plain = strings.ReplaceAll(plain, esc, "")
	}
	var outputs []string
	for _, text := range []string{tracingLog, plain} {
		code, stdout, stderr := run(t, "logs", writeLog(t, text), "--format", "json", "--slo", "storage_lock_timeout==0", "--slo", "errors.auth_error<=1")
		if code != exitSLOFailed {
			t.Fatalf("exit %d, want 3\n%s%s", code, stdout, stderr)
		}
		doc := readLogsDocument(t, stdout)
		if doc.LockTimeouts.Total != 1 || doc.Errors != 2 || doc.Lines.Recognised != 3 {
			t.Errorf("lock timeouts %+v errors %d recognised %d; want 1 (logged twice, one trace ID), 2, 3", doc.LockTimeouts, doc.Errors, doc.Lines.Recognised)
		}
		outputs = append(outputs, strings.ReplaceAll(stdout, `"source"`, ""))
	}
	// The documents differ only in the file name.
	first, second := outputs[0], outputs[1]
	cut := func(s string) string { i := strings.Index(s, "\n  \"lines\""); return s[i:] }
	if cut(first) != cut(second) {
		t.Errorf("with ANSI:\n%s\nwithout:\n%s", first, second)
	}
}

func TestLogsReportFiles(t *testing.T) {
	dir := t.TempDir()
	junit, markdown := filepath.Join(dir, "logs.xml"), filepath.Join(dir, "logs.md")
	code, stdout, stderr := run(t, "logs", writeLog(t, tracingLog), "--junit", junit, "--markdown", markdown,
		"--slo", "errors==0", "--since", "2026-11-28T12:00:00Z", "--until", "2026-11-28T12:00:01Z")
	if code != exitSLOFailed {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "1 record outside it") || !strings.Contains(stdout, "FAIL  errors==0  1 is not == 0") {
		t.Errorf("summary:\n%s", stdout)
	}
	x, err := os.ReadFile(junit)
	if err != nil || !strings.Contains(string(x), `<failure message="errors==0: 1 is not == 0" type="slo">`) {
		t.Errorf("junit: %v\n%s", err, x)
	}
	md, err := os.ReadFile(markdown)
	if err != nil || !strings.Contains(string(md), "## loadgate logs") || !strings.Contains(string(md), "❌ FAIL") {
		t.Errorf("markdown: %v\n%s", err, md)
	}
}

func TestLogsNothingToCount(t *testing.T) {
	cases := map[string]struct {
		text string
		args []string
		want string
	}{
		"unknown format":    {"panic: boom\ngoroutine 1 [running]:\n", nil, "no line of"},
		"empty":             {"", nil, "has no line"},
		"random bytes":      {randomBytes(3_000_000), nil, "no line of"},
		"a line over 1 MiB": {strings.Repeat("x", 2<<20) + "\n", nil, "(1 line read; line 1: longer than 1 MiB (1048576 bytes), skipped)"},
		"outside window":    {tracingLog, []string{"--since", "2027-01-01T00:00:00Z"}, "none of the 3 records"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"logs", writeLog(t, c.text)}, c.args...)...)
			if code != exitRunFailed || !strings.Contains(stderr, c.want) || strings.Contains(stdout, "0 errors") {
				t.Errorf("exit %d, want 1 saying %q\nstdout %s\nstderr %s", code, c.want, stdout, stderr)
			}
		})
	}
}

// randomBytes returns n bytes of a fixed random sequence: no log.
func randomBytes(n int) string {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{2}).Read(b)
	return string(b)
}

func TestLogsUsageErrors(t *testing.T) {
	log := writeLog(t, tracingLog)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"logs"}, "logs needs one log file"},
		{[]string{"logs", log, log}, "logs takes one log file"},
		{[]string{"logs", log, "--format", "yaml"}, `--format must be text or json, not "yaml"`},
		{[]string{"logs", log, "--slo", "p95<5ms"}, `unknown metric "p95" for a log`},
		{[]string{"logs", log, "--since", "yesterday"}, `--since "yesterday" is not an RFC 3339 time`},
		{[]string{"logs", log, "--since", "2026-11-28T12:00:01Z", "--until", "2026-11-28T12:00:00Z"}, "is not before --until"},
		{[]string{"logs", log, "--run", "r.json", "--since", "2026-11-28T12:00:01Z"}, "--run sets the window"},
		{[]string{"logs", log, "--run", filepath.Join(t.TempDir(), "none.json")}, "--run "},
		{[]string{"logs", log, "--junit", ""}, "--junit is empty"},
		{[]string{"logs", filepath.Join(t.TempDir(), "missing.log")}, "no such file"},
		{[]string{"logs", t.TempDir()}, "is a directory"}, // it was exit 1
		{[]string{"logs", filepath.Join(log, "x")}, "not a directory"},
	} {
		code, _, stderr := run(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, want 2 saying %q: %s", c.args, code, c.want, stderr)
		}
	}
}
