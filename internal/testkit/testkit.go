// Package testkit holds helpers that tests of several packages share. It is
// imported only by _test files.
package testkit

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
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

// RawHTTPServer answers every request on a connection with answer (a raw
// HTTP/1.1 reply, however wrong), closing the connection after each answer
// when closeAfter is set, until the test ends. It returns its address, and
// sends the requests it read, their bodies read, to seen (the first 100).
func RawHTTPServer(t testing.TB, answer string, closeAfter bool) (addr string, seen chan *http.Request) {
	t.Helper()
	return RawHTTPSServer(t, answer, closeAfter, nil)
}

// RawHTTPSServer is RawHTTPServer over TLS with config (nil: plain TCP).
func RawHTTPSServer(t testing.TB, answer string, closeAfter bool, config *tls.Config) (addr string, seen chan *http.Request) {
	t.Helper()
	seen = make(chan *http.Request, 100)
	addr = TCPServer(t, func(c net.Conn) {
		if config != nil {
			c = tls.Server(c, config)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			body, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
			select {
			case seen <- req:
			default:
			}
			if _, err := io.WriteString(c, answer); err != nil || closeAfter {
				return
			}
		}
	})
	return addr, seen
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
