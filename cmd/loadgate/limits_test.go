package main

import (
	"strconv"
	"strings"
	"testing"
)

// TestLoadLimits: a load past what one process can send is refused before
// anything runs, saying the limit, and a rate too low for a second arrival
// still ends with its duration.
func TestLoadLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"rate", []string{"run", "ping", "--rate", "10000001", "-d", "2s"}, "--rate is 10000001/s; at most 10000000/s"},
		{"rate stage", []string{"run", "ping", "--rate", "5", "--stages", "1s:1e9"}, "a rate of 1000000000/s; at most 10000000/s"},
		{"closed stage", []string{"run", "ping", "--stages", "1s:1e9"}, "a target of 1000000000 workers; at most 100000"},
		{"workers", []string{"smoke", "-c", "1000000"}, "-c is 1000000; at most 100000"},
		{"max workers", []string{"run", "ping", "--rate", "5", "--max-workers", "1000000"}, "--max-workers is 1000000; at most 100000"},
		{"stages too long", []string{"run", "ping", "--stages", "2000000h:1,2000000h:1"}, "--stages last more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.stderr) || stdout != "" {
				t.Errorf("exit %d, stderr %q, want 2 and %q", code, stderr, tc.stderr)
			}
		})
	}
	code, stdout, stderr := run(t, "run", "ping", "--rate", "1e-10", "-d", "1s", "--slo", "requests==1")
	if code != exitOK {
		t.Errorf("a rate of 1e-10/s for 1s: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestEmptyTarget: a target given empty (an unset variable in
// `--target "$STAGING_URL"`, or $LOADGATE_TARGET set to nothing) is refused;
// only a target left out runs against the embedded API.
func TestEmptyTarget(t *testing.T) {
	code, stdout, stderr := run(t, "run", "ping", "-n", "1", "--target", "")
	if code != exitUsage || !strings.Contains(stderr, "--target is empty") || stdout != "" {
		t.Errorf("--target '': exit %d, stderr %q", code, stderr)
	}
	t.Setenv(envTarget, "")
	code, stdout, stderr = run(t, "run", "ping", "-n", "1")
	if code != exitUsage || !strings.Contains(stderr, "$LOADGATE_TARGET is empty") || stdout != "" {
		t.Errorf("$LOADGATE_TARGET='': exit %d, stderr %q", code, stderr)
	}
}

// TestOpenFilesLimit: a closed load with more workers than the process may
// open files is refused before the run, saying so, instead of counting
// "too many open files" as the target's failed connections.
func TestOpenFilesLimit(t *testing.T) {
	limit, ok := openFilesLimit()
	if !ok {
		t.Fatal("no open-files limit on this system")
	}
	// Against the embedded API each worker takes two files: one more than
	// half the limit is too many, or above the cap of 100,000 workers.
	code, _, stderr := run(t, "run", "ping", "-c", strconv.FormatUint(limit/2+1, 10), "-d", "1s")
	if code != exitUsage || !strings.Contains(stderr, "open files") && !strings.Contains(stderr, "at most 100000") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
