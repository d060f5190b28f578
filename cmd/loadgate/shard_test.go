package main

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/runner"
)

// TestShardsAreOneRun runs three loadgate processes as the shards of one
// run, all told to start at one time, against one loopback server: the
// merge of their results counts what one process running the whole load
// counts, and the server saw exactly that; its histogram is the sum of the
// shards' (each percentile between theirs); the shards exit 0
// whatever their latency, and the gate judges the merge once. A set with a
// shard missing, a shard of another run, or a shard that began too late,
// is refused with exit 4.
func TestShardsAreOneRun(t *testing.T) {
	bin := buildBinary(t)
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served.Add(1) }))
	defer srv.Close()
	dir := t.TempDir()
	scenario := writeFile(t, dir, "timed.yaml", "name: timed\nsteps:\n  - name: timed\n    path: \"/t?seq={{seq}}\"\n")
	load := []string{"run", scenario, "--target", srv.URL, "-c", "5", "-n", "31", "--no-progress", "--slo", "p95<1us"}
	shardFile := func(i int) string { return filepath.Join(dir, fmt.Sprintf("shard-%d.json", i)) }

	startAt := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
	var wg sync.WaitGroup
	codes, outputs := make([]int, 3), make([]string, 3)
	for i := range 3 {
		wg.Go(func() {
			cmd := exec.Command(bin, append(load, "--shard", fmt.Sprintf("%d/3", i), "--start-at", startAt, "--out", shardFile(i))...)
			out, _ := cmd.CombinedOutput()
			codes[i], outputs[i] = cmd.ProcessState.ExitCode(), string(out)
		})
	}
	wg.Wait()
	for i := range 3 {
		if codes[i] != exitOK || !strings.Contains(outputs[i], fmt.Sprintf("shard %d/3: 1 SLO not judged here", i)) {
			t.Fatalf("shard %d/3: exit %d\n%s", i, codes[i], outputs[i])
		}
	}
	if served.Load() != 31 {
		t.Errorf("the server answered %d requests to three shards of 31 iterations", served.Load())
	}

	code, stdout, stderr := run(t, "report", "--expect-shards", "3", shardFile(0), shardFile(1), shardFile(2), "--out", filepath.Join(dir, "merged.json"))
	if code != exitSLOFailed || !strings.Contains(stdout, "closed, 5 workers, 31 iterations, in 3 shards") ||
		!strings.Contains(stdout, "total      31 requests") || !strings.Contains(stdout, "began within") {
		t.Errorf("the gate on the impossible SLO: exit %d, want %d\n%s%s", code, exitSLOFailed, stdout, stderr)
	}
	at, _ := time.Parse(time.RFC3339Nano, startAt)
	for i := range 3 {
		if began := readSaved(t, shardFile(i)).Result.Started; began.Before(at) {
			t.Errorf("shard %d/3 began at %s, before --start-at %s", i, began.Format(time.RFC3339Nano), startAt)
		}
	}

	code, stdout, stderr = run(t, append([]string{"plan", "--shards", "3"}, load[1:]...)...)
	digest := merged(t, dir).Result.Identity.PlanDigest
	if code != exitOK || !strings.Contains(stdout, "digest     "+digest+"\n") || !strings.Contains(stdout, "  0/3        2          11      -\n") ||
		!strings.Contains(stdout, "  2/3        1          10      -\n") {
		t.Errorf("plan --shards 3: exit %d; want shares of 2, 2 and 1 workers and 11, 10 and 10 iterations, and digest %s\n%s%s", code, digest, stdout, stderr)
	}

	whole := filepath.Join(dir, "whole.json")
	if code, _, stderr := run(t, append(load, "--out", whole)...); code != exitSLOFailed {
		t.Fatalf("the whole run: exit %d\n%s", code, stderr)
	}
	mergedRun, wholeRun := merged(t, dir), readSaved(t, whole)
	m, w := mergedRun.Result.Total, wholeRun.Result.Total
	if m.Requests() != w.Requests() || m.Classes != w.Classes || m.Statuses != w.Statuses {
		t.Errorf("the merged shards count %d requests, classes %v; the whole run %d, %v", m.Requests(), m.Classes[:3], w.Requests(), w.Classes[:3])
	}
	// The merge adds the shards' histograms: its count is theirs, and each
	// of its percentiles lies between the shards' own, whatever the
	// latencies a busy machine gives them.
	shards := make([]*runner.EndpointStats, 3)
	var count int64
	for i := range shards {
		shards[i] = readSaved(t, shardFile(i)).Result.Total
		count += shards[i].Latency.TotalCount()
	}
	for _, q := range []float64{50, 90, 99} {
		lowest, highest := time.Duration(math.MaxInt64), time.Duration(0)
		for _, shard := range shards {
			lowest, highest = min(lowest, shard.Percentile(q)), max(highest, shard.Percentile(q))
		}
		if got := m.Percentile(q); got < lowest || got > highest {
			t.Errorf("p%g merged from the shards: %s; the shards' run from %s to %s", q, got, lowest, highest)
		}
	}
	if m.Latency.TotalCount() != count || count != 31 {
		t.Errorf("the merged histogram holds %d latencies, the shards' %d; want 31", m.Latency.TotalCount(), count)
	}

	cases := []struct {
		name  string
		files []string
		want  string
	}{
		{"a shard missing", []string{shardFile(0), shardFile(2)}, "1 of 3 shards missing: 1"},
		{"a shard twice", []string{shardFile(0), shardFile(1), shardFile(1)}, "shard 1/3 comes 2 times"},
		{"a whole run", []string{shardFile(0), shardFile(1), whole}, whole + " is not a shard"},
	}
	other := filepath.Join(dir, "other.json")
	if code, _, stderr := run(t, append(load, "--shard", "2/3", "--run-id", "another", "--out", other)...); code != exitOK {
		t.Fatalf("a shard of another run: exit %d\n%s", code, stderr)
	}
	interrupted := filepath.Join(dir, "interrupted.json")
	if err := os.WriteFile(interrupted, []byte(strings.Replace(string(mustRead(t, shardFile(2))), `"interrupted": false`, `"interrupted": true`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, []struct {
		name  string
		files []string
		want  string
	}{
		{"a shard of another run", []string{shardFile(0), shardFile(1), other}, other + ` is of run "another"`},
		{"an interrupted shard", []string{shardFile(0), shardFile(1), interrupted}, interrupted + " was interrupted"},
	}...)
	for _, c := range cases {
		code, stdout, stderr := run(t, append([]string{"report", "--expect-shards", "3"}, c.files...)...)
		if code != exitRefused || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%s: exit %d, want %d naming %q\n%s%s", c.name, code, exitRefused, c.want, stdout, stderr)
		}
	}

	before := served.Load()
	late := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	code, stdout, stderr = run(t, append(load, "--shard", "0/3", "--start-at", late, "--out", filepath.Join(dir, "late.json"))...)
	if _, err := os.Stat(filepath.Join(dir, "late.json")); code != exitRefused || !strings.Contains(stderr, "later than --max-late 5s; nothing was sent") ||
		served.Load() != before || err == nil {
		t.Errorf("a shard a minute late: exit %d, %d requests sent, result file %v\n%s%s", code, served.Load()-before, err, stdout, stderr)
	}
}

// merged reads the merged result the gate wrote to dir.
func merged(t *testing.T, dir string) *resultfile.Saved {
	return readSaved(t, filepath.Join(dir, "merged.json"))
}

func readSaved(t *testing.T, path string) *resultfile.Saved {
	t.Helper()
	saved, err := resultfile.Read(mustRead(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// TestShardUsage: the shard flags and their environment are checked
// before anything is sent, each problem named, with exit 2.
func TestShardUsage(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served.Add(1) }))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "r.json")
	base := []string{"run", "ping", "--target", srv.URL, "-n", "3"}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"a shard past the count", []string{"--shard", "3/3", "--run-id", "r", "--out", out}, nil, "--shard: shard 3/3: the index must be 0 to 2"},
		{"not a shard", []string{"--shard", "1", "--run-id", "r", "--out", out}, nil, `"1" is not a shard`},
		{"no result file", []string{"--shard", "0/2", "--run-id", "r"}, nil, "give --out FILE"},
		{"a verdict file", []string{"--shard", "0/2", "--run-id", "r", "--out", out, "--junit", out + ".xml"}, nil, "--junit: a shard judges no SLO"},
		{"no run id", []string{"--shard", "0/2", "--out", out}, nil, "needs --run-id or --start-at"},
		{"a bad run id", []string{"--shard", "0/2", "--run-id", "a b", "--out", out}, nil, `run id "a b"`},
		{"max-late alone", []string{"--max-late", "1s"}, nil, "give --start-at"},
		{"a bad start", []string{"--start-at", "noon"}, nil, `--start-at "noon" is not an RFC 3339 time`},
		{"shards without an index", nil, map[string]string{envShards: "3", envRunID: "r"}, "$JOB_COMPLETION_INDEX"},
		{"an index past the count", nil, map[string]string{envShards: "3", envJobIndex: "3", envRunID: "r"}, "$JOB_COMPLETION_INDEX of $LOADGATE_SHARDS: shard 3/3"},
		{"a bad shard in the environment", nil, map[string]string{envShard: "x"}, `$LOADGATE_SHARD: "x" is not a shard`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			code, _, stderr := run(t, append(slices.Clone(base), c.args...)...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, exitUsage, c.want, stderr)
			}
		})
	}
	code, _, stderr := run(t, "run", "register-storm", "--shard", "5/6", "--run-id", "r", "--out", out, "-n", "1")
	if code != exitUsage || !strings.Contains(stderr, "shard 5/6 would have none of the scenario's 5 users") {
		t.Errorf("more shards than users: exit %d\n%s", code, stderr)
	}
	code, stdout, _ := run(t, "plan", "--shards", "3", "stress", "-n", "10", "-c", "2", "--target", srv.URL)
	if code != exitUsage || !strings.Contains(stdout, "  2/3 refused        0           3     16\n") || !strings.Contains(stdout, "--shard 2/3 of a closed load of 2 workers at most has none") {
		t.Errorf("plan of a shard with no worker: exit %d\n%s", code, stdout)
	}
	for _, args := range [][]string{{"report", "--run-id", "r", out}, {"report", "--expect-shards", "0", out}} {
		if code, _, stderr := run(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
	t.Setenv(envShards, "2")
	t.Setenv(envJobIndex, "1")
	if code, _, stderr := run(t, append(base, "--run-id", "r", "--out", out)...); code != exitOK || readSaved(t, out).Result.Load.Shard != (runner.Shard{Index: 1, Count: 2}) {
		t.Errorf("shard 1/2 from a Kubernetes Indexed Job's environment: exit %d\n%s", code, stderr)
	}
	if served.Load() != 1 {
		t.Errorf("the server answered %d requests; want 1, from shard 1/2 of 3 iterations alone", served.Load())
	}
}
