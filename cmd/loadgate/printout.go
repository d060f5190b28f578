package main

import (
	"errors"
	"io"
	"sync/atomic"
	"syscall"
)

// printOut is stdout or stderr as loadgate prints to it. A reader that went
// away (head -1 closing the pipe) ends the printing, not the run: once a
// write fails with EPIPE, that write and every later one report success and
// write nothing, so the result files, the exit code and the rest of the
// run stay what they would have been. Any other write error is returned.
// It is safe for concurrent use if w is.
type printOut struct {
	w      io.Writer
	closed atomic.Bool
}

func (p *printOut) Write(b []byte) (int, error) {
	if p.closed.Load() {
		return len(b), nil
	}
	n, err := p.w.Write(b)
	if errors.Is(err, syscall.EPIPE) {
		p.closed.Store(true)
		return len(b), nil
	}
	return n, err
}
