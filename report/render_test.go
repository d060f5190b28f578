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
