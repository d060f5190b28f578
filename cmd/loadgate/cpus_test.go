package main

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
)

// TestCPUs: --cpus caps the cores the run uses (Go's GOMAXPROCS, which a
// server in this process sees too) and gives them back when it ends; a
// count out of range is a usage error.
func TestCPUs(t *testing.T) {
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		seen.Store(int64(runtime.GOMAXPROCS(0)))
	}))
	defer srv.Close()
	before := runtime.GOMAXPROCS(0)
	code, _, stderr := run(t, "run", "ping", "--target", srv.URL, "-n", "3", "--cpus", "1")
	if code != exitOK || seen.Load() != 1 || runtime.GOMAXPROCS(0) != before {
		t.Errorf("exit %d, GOMAXPROCS %d during the run and %d after it (%d before)\n%s", code, seen.Load(), runtime.GOMAXPROCS(0), before, stderr)
	}
	for _, n := range []string{"0", "-1", "1025"} {
		if code, _, stderr := run(t, "run", "ping", "--target", srv.URL, "-n", "1", "--cpus", n); code != exitUsage || stderr != "loadgate: --cpus must be 1 to 1024, got "+n+"\n" {
			t.Errorf("--cpus %s: exit %d, %q", n, code, stderr)
		}
	}
}
