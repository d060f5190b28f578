package slo_test

import (
	"testing"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestBaselineRegression: a regression beyond a limit is found, one within
// it is not, endpoint by endpoint and in total.
func TestBaselineRegression(t *testing.T) {
	limits, err := slo.ParseLimits("p95=10%, error_rate=0.1%, rps=5%, max=50ms")
	if err != nil {
		t.Fatal(err)
	}
	old := testkit.Logins(100, 0)
	cases := []struct {
		name        string
		now         *runner.Result
		regressions int
	}{
		{"same", testkit.Logins(100, 0), 0},
		{"p95 5% slower, within", testkit.Logins(105, 0), 0},
		{"p95 20% slower: p95 regresses, max is within 50ms", testkit.Logins(120, 0), 2},
		{"1% errors: error_rate regresses", testkit.Logins(100, 1), 2},
		{"faster", testkit.Logins(50, 0), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			deltas := slo.Compare(old, tc.now, limits)
			if len(deltas) != 8 || slo.Regressions(deltas) != tc.regressions {
				t.Errorf("%d regressions, want %d: %+v", slo.Regressions(deltas), tc.regressions, deltas)
			}
		})
	}
}

// TestBaselineDirections: fewer ok answers or less throughput is worse;
// more is not.
func TestBaselineDirections(t *testing.T) {
	limits, _ := slo.ParseLimits("ok=1%,requests=1%,status_200=1%,errors=1")
	if n := slo.Regressions(slo.Compare(testkit.Logins(100, 10), testkit.Logins(100, 0), limits)); n != 0 {
		t.Errorf("more ok answers: %d regressions", n)
	}
	if n := slo.Regressions(slo.Compare(testkit.Logins(100, 0), testkit.Logins(100, 10), limits)); n != 6 {
		t.Errorf("10 fewer ok answers, 10 more errors: %d regressions, want 6", n)
	}
}

// TestBaselineRunMetrics: the metrics of the whole run are compared in
// total only; fewer iterations and a lower iteration rate are worse.
func TestBaselineRunMetrics(t *testing.T) {
	limits, err := slo.ParseLimits("iterations=1%,iteration_rate=1%,dropped_behind=0,dropped_no_worker=0")
	if err != nil {
		t.Fatal(err)
	}
	old, now := testkit.OpenResult(0), testkit.OpenResult(3)
	now.Iterations = 90
	deltas := slo.Compare(old, now, limits)
	if len(deltas) != 4 || deltas[0].Endpoint != "total" {
		t.Fatalf("%d deltas, the first of %q; want 4, in total only", len(deltas), deltas[0].Endpoint)
	}
	for i, regressed := range []bool{true, true, true, false} {
		if deltas[i].Regressed != regressed {
			t.Errorf("%s: regressed %v, want %v (%v to %v)", deltas[i].Limit.Expr, deltas[i].Regressed, regressed, deltas[i].Old, deltas[i].New)
		}
	}
}

func TestParseLimitsErrors(t *testing.T) {
	for _, bad := range []string{"", "p95", "p95=", "=10%", "p95=fast", "nope=1%", "login.p95=10%", "error_rate=0.1", "p95=-1%",
		"first_attempt.p95=10%", "login.retries=1", "first_attempt.error_rate=0.1", "login.first_attempt.errors=1"} {
		if _, err := slo.ParseLimits(bad); err == nil {
			t.Errorf("ParseLimits(%q) accepted", bad)
		}
	}
}

// FuzzParseLimits: no list of limits makes the parser panic; one it
// accepts compares two results and describes its limits.
func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{"p95=10%,error_rate=0.1%", "rps=5%, max=50ms", "retries=10%,first_attempt.error_rate=1%",
		"first_attempt.requests=1%,first_attempt.ok=2", "first_attempt.p95=1%", "a=b=c", ",,", "p99.9=1ms"} {
		f.Add(s)
	}
	old, now := testkit.Result(), testkit.ResultWithRetries()
	f.Fuzz(func(t *testing.T, s string) {
		limits, err := slo.ParseLimits(s)
		if err != nil {
			return
		}
		for _, d := range slo.Compare(old, now, limits) {
			if d.Limit.Describe() == "" || !d.Missing && d.Change() == "" {
				t.Fatalf("limit %q: an empty description", d.Limit.Expr)
			}
		}
	})
}
