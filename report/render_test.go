package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func verdicts(t *testing.T, exprs ...string) []slo.Verdict {
	t.Helper()
	return slo.Judge(testkit.Result(), testkit.SLOs(t, exprs...))
}

// TestTextGolden compares the summary with testdata/summary.golden and
// checks that it fits 80 columns. Run with -update to rewrite it.
func TestTextGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Text(&buf, testkit.Result(), verdicts(t, "p95<1s", "error_rate<0.5%", "register.p99<1s")); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "summary.golden")
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
