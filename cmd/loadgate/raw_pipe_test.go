//go:build linux

package main

import (
	"bufio"
	"encoding/json"
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

// TestRawToStalledPipeSmallRun: a run of 1,500 requests, quick enough to
// end while its records wait for the stalled pipe; the last writes are
// bounded too, the count of what is missing is exact, and the result is
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

// TestRawFollowsTheRun: --raw into a pipe that is read gives the run's
// records while it goes on, not in batches that would take minutes to fill
// (a request every 200 ms): the first line comes before the run's end.
func TestRawFollowsTheRun(t *testing.T) {
	api := watchAPI(t, "/health", false)
	path, out := fifo(t, false), filepath.Join(t.TempDir(), "result.json")
	// Opened for reading and writing, the pipe has a reader at once and
	// its reads wait for data instead of ending.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	first := make(chan string, 1)
	var readAt time.Time
	go func() {
		line, _ := bufio.NewReader(f).ReadString('\n')
		readAt = time.Now()
		first <- line
	}()
	_, stderr, stop := background(t, "run", "ping", "--target", api.URL, "-c", "1", "--pause", "200ms", "-d", "1m", "--raw", path, "--out", out)
	var record struct {
		Endpoint string `json:"endpoint"`
		Status   int    `json:"status"`
	}
	if err := json.Unmarshal([]byte(<-first), &record); err != nil || record.Endpoint != "ping" || record.Status != 200 {
		t.Errorf("first line: %+v (%v)", record, err)
	}
	if code := stop(); code != exitInterrupted {
		t.Errorf("exit %d, want 130\n%s", code, stderr)
	}
	if ended := readResult(t, out).EndedAt; !readAt.Before(ended) {
		t.Errorf("the first record came through the pipe at %s, after the run's end at %s", readAt.Format(time.StampMicro), ended.Format(time.StampMicro))
	}
}
