package report_test

import (
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
)

// TestDeltasTable: the comparison's table shows each metric's baseline,
// its value now, the change and the limit, and marks a regression.
func TestDeltasTable(t *testing.T) {
	limits, err := slo.ParseLimits("p95=10%, error_rate=0.1%, rps=5%, max=50ms")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	report.Deltas(&b, slo.Compare(testkit.Logins(100, 0), testkit.Logins(120, 1), limits))
	for _, want := range []string{"login     p95          100.031ms   120.063ms    +20.03%    +10%  REGRESSION", "login     error_rate          0%          1%       +1pp  +0.1pp  REGRESSION"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestTallyCountsLimitsApart: the baseline's limits are counted apart from
// the SLOs, each with its own words.
func TestTallyCountsLimitsApart(t *testing.T) {
	met := func(pass bool) slo.Verdict { return slo.Verdict{Pass: pass} }
	limit := func(pass bool) slo.Verdict { return slo.Verdict{Pass: pass, Limit: true} }
	for want, verdicts := range map[string][]slo.Verdict{
		"no SLOs":                               nil,
		"1 SLO met":                             {met(true)},
		"1 of 2 SLOs failed":                    {met(false), met(true)},
		"all 2 SLOs met; 1 baseline limit held": {met(true), met(true), limit(true)},
		"0 of 1 SLO failed; 1 of 2 baseline limits crossed":  {met(true), limit(false), limit(true)},
		"1 of 2 SLOs failed; 0 of 4 baseline limits crossed": {met(false), met(true), limit(true), limit(true), limit(true), limit(true)},
		"2 of 3 baseline limits crossed":                     {limit(false), limit(false), limit(true)},
	} {
		if got := report.Count(verdicts).String(); got != want {
			t.Errorf("Count(%v) = %q, want %q", verdicts, got, want)
		}
	}
}
