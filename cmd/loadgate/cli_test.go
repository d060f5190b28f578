package main

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
)

// run executes loadgate in-process to completion and returns its exit code
// and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs testkit.Buffer
	code = execute(t.Context(), args, &out, &errs)
	return code, out.String(), errs.String()
}

// background starts loadgate in-process; stop cancels its context (as a
// signal would) and returns the exit code.
func background(t *testing.T, args ...string) (stdout, stderr *testkit.Buffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout, stderr = &testkit.Buffer{}, &testkit.Buffer{}
	done := make(chan int, 1)
	go func() { done <- execute(ctx, args, stdout, stderr) }()
	return stdout, stderr, func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatalf("loadgate %v did not stop within 30s of its interrupt", args)
			return -1
		}
	}
}

// waitFor polls out until it contains want, for at most 20 seconds.
func waitFor(t *testing.T, out *testkit.Buffer, want string) string {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s := out.String(); strings.Contains(s, want) {
			return s
		}
	}
	t.Fatalf("output never contained %q; it is:\n%s", want, out.String())
	return ""
}

// rawHangServer accepts connections on loopback, reads, and never answers.
func rawHangServer(t *testing.T) string {
	t.Helper()
	return "http://" + testkit.TCPServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
