package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// TestRunWritesEveryOutput: one run writes the result JSON with its time
// series, JUnit, Markdown, HTML and the raw records, and adds to the
// GitHub step summary with an annotation per failed SLO.
func TestRunWritesEveryOutput(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "step-summary.md")
	t.Setenv(envStepSummary, summary)
	path := func(name string) string { return filepath.Join(dir, name) }
	code, stdout, stderr := run(t, args(fast, []string{"run", "smoke", "-n", "20", "--slo", "errors==0", "--slo", "p99<1us",
		"--out", path("r.json"), "--junit", path("r.xml"), "--markdown", path("r.md"), "--html", path("r.html"), "--raw", path("r.csv")})...)
	if code != exitSLOFailed {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "::error title=SLO failed::p99<1us") || strings.Contains(stdout, "::error title=SLO failed::errors==0") {
		t.Errorf("annotations:\n%s", stdout)
	}
	for _, name := range []string{"r.json", "r.xml", "r.md", "r.html", "r.csv", "step-summary.md"} {
		if info, err := os.Stat(path(name)); err != nil || info.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	var result struct {
		Series struct {
			IntervalS float64 `json:"interval_s"`
			Endpoints map[string][]struct {
				Requests int64 `json:"requests"`
			} `json:"endpoints"`
		} `json:"series"`
	}
	json.Unmarshal(mustRead(t, path("r.json")), &result)
	var inSeries int64
	for _, p := range result.Series.Endpoints["login"] {
		inSeries += p.Requests
	}
	if result.Series.IntervalS != 1 || inSeries != 20 {
		t.Errorf("series: interval %vs, %d requests, want 1s and 20", result.Series.IntervalS, inSeries)
	}
	rows, err := csv.NewReader(strings.NewReader(string(mustRead(t, path("r.csv"))))).ReadAll()
	if err != nil || len(rows) != 21 || strings.Join(rows[0], ",") != "time,endpoint,status,class,latency_ms,intended_start,retry" ||
		rows[1][1] != "login" || rows[1][2] != "200" || rows[1][3] != "ok" {
		t.Errorf("raw CSV (%v): %d rows, %q", err, len(rows), rows[:min(len(rows), 2)])
	}
}

// TestRawJSONLines: --raw with .jsonl writes one JSON object per request.
func TestRawJSONLines(t *testing.T) {
	raw := filepath.Join(t.TempDir(), "raw.jsonl")
	if code, _, stderr := run(t, args(fast, []string{"run", "smoke", "-n", "5", "--raw", raw})...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(mustRead(t, raw))), "\n")
	for _, line := range lines {
		var rec struct {
			Endpoint  string  `json:"endpoint"`
			Class     string  `json:"class"`
			LatencyMS float64 `json:"latency_ms"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Endpoint != "login" || rec.Class != "ok" || rec.LatencyMS <= 0 {
			t.Errorf("line %q: %v", line, err)
		}
		if us := rec.LatencyMS * 1000; math.Abs(us-math.Round(us)) > 1e-6 {
			t.Errorf("latency_ms %v is not to the microsecond", rec.LatencyMS)
		}
	}
	if len(lines) != 5 {
		t.Errorf("%d lines, want 5", len(lines))
	}
	if code, _, stderr := run(t, "run", "smoke", "--raw", "raw.txt"); code != exitUsage || !strings.Contains(stderr, "name a .csv, .jsonl or .ndjson file") {
		t.Errorf("--raw raw.txt: exit %d, %s", code, stderr)
	}
}

// decodeHistogram reads an endpoint's histogram out of a result file.
func decodeHistogram(t *testing.T, path, endpoint string) *hdrhistogram.Histogram {
	t.Helper()
	var r struct {
		Endpoints map[string]struct {
			Histogram string `json:"histogram"`
		} `json:"endpoints"`
	}
	json.Unmarshal(mustRead(t, path), &r)
	h, err := hdrhistogram.Decode([]byte(r.Endpoints[endpoint].Histogram))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return h
}

// TestReportMergesExactly: `report` over two runs' files counts every
// request of both and gives the percentiles of their merged histograms;
// over one file it gives that file back; it re-judges with --slo.
func TestReportMergesExactly(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, out := range []string{a, b} {
		if code, _, stderr := run(t, args(fast, []string{"run", "smoke", "-n", "15", "--out", out})...); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	merged := filepath.Join(dir, "merged.json")
	code, stdout, stderr := run(t, "report", a, b, "--out", merged, "--slo", "requests==30", "--slo", "login.p50<1us")
	if code != exitSLOFailed || !strings.Contains(stdout, "PASS  requests==30") || !strings.Contains(stdout, "FAIL  login.p50<1us") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	want := decodeHistogram(t, a, "login")
	want.Merge(decodeHistogram(t, b, "login"))
	if got := decodeHistogram(t, merged, "login"); !got.Equals(want) {
		t.Errorf("the merged histogram is not the two runs' histograms merged")
	}
	again := filepath.Join(dir, "again.json")
	if code, _, stderr := run(t, "report", a, "--out", again); code != exitOK {
		t.Fatalf("report a.json: exit %d: %s", code, stderr)
	}
	if !decodeHistogram(t, again, "login").Equals(decodeHistogram(t, a, "login")) {
		t.Errorf("report of one file changed its histogram")
	}
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(strings.Replace(string(mustRead(t, a)), `"histogram": "`, `"histogram": "x`, 1)), 0o644)
	if code, _, stderr := run(t, "report", a, other); code != exitUsage || !strings.Contains(stderr, other) {
		t.Errorf("a broken file: exit %d, %s", code, stderr)
	}
}

// TestBaselineGate: --baseline fails the run (exit 3) on a regression beyond
// the limit and passes within it.
func TestBaselineGate(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	if code, _, stderr := run(t, args(fast, []string{"run", "smoke", "-n", "10", "--out", old})...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, stdout, _ := run(t, "report", old, "--baseline", old, "--max-regression", "p95=0%,error_rate=0%")
	if code != exitOK || !strings.Contains(stdout, "0 regressions") {
		t.Errorf("same file as its baseline: exit %d\n%s", code, stdout)
	}
	slower := filepath.Join(dir, "slower.json")
	if code, _, stderr := run(t, "run", "smoke", "-n", "10", "--pause", "0", "--bcrypt-cost", "8", "--out", slower); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	junit, out := filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.json")
	code, stdout, _ = run(t, "report", slower, "--baseline", old, "--max-regression", "p95=10%", "--junit", junit, "--out", out)
	if code != exitSLOFailed || !strings.Contains(stdout, "REGRESSION") {
		t.Errorf("bcrypt cost 8 against 4: exit %d\n%s", code, stdout)
	}
	if x := string(mustRead(t, junit)); !strings.Contains(x, `name="login.p95 against the baseline"`) || !strings.Contains(x, "<failure") {
		t.Errorf("the JUnit report does not fail the regression:\n%s", x)
	}
	var result struct {
		Passed   bool `json:"passed"`
		Baseline struct {
			Regressions int `json:"regressions"`
		} `json:"baseline"`
	}
	json.Unmarshal(mustRead(t, out), &result)
	if result.Passed || result.Baseline.Regressions != 2 {
		t.Errorf("result: %+v", result)
	}
	code, stdout, _ = run(t, "report", slower, "--baseline", old, "--max-regression", "p95=100000%")
	if code != exitOK {
		t.Errorf("within a wide limit: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := run(t, "report", old, "--max-regression", "p95=10%"); code != exitUsage || !strings.Contains(stderr, "give --baseline") {
		t.Errorf("--max-regression alone: exit %d, %s", code, stderr)
	}
}

// TestReportRefusesOneRunTwice: one run given twice, by one path or by two
// (a copy), or inside a merged result, is refused with a line naming both
// arguments, rather than merged into doubled counts; two runs merge, and
// their merge merges with a third run.
func TestReportRefusesOneRunTwice(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "c.json")
	copied, merged := filepath.Join(dir, "copy.json"), filepath.Join(dir, "merged.json")
	for _, out := range []string{a, b, c} {
		if code, _, stderr := run(t, args(fast, []string{"run", "smoke", "-n", "3", "--out", out})...); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	os.WriteFile(copied, mustRead(t, a), 0o644)
	if code, _, stderr := run(t, "report", "--quiet", a, b, "--out", merged); code != exitOK {
		t.Fatalf("report a b --out: exit %d: %s", code, stderr)
	}
	cases := []struct {
		name  string
		files []string
		want  string // the error line; empty: merged
	}{
		{"one path twice", []string{a, a}, "loadgate: cannot merge " + a + " and " + a + ": they hold the same run"},
		{"a copy", []string{b, a, copied}, "loadgate: cannot merge " + a + " and " + copied + ": they hold the same run"},
		{"a merge and one of its runs", []string{merged, b}, "loadgate: cannot merge " + merged + " and " + b + ": they hold the same run"},
		{"two runs", []string{a, b}, ""},
		{"a merge and a third run", []string{merged, c}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"report", "--quiet"}, tc.files...)...)
			switch {
			case tc.want == "" && code != exitOK:
				t.Errorf("exit %d: %s", code, stderr)
			case tc.want != "" && (code != exitUsage || !strings.HasPrefix(stderr, tc.want) || strings.Count(stderr, "\n") != 1):
				t.Errorf("exit %d, stderr %q; want exit 2 and one line starting %q", code, stderr, tc.want)
			}
		})
	}
}

// TestBaselineOfAnotherScenario: a baseline of another scenario is refused
// (exit 2, one line naming both scenarios), not compared into regressions.
func TestBaselineOfAnotherScenario(t *testing.T) {
	dir := t.TempDir()
	result, other := filepath.Join(dir, "m1.json"), filepath.Join(dir, "r.json")
	if code, _, stderr := run(t, args(fast, []string{"run", "smoke", "-n", "3", "--out", result})...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	os.WriteFile(other, []byte(strings.Replace(string(mustRead(t, result)), `"scenario": "smoke"`, `"scenario": "stress"`, 1)), 0o644)
	want := "loadgate: --baseline " + other + ` is of scenario "stress", the result of "smoke": compare results of one scenario` + "\n"
	for _, cmd := range [][]string{{"report", result}, args(fast, []string{"run", "smoke", "-n", "1"})} {
		code, stdout, stderr := run(t, append(cmd, "--baseline", other)...)
		if code != exitUsage || stderr != want || stdout != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want exit 2 and %q alone", cmd[0], code, stderr, stdout, want)
		}
	}
}

// TestReportRefusesIncompleteFile: a file of the right schema that lacks a
// field every result has is refused, exit 2, naming the field.
func TestReportRefusesIncompleteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.json")
	if err := os.WriteFile(path, []byte(`{"schema":"loadgate.result/v1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "report", path)
	if want := `the required field "scenario" is missing`; code != exitUsage || stdout != "" || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2, no summary and %q", code, stdout, stderr, want)
	}
}

// TestBaselineCountsAgree: with a baseline, stderr, the Markdown, the HTML
// and the step summary give one count of the SLOs, and count the baseline's
// limits apart as such.
func TestBaselineCountsAgree(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	if code, _, stderr := run(t, args(fast, []string{"run", "smoke", "-n", "4", "--out", path("old.json")})...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Setenv(envStepSummary, path("summary.md"))
	code, _, stderr := run(t, "report", path("old.json"), "--baseline", path("old.json"), "--slo", "errors==0", "--slo", "p99<1us",
		"--markdown", path("r.md"), "--html", path("r.html"))
	want := "1 of 2 SLOs failed; 0 of 4 baseline limits crossed"
	if code != exitSLOFailed || stderr != "loadgate: "+want+"\n" {
		t.Errorf("exit %d, stderr %q; want 3 and %q", code, stderr, want)
	}
	for _, name := range []string{"r.md", "r.html", "summary.md"} {
		if s := string(mustRead(t, path(name))); !strings.Contains(s, want) {
			t.Errorf("%s does not say %q", name, want)
		}
	}
}
