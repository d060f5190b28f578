package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"
)

// TestSummaryFits80Columns runs closed, open and ramped scenarios, a file
// with retries and classes of its own, and a report against a baseline:
// no line of stdout or stderr is wider than 80 columns, and the tables
// align their numbers right.
func TestSummaryFits80Columns(t *testing.T) {
	t.Chdir(t.TempDir()) // short relative paths, as a user would type them
	var calls atomic.Int64
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/tea":
			w.WriteHeader(http.StatusTeapot)
		case calls.Add(1)%2 == 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(flaky.Close)
	file := "target: " + flaky.URL + `
load: {concurrency: 2, iterations: 6}
steps:
  - {name: flaky, path: /flaky, method: GET}
  - {name: tea, path: /tea, method: GET}
retry: {max: 2}
classify:
  classes:
    teapot: {status: 418}
slos: [errors==0]
`
	if err := os.WriteFile("flaky.yaml", []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := [][]string{
		args(fast, []string{"smoke", "-n", "3", "--out", "old.json"}),
		args(fast, []string{"run", "stress", "-c", "2", "-n", "6", "--slo", "p99<1us"}),
		{"run", "ping", "--rate", "40", "-n", "8", "--bcrypt-cost", "4"},
		{"run", "ping", "--rate", "1", "--stages", "100ms:40", "--bcrypt-cost", "4"},
		{"run", "ping", "--stages", "100ms:2", "--bcrypt-cost", "4"},
		{"run", "flaky.yaml"},
		{"report", "old.json", "--baseline", "old.json", "--slo", "p99<1us", "--slo", "errors==0"},
		{"report", "old.json", "--baseline", "old.json", "--quiet"},
	}
	var all strings.Builder
	for _, a := range runs {
		code, stdout, stderr := run(t, a...)
		if code != exitOK && code != exitSLOFailed {
			t.Fatalf("loadgate %v: exit %d\n%s%s", a, code, stdout, stderr)
		}
		for _, line := range strings.Split(stdout+stderr, "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("loadgate %v: a line of %d columns:\n%s", a, n, line)
			}
		}
		all.WriteString(stdout)
	}
	summaries := all.String()
	for _, want := range []string{
		"endpoint  503s  lock timeouts  statuses",
		"login        0              0  200:3",
		"   +0%    +10%  ok",
		"  +0pp  +0.1pp  ok",
	} {
		if !strings.Contains(summaries, want) {
			t.Errorf("the summaries lack %q:\n%s", want, summaries)
		}
	}
	// The retries table ends in a number column: right-aligned, its rows are
	// as wide as its header.
	header := "endpoint  retries  first attempts  of them errors"
	_, table, _ := strings.Cut(summaries, header+"\n")
	rows := strings.Split(table, "\n")[:3]
	for _, row := range rows {
		if utf8.RuneCountInString(row) != len(header) {
			t.Errorf("retries table rows not right-aligned:\n%s\n%s", header, strings.Join(rows, "\n"))
			break
		}
	}
}
