package report_test

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func verdicts(t *testing.T, exprs ...string) []slo.Verdict {
	t.Helper()
	return slo.Judge(testkit.Result(), testkit.SLOs(t, exprs...))
}

// TestTextGolden compares the summary with testdata/summary.golden, and
// that of an open run the generator limited with summary-open.golden, and
// checks that they fit 80 columns. Run with -update to rewrite them.
func TestTextGolden(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		checkTextGolden(t, testkit.Result(), verdicts(t, "p95<1s", "error_rate<0.5%", "register.p99<1s"), "summary.golden")
	})
	t.Run("open, the generator behind", func(t *testing.T) {
		r := testkit.OpenResult(3)
		checkTextGolden(t, r, slo.Judge(r, testkit.SLOs(t, "dropped_behind==0", "iteration_rate>=10")), "summary-open.golden")
	})
}

// TestOpenReportsWarn: every report of an open run the generator limited
// gives the drops by cause, the generator's lateness and the warning.
func TestOpenReportsWarn(t *testing.T) {
	r := testkit.OpenResult(3)
	var md, html, junit bytes.Buffer
	report.Markdown(&md, r, nil)
	report.HTML(&html, r, nil)
	report.JUnit(&junit, r, nil)
	for name, out := range map[string]string{"Markdown": md.String(), "HTML": html.String()} {
		for _, want := range []string{"5 found no free worker, 3 the generator was behind on", "p50 500µs, p99 5.00ms, max 5.00ms",
			"the generator, not the target, limited this run", "the worker pool (at most 8) limited this run: raise --max-workers"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	// 100 iterations over the schedule of its 108 arrivals at 10 a second.
	if !strings.Contains(md.String(), "achieved 9.3 iterations/s (10.0 req/s over the whole run)") {
		t.Errorf("Markdown does not give the achieved iterations beside the target:\n%s", md.String())
	}
	if !strings.Contains(junit.String(), `<property name="generator_limited" value="true">`) {
		t.Errorf("JUnit does not say the generator limited the run:\n%s", junit.String())
	}
}

// TestInterruptedDropCauses: in an interrupted run, the drops behind
// include the arrivals the interrupt cut off, and every report says so.
func TestInterruptedDropCauses(t *testing.T) {
	r := testkit.OpenResult(3)
	r.Interrupted = true
	var text, md, html bytes.Buffer
	report.Text(&text, r, nil)
	report.Markdown(&md, r, nil)
	report.HTML(&html, r, nil)
	for name, out := range map[string]string{"text": strings.Join(strings.Fields(text.String()), " "), "Markdown": md.String(), "HTML": html.String()} {
		if want := "5 found no free worker, 3 the generator was behind on or the interrupt cut off"; !strings.Contains(out, want) {
			t.Errorf("%s lacks %q:\n%s", name, want, out)
		}
	}
}

// TestShardOpenLines: a shard's rate and pool lines give its own part of
// the load (half of 10/s and of 8 workers), not the whole load's that its
// load line names.
func TestShardOpenLines(t *testing.T) {
	r := testkit.OpenResult(0)
	r.Load.Shard = runner.Shard{Index: 1, Count: 2}
	var buf bytes.Buffer
	if err := report.Text(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(buf.String()), " ")
	for _, want := range []string{"load shard 1/2 of open, 10/s, up to 8 workers", "rate target 5.0 iterations/s", "of at most 4", "the worker pool (at most 4)"} {
		if !strings.Contains(out, want) {
			t.Errorf("a shard's summary lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestMergedPoolWarning: the pool's warning of a merge names no cap, as its
// workers line does not: each run had its own.
func TestMergedPoolWarning(t *testing.T) {
	later := testkit.OpenResult(0)
	later.Started, later.Ended = later.Started.Add(time.Hour), later.Ended.Add(time.Hour)
	later.Load.MaxWorkers = 50
	merged, err := runner.MergeResults(testkit.OpenResult(3), later)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Text(&buf, merged, nil); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "the worker pool limited this run: raise --max-workers") || strings.Contains(out, "at most 8") {
		t.Errorf("a merge's summary names a cap:\n%s", out)
	}
}

// TestOpenLinesFit80Columns: the open model's lines fit 80 columns at the
// highest rate and pool, with counts of a year's run.
func TestOpenLinesFit80Columns(t *testing.T) {
	r := testkit.OpenResult(3)
	r.Load.Rate, r.Load.MaxWorkers, r.PeakWorkers = runner.MaxRate, runner.MaxWorkers, runner.MaxWorkers
	r.Arrivals, r.DroppedNoWorker, r.DroppedBehind, r.Iterations = 315_360_000_000_000, 123_456_789_012_345, 98_765_432_109_876, 93_137_778_877_779
	r.Dropped = r.DroppedNoWorker + r.DroppedBehind
	var buf bytes.Buffer
	if err := report.Text(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
}

func checkTextGolden(t *testing.T, r *runner.Result, v []slo.Verdict, name string) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Text(&buf, r, v); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("summary differs from %s:\n%s", golden, buf.String())
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
}

// TestTLSUnverifiedWarning: a run whose target's certificate was not
// verified says so in the summary, one line under the target, and in the
// Markdown and HTML reports; a verified one does not.
func TestTLSUnverifiedWarning(t *testing.T) {
	const line = "           warning: the target's certificate was not verified (insecure TLS)\n"
	render := func(unverified bool) (text, md, html string) {
		r := *testkit.Result()
		r.TLSUnverified = unverified
		var tb, mb, hb bytes.Buffer
		v := slo.Judge(&r, nil)
		if err := report.Text(&tb, &r, v); err != nil {
			t.Fatal(err)
		}
		if err := report.Markdown(&mb, &r, v); err != nil {
			t.Fatal(err)
		}
		if err := report.HTML(&hb, &r, v); err != nil {
			t.Fatal(err)
		}
		return tb.String(), mb.String(), hb.String()
	}
	text, md, html := render(false)
	unverifiedText, unverifiedMD, unverifiedHTML := render(true)
	target := "target     http://127.0.0.1:1\n"
	if want := strings.Replace(text, target, target+line, 1); unverifiedText != want {
		t.Errorf("summary:\n%s\nwant:\n%s", unverifiedText, want)
	}
	const mdLine = "> **Unverified**: the target's certificate was not verified (insecure TLS).\n"
	if strings.Contains(md, mdLine) || !strings.Contains(unverifiedMD, mdLine) {
		t.Errorf("Markdown without the note %v, with it %v; want only the unverified run's to say %q", !strings.Contains(md, mdLine), strings.Contains(unverifiedMD, mdLine), mdLine)
	}
	const htmlSetting = "<dt>unverified</dt><dd>yes: the target&#39;s certificate was not verified (insecure TLS)"
	if strings.Contains(html, htmlSetting) || !strings.Contains(unverifiedHTML, htmlSetting) {
		t.Errorf("HTML: want only the unverified run's settings to hold %q", htmlSetting)
	}
}

// TestLoadLineOfMergesAndShards: the load line says a shard's part, the
// whole load of a sharded run merged, and each of merged runs.
func TestLoadLineOfMergesAndShards(t *testing.T) {
	run := func(at time.Duration, shard int, id string) *runner.Result {
		r := testkit.TimedRun(at, time.Second, 5, 0, time.Second)
		r.Load = runner.Load{Concurrency: 5, Duration: time.Second, Shard: runner.Shard{Index: shard, Count: 3}}
		r.Identity = runner.Identity{RunID: id}
		return r
	}
	merge := func(results ...*runner.Result) *runner.Result {
		m, err := runner.MergeResults(results...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range []struct {
		r    *runner.Result
		want string
	}{
		{run(0, 1, "r"), "load       shard 1/3 of closed, 5 workers, for 1s\n"},
		{merge(run(0, 0, "r"), run(time.Hour, 1, "r"), run(2*time.Hour, 2, "r")), "load       closed, 5 workers, for 1s, in 3 shards\n"},
		{merge(run(0, 0, "a"), run(time.Hour, 1, "b"), run(2*time.Hour, 2, "c")), "load       3 runs, each shard 0/3 of closed, 5 workers, for 1s\n"},
		{merge(run(0, 0, "r"), run(time.Hour, 1, "r")), "load       2 runs, each shard 0/3 of closed, 5 workers, for 1s\n"},
	} {
		var b bytes.Buffer
		if err := report.Text(&b, c.r, nil); err != nil || !strings.Contains(b.String(), c.want) {
			t.Errorf("want %q in\n%s", c.want, b.String())
		}
	}
}

// TestServerInEveryReport: the server's own view, and the problems of
// reading it, are in the summary, the Markdown and the HTML.
func TestServerInEveryReport(t *testing.T) {
	r := testkit.ResultWithServer()
	for name, render := range map[string]func(io.Writer, *runner.Result, []slo.Verdict) error{
		"text": report.Text, "Markdown": report.Markdown, "HTML": report.HTML,
	} {
		var b bytes.Buffer
		if err := render(&b, r, nil); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"34.1-37.2ms", "not read as the load began"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s: no %q in\n%s", name, want, b.String())
			}
		}
	}
}

// TestServerWithNothingToShow: a server view with no series (a run of
// endpoints the server does not time, none locking) says so under its
// title in the summary and the Markdown, rather than leave it empty; one
// whose metrics were not read says only that.
func TestServerWithNothingToShow(t *testing.T) {
	r := testkit.Result()
	r.Server = &servermetrics.View{}
	for name, render := range map[string]func(io.Writer, *runner.Result, []slo.Verdict) error{"text": report.Text, "Markdown": report.Markdown} {
		var b bytes.Buffer
		if err := render(&b, r, nil); err != nil {
			t.Fatal(err)
		}
		if want := "no operation took the storage lock; the server timed none of these endpoints"; !strings.Contains(b.String(), want) {
			t.Errorf("%s: no %q in\n%s", name, want, b.String())
		}
		// Metrics that were not read show their problem, and claim nothing.
		r.Server = &servermetrics.View{Problems: []string{"metrics of http://127.0.0.1:9/metrics not read as the load began"}}
		b.Reset()
		if err := render(&b, r, nil); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "no operation took") || !strings.Contains(b.String(), "not read as the load began") {
			t.Errorf("%s, metrics not read:\n%s", name, b.String())
		}
		r.Server = &servermetrics.View{}
	}
}

// TestServerWaitsAlone: a service that times only the lock's waits has its
// operations in the summary, counted by their waits.
func TestServerWaitsAlone(t *testing.T) {
	r := testkit.Result()
	names, _ := servermetrics.ParseNames([]string{"lock_wait=db_wait_seconds"})
	r.Server = &servermetrics.View{Names: names, Delta: servermetrics.Delta{Series: []servermetrics.Series{{Name: "db_wait_seconds", Labels: map[string]string{"op": "get_user"},
		Histogram: &servermetrics.Histogram{Count: 10, Native: true, Positive: map[int32]uint64{-10: 10}}}}}}
	var b bytes.Buffer
	if err := report.Text(&b, r, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "  get_user      10") {
		t.Errorf("no row of get_user's 10 waits:\n%s", b.String())
	}
}
