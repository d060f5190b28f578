//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fifo makes a named pipe for --raw. With a reader, it is opened for
// reading and never read, so that a writer stalls once the pipe is full.
func fifo(t *testing.T, reader bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "raw.jsonl")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if reader {
		f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
	}
	return path
}

// TestRawToStalledPipe: --raw into a pipe nobody reads, then an interrupt:
// the run ends (a write to the pipe fails after --timeout), says how many
// records were not written, and still writes its result. A failed output
// outranks the interrupt: exit 1.
func TestRawToStalledPipe(t *testing.T) {
	api := watchAPI(t, "/health", false)
	out := filepath.Join(t.TempDir(), "result.json")
	_, stderr, stop := background(t, "run", "ping", "--target", api.URL, "-d", "1m", "--timeout", "1s",
		"--raw", fifo(t, true), "--out", out)
	api.waitFor(t, 5000) // records enough to fill the pipe and the file's buffer
	code := make(chan int)
	go func() { code <- stop() }()
	select {
	case c := <-code:
		if c != exitRunFailed {
			t.Errorf("exit %d, want 1", c)
		}
	case <-time.After(time.Minute):
		t.Fatal("the run did not end with its --raw pipe stalled")
	}
	if s := stderr.String(); !strings.Contains(s, "records not written: the file took no more for 1s") {
		t.Errorf("stderr does not say what was lost:\n%s", s)
	}
	if r := readResult(t, out); r.Totals.Requests < 5000 {
		t.Errorf("result: %d requests", r.Totals.Requests)
	}
}

// TestRawToPipeWithoutReader: a named pipe nothing reads is refused at
// once instead of blocking the open before the run.
func TestRawToPipeWithoutReader(t *testing.T) {
	code, _, stderr := run(t, "run", "ping", "-n", "1", "--raw", fifo(t, false))
	if code == exitOK || !strings.Contains(stderr, "is a named pipe that nothing reads") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestRawToStalledPipeSmallRun: a run whose records all fit in the file's
// buffer meets the stalled pipe only when it flushes at the end; that flush
// is bounded too, the count of what is missing is exact, and the result is
// written.
func TestRawToStalledPipeSmallRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result.json")
	done := make(chan struct{})
	var code int
	var stderr string
	go func() {
		defer close(done)
		code, _, stderr = run(t, "run", "ping", "-n", "1500", "--timeout", "1s", "--raw", fifo(t, true), "--out", out)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the run did not end with its --raw pipe stalled")
	}
	r := readResult(t, out)
	// A pipe holds 64 KiB of the 1500 lines: some are written, the rest
	// counted.
	if code != exitRunFailed || !strings.Contains(stderr, "of 1500 records not written: the file took no more for 1s") || r.Totals.Requests != 1500 {
		t.Errorf("exit %d, %d requests, stderr %q", code, r.Totals.Requests, stderr)
	}
}
