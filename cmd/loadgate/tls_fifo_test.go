//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTLSCACertFIFOWithoutWriter: --ca-cert naming a FIFO nobody writes
// to is an empty file, refused before the first request; its open used to
// block the run for ever.
func TestTLSCACertFIFOWithoutWriter(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "cafifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	file := getFile(t, dir, "")
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		// The target is never reached: the options are checked first.
		code, _, stderr := run(t, "run", file, "--target", "https://127.0.0.1:1", "-n", "2", "--ca-cert", fifo)
		done <- result{code, stderr}
	}()
	select {
	case r := <-done:
		want := "--ca-cert " + fifo + ": no PEM certificate in the file"
		if r.code != exitUsage || !strings.Contains(r.stderr, want) {
			t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, want)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the run blocked opening the FIFO")
	}
}
