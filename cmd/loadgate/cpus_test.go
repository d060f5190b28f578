package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// TestCPUs: --cpus caps the cores the run uses (Go's GOMAXPROCS, which a
// server in this process sees too) and gives them back when it ends; the
// result records the cores, and the summary says them; a count out of
// range is a usage error.
func TestCPUs(t *testing.T) {
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		seen.Store(int64(runtime.GOMAXPROCS(0)))
	}))
	defer srv.Close()
	before := runtime.GOMAXPROCS(0)
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := run(t, "run", "ping", "--target", srv.URL, "-n", "3", "--cpus", "1", "--out", out)
	if code != exitOK || seen.Load() != 1 || runtime.GOMAXPROCS(0) != before {
		t.Errorf("exit %d, GOMAXPROCS %d during the run and %d after it (%d before)\n%s", code, seen.Load(), runtime.GOMAXPROCS(0), before, stderr)
	}
	if want := fmt.Sprintf(" on 1 of %d cores\n", runtime.NumCPU()); !strings.Contains(stdout, want) {
		t.Errorf("the summary does not say %q:\n%s", want, stdout)
	}
	var result struct {
		Load map[string]any `json:"load"`
	}
	if err := json.Unmarshal(mustRead(t, out), &result); err != nil {
		t.Fatal(err)
	}
	if result.Load["cpus"] != 1.0 || result.Load["machine_cpus"] != float64(runtime.NumCPU()) {
		t.Errorf("the result's load says cpus %v of machine_cpus %v, want 1 of %d", result.Load["cpus"], result.Load["machine_cpus"], runtime.NumCPU())
	}
	for _, n := range []string{"0", "-1", "1025"} {
		if code, _, stderr := run(t, "run", "ping", "--target", srv.URL, "-n", "1", "--cpus", n); code != exitUsage || stderr != "loadgate: --cpus must be 1 to 1024, got "+n+"\n" {
			t.Errorf("--cpus %s: exit %d, %q", n, code, stderr)
		}
	}
}

// TestCPUsLoopbackDefault: against a target on this machine, a run takes
// half the cores (at least one) unless --cpus or $GOMAXPROCS says
// otherwise; against the embedded API, all of them.
func TestCPUsLoopbackDefault(t *testing.T) {
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		seen.Store(int64(runtime.GOMAXPROCS(0)))
	}))
	defer srv.Close()
	all := runtime.GOMAXPROCS(0)
	half := max(1, all/2)
	local := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	for _, c := range []struct {
		name, target, env string
		want              int
	}{
		{"loopback address", srv.URL, "", half},
		{"localhost", local, "", half},
		{"$GOMAXPROCS set", srv.URL, fmt.Sprint(all), all},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("GOMAXPROCS", c.env)
			}
			seen.Store(0)
			code, stdout, stderr := run(t, "run", "ping", "--target", c.target, "-n", "3")
			if code != exitOK || seen.Load() != int64(c.want) || runtime.GOMAXPROCS(0) != all {
				t.Errorf("exit %d, GOMAXPROCS %d during the run (want %d), %d after it\n%s", code, seen.Load(), c.want, runtime.GOMAXPROCS(0), stderr)
			}
			if want := fmt.Sprintf(" on %d of %d cores\n", c.want, runtime.NumCPU()); !strings.Contains(stdout, want) {
				t.Errorf("the summary does not say %q:\n%s", want, stdout)
			}
		})
	}
	code, stdout, stderr := run(t, "run", "ping", "-n", "3")
	if want := fmt.Sprintf(" on %d of %d cores\n", all, runtime.NumCPU()); code != exitOK || !strings.Contains(stdout, want) {
		t.Errorf("the embedded API: exit %d, the summary does not say %q:\n%s%s", code, want, stdout, stderr)
	}
}
