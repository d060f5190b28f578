package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// logins builds a run of 100 login requests at ms milliseconds each, of
// which failed are 503s, over 10 seconds.
func logins(ms int, failed int) *runner.Result {
	login := runner.NewEndpointStats("login")
	for i := range 100 {
		x := runner.Sample{Response: time.Duration(ms) * time.Millisecond, Service: time.Duration(ms) * time.Millisecond, Status: 200, Class: runner.ClassOK}
		if i < failed {
			x.Status, x.Class = 503, runner.ClassUnavailable
		}
		login.Record(x)
	}
	total := runner.NewEndpointStats("total")
	total.Merge(login)
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	return &runner.Result{Scenario: "stress", Started: start, Ended: start.Add(10 * time.Second),
		Endpoints: []*runner.EndpointStats{login}, Total: total}
}

// TestBaselineRegression: a regression beyond a limit is found, one within
// it is not, endpoint by endpoint and in total.
func TestBaselineRegression(t *testing.T) {
	limits, err := report.ParseLimits("p95=10%, error_rate=0.1%, rps=5%, max=50ms")
	if err != nil {
		t.Fatal(err)
	}
	old := logins(100, 0)
	cases := []struct {
		name        string
		now         *runner.Result
		regressions int
	}{
		{"same", logins(100, 0), 0},
		{"p95 5% slower, within", logins(105, 0), 0},
		{"p95 20% slower: p95 regresses, max is within 50ms", logins(120, 0), 2},
		{"1% errors: error_rate regresses", logins(100, 1), 2},
		{"faster", logins(50, 0), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			deltas := report.Compare(old, tc.now, limits)
			if len(deltas) != 8 || report.Regressions(deltas) != tc.regressions {
				var b strings.Builder
				report.Deltas(&b, deltas)
				t.Errorf("%d regressions, want %d:\n%s", report.Regressions(deltas), tc.regressions, b.String())
			}
		})
	}
	var b strings.Builder
	report.Deltas(&b, report.Compare(old, logins(120, 1), limits))
	for _, want := range []string{"login     p95          100.031ms   120.063ms    +20.03%    +10%  REGRESSION", "login     error_rate          0%          1%       +1pp  +0.1pp  REGRESSION"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestBaselineDirections: fewer ok answers or less throughput is worse;
// more is not.
func TestBaselineDirections(t *testing.T) {
	limits, _ := report.ParseLimits("ok=1%,requests=1%,status_200=1%,errors=1")
	if n := report.Regressions(report.Compare(logins(100, 10), logins(100, 0), limits)); n != 0 {
		t.Errorf("more ok answers: %d regressions", n)
	}
	if n := report.Regressions(report.Compare(logins(100, 0), logins(100, 10), limits)); n != 6 {
		t.Errorf("10 fewer ok answers, 10 more errors: %d regressions, want 6", n)
	}
}

func TestParseLimitsErrors(t *testing.T) {
	for _, bad := range []string{"", "p95", "p95=", "=10%", "p95=fast", "nope=1%", "login.p95=10%", "error_rate=0.1", "p95=-1%"} {
		if _, err := report.ParseLimits(bad); err == nil {
			t.Errorf("ParseLimits(%q) accepted", bad)
		}
	}
}

// TestTallyCountsLimitsApart: the baseline's limits are counted apart from
// the SLOs, each with its own words.
func TestTallyCountsLimitsApart(t *testing.T) {
	slo := func(pass bool) report.Verdict { return report.Verdict{Pass: pass} }
	limit := func(pass bool) report.Verdict { return report.Verdict{Pass: pass, Limit: true} }
	for want, verdicts := range map[string][]report.Verdict{
		"no SLOs":                               nil,
		"1 SLO met":                             {slo(true)},
		"1 of 2 SLOs failed":                    {slo(false), slo(true)},
		"all 2 SLOs met; 1 baseline limit held": {slo(true), slo(true), limit(true)},
		"0 of 1 SLO failed; 1 of 2 baseline limits crossed":  {slo(true), limit(false), limit(true)},
		"1 of 2 SLOs failed; 0 of 4 baseline limits crossed": {slo(false), slo(true), limit(true), limit(true), limit(true), limit(true)},
		"2 of 3 baseline limits crossed":                     {limit(false), limit(false), limit(true)},
	} {
		if got := report.Count(verdicts).String(); got != want {
			t.Errorf("Count(%v) = %q, want %q", verdicts, got, want)
		}
	}
}
