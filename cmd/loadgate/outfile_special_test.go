//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOutputThroughSymlink: an output named by a symbolic link is written
// to the link's target, and the link stays a link.
func TestOutputThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real, link := filepath.Join(dir, "real.json"), filepath.Join(dir, "link.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "run", "ping", "-n", "1", "--out", link); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if r := readResult(t, real); r.Totals.Requests != 1 {
		t.Errorf("the link's target holds %d requests", r.Totals.Requests)
	}
}

// TestOutputIntoNamedPipe: an output that is a named pipe (as /dev/stdout
// may be) is written into it, not replaced by a file; one that nothing
// reads is refused before the run, for the step summary too.
func TestOutputIntoNamedPipe(t *testing.T) {
	pipe := fifo(t, false)
	reader, err := os.OpenFile(pipe, os.O_RDWR, 0) // read and write: it never waits for a writer
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if code, _, stderr := run(t, "run", "ping", "-n", "1", "--markdown", pipe); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	reader.SetReadDeadline(time.Now().Add(time.Second)) // the report is in the pipe already
	b := make([]byte, 1<<16)
	n, _ := reader.Read(b)
	if md := string(b[:n]); !strings.Contains(md, "ping") {
		t.Errorf("the pipe carried %q", md)
	}
	if fi, err := os.Lstat(pipe); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", fi.Mode(), err)
	}

	unread := fifo(t, false)
	t.Setenv("GITHUB_STEP_SUMMARY", unread)
	code, stdout, stderr := run(t, "run", "ping", "-n", "1")
	if code != exitUsage || !strings.Contains(stderr, "is a named pipe that nothing reads") || stdout != "" {
		t.Errorf("a step summary nothing reads: exit %d, stderr %q", code, stderr)
	}
}
