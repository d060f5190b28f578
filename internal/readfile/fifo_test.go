//go:build unix

package readfile

import (
	"bytes"
	"cmp"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// fifo makes a FIFO in a test directory.
func fifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type readResult struct {
	data []byte
	err  error
}

// limitedAsync runs Limited in a goroutine, for a test that must not hang.
func limitedAsync(path string, limit int64) <-chan readResult {
	done := make(chan readResult, 1)
	go func() {
		data, err := Limited(path, limit)
		done <- readResult{data, err}
	}()
	return done
}

// TestFIFOWithoutWriter: a FIFO nobody writes to reads as empty; its open
// used to block for ever.
func TestFIFOWithoutWriter(t *testing.T) {
	select {
	case r := <-limitedAsync(fifo(t), 1<<10):
		if r.err != nil || len(r.data) != 0 {
			t.Errorf("got %q, %v; want empty", r.data, r.err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Limited blocked on a FIFO without a writer")
	}
}

// TestFIFOWithWriter: a FIFO with a writer (as <(...) gives) is read to
// the writer's close. The writer writes more than a pipe holds, so that
// most of it is written while Limited reads, and Limited finds the pipe
// empty with the writer still there.
func TestFIFOWithWriter(t *testing.T) {
	path := fifo(t)
	// A reader of the test's own lets the writer open before Limited does,
	// as the shell's writer does; it never reads.
	holder, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	writer, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("0123456789abcdef"), 3<<16/16) // 3 pipes' worth
	wrote := make(chan error, 1)
	go func() {
		_, err := writer.Write(want)
		wrote <- cmp.Or(err, writer.Close())
	}()
	select {
	case r := <-limitedAsync(path, int64(len(want))):
		if r.err != nil || !bytes.Equal(r.data, want) {
			t.Errorf("got %d bytes, %v; want the writer's %d", len(r.data), r.err, len(want))
		}
	case <-time.After(time.Minute):
		t.Fatal("Limited did not return after the writer closed")
	}
	if err := <-wrote; err != nil {
		t.Errorf("the writer: %v", err)
	}
}
