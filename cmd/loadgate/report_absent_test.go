package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportShardFileAbsent: with --expect-shards, a named result file
// that does not exist is a shard missing (exit 4, named), as when the
// gate of a Job names every shard's file and a late shard wrote none;
// without it, a usage error as before.
func TestReportShardFileAbsent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	dir := t.TempDir()
	shard0, shard1 := filepath.Join(dir, "shard-0.json"), filepath.Join(dir, "shard-1.json")
	if code, _, stderr := run(t, "run", "ping", "--target", srv.URL, "-c", "2", "-n", "4", "--no-progress",
		"--shard", "0/2", "--run-id", "r1", "--out", shard0); code != exitOK {
		t.Fatalf("shard 0/2: exit %d\n%s", code, stderr)
	}
	for _, c := range []struct {
		name  string
		args  []string
		code  int
		wants []string
	}{
		{"one absent", []string{"report", "--expect-shards", "2", shard0, shard1}, exitRefused,
			[]string{shard1 + " does not exist", "1 of 2 shards missing: 1"}},
		{"all absent", []string{"report", "--expect-shards", "2", "--run-id", "r1", filepath.Join(dir, "a.json"), shard1}, exitRefused,
			[]string{`cannot judge run "r1" as 2 shards`, "a.json does not exist", "2 of 2 shards missing: 0, 1"}},
		{"not sharded", []string{"report", shard0, shard1}, exitUsage, []string{shard1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, stderr)
			}
			for _, want := range c.wants {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}
