// Package testkit holds helpers that tests of several packages share. It is
// imported only by _test files.
package testkit

import (
	"bytes"
	"net"
	"net/http"
	"sync"
	"testing"
)

// TCPServer accepts connections on a loopback port until the test ends and
// hands each to handle on its own goroutine. It returns the address.
func TCPServer(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // the listener was closed
			}
			go handle(c)
		}
	}()
	return ln.Addr().String()
}

// Buffer is a bytes.Buffer that is safe for concurrent writes and reads,
// for output written by code a test runs on other goroutines.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// HTTPServer serves h on a loopback port until the test ends and returns
// the address.
func HTTPServer(t testing.TB, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}
