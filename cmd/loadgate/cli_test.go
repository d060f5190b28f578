package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/testkit"
	"golang.org/x/crypto/bcrypt"
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

// watchedAPI is the reference API on a loopback port, counting the
// requests to one path.
type watchedAPI struct {
	*httptest.Server
	path  string
	count atomic.Int64
}

// watchAPI starts a watchedAPI until the test ends. With hold, each request
// to path waits until its client goes away instead of being answered.
func watchAPI(t *testing.T, path string, hold bool) *watchedAPI {
	t.Helper()
	api, err := apiserver.New(apiserver.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	w := &watchedAPI{path: path}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			w.count.Add(1)
			if hold {
				// The server notices a client going away only once the body is read.
				io.Copy(io.Discard, r.Body)
				<-r.Context().Done()
				return
			}
		}
		api.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.Close)
	return w
}

// arrived reports whether n requests to the path arrive within 20 seconds.
// It is safe to call from any goroutine.
func (w *watchedAPI) arrived(n int64) bool {
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if w.count.Load() >= n {
			return true
		}
	}
	return false
}

// waitFor fails the test unless n requests to the path arrive within 20
// seconds.
func (w *watchedAPI) waitFor(t *testing.T, n int64) {
	t.Helper()
	if !w.arrived(n) {
		t.Fatalf("%d requests to %s in 20s, want %d", w.count.Load(), w.path, n)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
