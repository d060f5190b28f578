package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// TestMarkdownGolden compares the Markdown summaries of a passing run and of
// a failing one (open model, interrupted, a custom class, awkward names)
// with their golden files. Run with -update to rewrite them.
func TestMarkdownGolden(t *testing.T) {
	failing := awkwardResult()
	cases := []struct {
		golden   string
		r        *runner.Result
		verdicts []slo.Verdict
	}{
		{"summary.md.golden", testkit.Result(), verdicts(t, "p95<1s", "lock_timeouts<6", "requests>=100")},
		{"summary-fail.md.golden", failing, awkwardVerdicts(t, failing, awkwardSLOs...)},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.Markdown(&buf, tc.r, tc.verdicts); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if buf.String() != string(want) {
				t.Errorf("summary differs from %s:\n%s", golden, buf.String())
			}
			checkTables(t, buf.String())
		})
	}
}

// TestMarkdownHeading checks the verdict in the heading.
func TestMarkdownHeading(t *testing.T) {
	r := testkit.Result()
	for _, tc := range []struct {
		exprs []string
		want  string
	}{
		{nil, "## loadgate `test`: no SLOs\n"},
		{[]string{"p95<1s"}, "## loadgate `test`: ✅ PASS (1 SLO met)\n"},
		{[]string{"p95<1s", "errors==0"}, "## loadgate `test`: ❌ FAIL (1 of 2 SLOs failed)\n"},
	} {
		var buf bytes.Buffer
		if err := report.Markdown(&buf, r, verdicts(t, tc.exprs...)); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(buf.String(), "\n"); first+"\n" != tc.want {
			t.Errorf("SLOs %q: heading %q, want %q", tc.exprs, first, tc.want)
		}
		if hasSLOs := strings.Contains(buf.String(), "### SLOs"); hasSLOs != (len(tc.exprs) > 0) {
			t.Errorf("SLOs %q: SLO table present %v", tc.exprs, hasSLOs)
		}
	}
}

// checkTables checks that every row of each table has as many cells as its
// header: a | in a name that was not escaped would add one.
func checkTables(t *testing.T, md string) {
	t.Helper()
	header := -1
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = -1
			continue
		}
		// A | after a backslash is part of a cell, in code spans too.
		n := strings.Count(line, "|") - strings.Count(line, `\|`)
		if header < 0 {
			header = n
		} else if n != header {
			t.Errorf("row of %d cells in a table of %d: %s", n-1, header-1, line)
		}
	}
}

// TestAnnotations checks the workflow commands of failed SLOs, escaped as
// GitHub reads them: a message with a newline or a % stays on one line.
func TestAnnotations(t *testing.T) {
	r := awkwardResult()
	vs := awkwardVerdicts(t, r, awkwardSLOs...)
	vs = append(vs, slo.Verdict{SLO: slo.SLO{Expr: "a\r\nb%.errors==0"}, Reason: "100% is not == 0%\n"})
	var buf bytes.Buffer
	if err := report.Annotations(&buf, vs); err != nil {
		t.Fatal(err)
	}
	want := "::error title=SLO failed::p95<50ms: 78.015ms is not < 50ms\n" +
		"::error title=SLO failed::log|in.errors==0: 5 is not == 0\n" +
		"::error title=SLO failed::captcha==0: 3 is not == 0\n" +
		"::error title=SLO failed::missing.p99<1s: no samples\n" +
		"::error title=SLO failed::a%0D%0Ab%25.errors==0: 100%25 is not == 0%25%0A\n"
	if buf.String() != want {
		t.Errorf("annotations:\n%s\nwant:\n%s", buf.String(), want)
	}

	buf.Reset()
	if err := report.Annotations(&buf, verdicts(t, "p95<1s")); err != nil || buf.Len() != 0 {
		t.Errorf("passing SLOs wrote %q (%v), want nothing", buf.String(), err)
	}
}
