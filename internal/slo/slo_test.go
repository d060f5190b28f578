package slo_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

func TestParse(t *testing.T) {
	cases := []struct {
		expr      string
		scope     string
		metric    string
		op        slo.Op
		threshold float64
		unit      slo.Unit
	}{
		{"p95<500ms", "", "p95", slo.OpLess, 500, slo.UnitMilliseconds},
		{"p50<=800us", "", "p50", slo.OpLessEqual, 0.8, slo.UnitMilliseconds},
		{"p99.9<1.2s", "", "p99.9", slo.OpLess, 1200, slo.UnitMilliseconds},
		{"p100<1m", "", "p100", slo.OpLess, 60000, slo.UnitMilliseconds},
		{"login.p99<=1.2s", "login", "p99", slo.OpLessEqual, 1200, slo.UnitMilliseconds},
		{"login.p99.9>=1µs", "login", "p99.9", slo.OpGreaterEqual, 0.001, slo.UnitMilliseconds},
		{"my.step.p90<2s", "my.step", "p90", slo.OpLess, 2000, slo.UnitMilliseconds},
		{"min>1ms", "", "min", slo.OpGreater, 1, slo.UnitMilliseconds},
		{"mean<100ms", "", "mean", slo.OpLess, 100, slo.UnitMilliseconds},
		{"register.max<5s", "register", "max", slo.OpLess, 5000, slo.UnitMilliseconds},
		{"rps>=100", "", "rps", slo.OpGreaterEqual, 100, slo.UnitPerSecond},
		{"login.rps>12.5", "login", "rps", slo.OpGreater, 12.5, slo.UnitPerSecond},
		{"requests>=10", "", "requests", slo.OpGreaterEqual, 10, slo.UnitCount},
		{"errors==0", "", "errors", slo.OpEqual, 0, slo.UnitCount},
		{"errors<1%", "", "errors", slo.OpLess, 1, slo.UnitPercent},
		{"error_rate<0.5%", "", "error_rate", slo.OpLess, 0.5, slo.UnitPercent},
		{"lock_timeouts==0", "", "lock_timeouts", slo.OpEqual, 0, slo.UnitCount},
		{"status_503<1%", "", "status_503", slo.OpLess, 1, slo.UnitPercent},
		{"status_5xx<=3", "", "status_5xx", slo.OpLessEqual, 3, slo.UnitCount},
		{"register.status_409>0", "register", "status_409", slo.OpGreater, 0, slo.UnitCount},
		{"transport_errors==0", "", "transport_errors", slo.OpEqual, 0, slo.UnitCount},
		{"dropped<=5", "", "dropped", slo.OpLessEqual, 5, slo.UnitCount},
		{"dropped_no_worker==0", "", "dropped_no_worker", slo.OpEqual, 0, slo.UnitCount},
		{"dropped_behind<0.1%", "", "dropped_behind", slo.OpLess, 0.1, slo.UnitPercent},
		{"iterations>=1000", "", "iterations", slo.OpGreaterEqual, 1000, slo.UnitCount},
		{"iteration_rate>=49.5", "", "iteration_rate", slo.OpGreaterEqual, 49.5, slo.UnitIterationsPerSecond},
		{" p95 < 500ms ", "", "p95", slo.OpLess, 500, slo.UnitMilliseconds},
		{"retries<100", "", "retries", slo.OpLess, 100, slo.UnitCount},
		{"session.retries<=5%", "session", "retries", slo.OpLessEqual, 5, slo.UnitPercent},
		{"first_attempt.error_rate<1%", "", "first_attempt.error_rate", slo.OpLess, 1, slo.UnitPercent},
		{"login.first_attempt.error_rate<1%", "login", "first_attempt.error_rate", slo.OpLess, 1, slo.UnitPercent},
		{"my.step.first_attempt.errors==0", "my.step", "first_attempt.errors", slo.OpEqual, 0, slo.UnitCount},
		{"first_attempt.requests>=10", "", "first_attempt.requests", slo.OpGreaterEqual, 10, slo.UnitCount},
		{"first_attempt.ok>99%", "", "first_attempt.ok", slo.OpGreater, 99, slo.UnitPercent},
		{"first_attempt.lock_timeouts==0", "", "first_attempt.lock_timeouts", slo.OpEqual, 0, slo.UnitCount},
		{"first_attempt.transport_errors<2", "", "first_attempt.transport_errors", slo.OpLess, 2, slo.UnitCount},
		{"login.first_attempt.unavailable<1%", "login", "first_attempt.unavailable", slo.OpLess, 1, slo.UnitPercent},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			s, err := slo.Parse(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if s.Scope != tc.scope || s.Metric != tc.metric || s.Op != tc.op || s.Unit != tc.unit ||
				s.Threshold < tc.threshold*(1-1e-12) || s.Threshold > tc.threshold*(1+1e-12) {
				t.Errorf("got scope %q metric %q op %s threshold %v %s", s.Scope, s.Metric, s.Op, s.Threshold, s.Unit)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		expr   string
		column int
		want   string
	}{
		{"p95", 4, "no comparison"},
		{"<500ms", 1, "no metric"},
		{"p95=500ms", 4, `"=" is not an operator`},
		{"p95<", 5, "no value"},
		{"p95<500", 5, `latency "500" needs a unit, as in 500ms`},
		{"p95<0", 5, `latency "0" needs a unit`},
		{"p95<5oo", 5, `"5oo" is not a duration`},
		{"p95<-1s", 5, "is not a duration"},
		{"p0<1s", 1, `unknown metric "p0"`},
		{"p101<1s", 1, `unknown metric "p101"`},
		{"p9x<1s", 1, `unknown metric "p9x"`},
		{"pNaN<1s", 1, "unknown metric"},
		{"latency<1s", 1, `unknown metric "latency"`},
		{"login.<1s", 7, `no metric after the scope "login."`},
		{".p95<1s", 1, "unknown metric"},
		{"status_99<1", 1, "unknown metric"},
		{"status_5000<1", 1, "unknown metric"},
		{"error_rate<0.5", 12, "error_rate takes a percentage"},
		{"error_rate<101%", 12, "not a percentage between 0% and 100%"},
		{"rps>1%", 5, "rps takes a number of requests per second"},
		{"rps>fast", 5, "rps takes a number of requests per second"},
		{"iteration_rate>1%", 16, "iteration_rate takes a number of iterations per second, not a percentage"},
		{"iterations>10%", 12, "iterations takes a number of iterations, not a percentage"},
		{"iterations>-1", 12, `iterations takes a number of iterations, not "-1"`},
		{"dropped_late==0", 1, `unknown metric "dropped_late"`},
		{"errors<5ms", 8, "errors takes a count or a percentage"},
		{"errors<-1", 8, "errors takes a count"},
		{"errors<NaN", 8, "errors takes a count"},
		{"p95 <  oops", 8, `"oops" is not a duration`},
		{"session.retriez<1", 9, `unknown metric "retriez" (after the scope "session")`},
		{"a.b.retriez<1", 3, `unknown metric "b.retriez" (after the scope "a")`},
		{"p99.9x<1s", 1, `unknown metric "p99.9x":`},
		{"login.p99.9x<1s", 7, `unknown metric "p99.9x" (after the scope "login")`},
		{"first_attempt.p95<1s", 1, "first_attempt.p95: first attempts are counted by class only, not timed and not by status"},
		{"login.first_attempt.status_429==0", 7, `first_attempt.status_429 (after the scope "login"): first attempts are counted by class only`},
		{"first_attempt.retries==0", 1, "first_attempt.retries: a first attempt is never a retry"},
		{"first_attempt.rps>1", 1, "for rps, write it without first_attempt."},
		{"first_attempt.dropped==0", 1, "first_attempt.dropped: first attempts"},
		{"first_attempt.first_attempt.errors==0", 1, "for first_attempt.errors, write it without first_attempt."},
		{"first_attempt.nope<1", 1, `unknown metric "first_attempt.nope"`},
		{"first_attempt.error_rate<1", 26, "first_attempt.error_rate takes a percentage"},
		{"retries<1s", 9, "retries takes a count or a percentage"},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := slo.Parse(tc.expr)
			var sloErr *slo.Error
			if !errors.As(err, &sloErr) {
				t.Fatalf("Parse(%q) = %v, want an *slo.Error", tc.expr, err)
			}
			if !strings.Contains(err.Error(), `"`+tc.expr+`"`) {
				t.Errorf("message %q does not quote the expression", err)
			}
			if !strings.Contains(err.Error(), tc.want) || sloErr.Column != tc.column {
				t.Errorf("message %q at column %d; want %q at column %d", err, sloErr.Column, tc.want, tc.column)
			}
		})
	}
}

func TestCheckScopes(t *testing.T) {
	parse := func(exprs ...string) []slo.SLO { return testkit.SLOs(t, exprs...) }
	if err := slo.CheckScopes(parse("login.p95<1s", "p99<2s", "dropped==0"), []string{"login"}); err != nil {
		t.Errorf("valid scopes refused: %v", err)
	}
	if err := slo.CheckScopes(parse("profile.p95<1s", "register.errors==0"), []string{"login"}); err != nil {
		t.Errorf("the reference API's endpoints must always be valid scopes: %v", err)
	}
	err := slo.CheckScopes(parse("checkout.p95<1s"), []string{"login", "cart"})
	if err == nil || !strings.Contains(err.Error(), `unknown endpoint "checkout"`) || !strings.Contains(err.Error(), "login, register, profile, cart") {
		t.Errorf("unknown scope: %v", err)
	}
	for _, metric := range []string{"dropped", "dropped_no_worker", "dropped_behind", "iterations", "iteration_rate"} {
		expr := "login." + metric + ">=0"
		if err := slo.CheckScopes(parse(expr), []string{"login"}); err == nil || !strings.Contains(err.Error(), metric+" counts iterations of the whole run") {
			t.Errorf("%s: %v; want a scoped %s refused", expr, err, metric)
		}
	}
}

func TestEvaluate(t *testing.T) {
	r := testkit.Result()
	cases := []struct {
		expr   string
		actual float64
		pass   bool
		reason string
	}{
		{"requests==100", 100, true, "100 == 100"},
		{"errors==0", 10, false, "10 is not == 0"},
		{"errors<=10%", 10, true, "10% <= 10%"},
		{"error_rate<0.5%", 10, false, "10% is not < 0.5%"},
		{"lock_timeouts==0", 5, false, "5 is not == 0"},
		{"lock_timeouts<6", 5, true, "5 < 6"},
		{"status_503==8", 8, true, "8 == 8"},
		{"status_503>8%", 8, false, "8% is not > 8%"},
		{"status_5xx>=8", 8, true, "8 >= 8"},
		{"status_200==90", 90, true, "90 == 90"},
		{"transport_errors==2", 2, true, "2 == 2"},
		{"dropped==7", 7, true, "7 == 7"},
		{"dropped<5%", 6.542, false, "6.542% is not < 5%"}, // of the 107 arrivals, not the 100 requests
		{"rps>=10", 10, true, "10.0 req/s >= 10.0 req/s"},
		{"rps>10", 10, false, "10.0 req/s is not > 10.0 req/s"},
		{"login.min<=100us", 0.1, true, "0.1ms <= 0.1ms"},
		{"max>=2s", 2000.895, true, "2000.895ms >= 2000ms"}, // the highest value equivalent to 2s at 3 digits
		{"p50<46ms", 45.023, true, "45.023ms < 46ms"},
		{"p90<100ms", 85.055, true, "85.055ms < 100ms"},
		{"login.p95<=90.047ms", 90.047, true, "90.047ms <= 90.047ms"},
		{"login.p99<1s", 2000.895, false, "2000.895ms is not < 1000ms"},
		{"register.p95<1s", 0, false, "no samples"},
		{"register.errors==0", 0, false, "no samples"},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			s, err := slo.Parse(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			v := s.Evaluate(r)
			if v.Pass != tc.pass || v.Reason != tc.reason || v.Actual < tc.actual*(1-1e-3) || v.Actual > tc.actual*(1+1e-3) {
				t.Errorf("got actual %v pass %v reason %q; want %v %v %q", v.Actual, v.Pass, v.Reason, tc.actual, tc.pass, tc.reason)
			}
			if v.NoSamples != (tc.reason == "no samples") {
				t.Errorf("NoSamples %v with reason %q", v.NoSamples, v.Reason)
			}
		})
	}
}

// TestEvaluateOpen: the drops by cause, as counts and as percentages of
// arrivals, and the iterations started and their rate.
func TestEvaluateOpen(t *testing.T) {
	// 108 arrivals at 10 a second (a schedule of 10.8 s): 5 dropped for want
	// of a worker, 3 behind; 100 iterations.
	r := testkit.OpenResult(3)
	for _, tc := range []struct {
		expr   string
		actual float64
		pass   bool
		reason string
	}{
		{"dropped==8", 8, true, "8 == 8"},
		{"dropped_no_worker==0", 5, false, "5 is not == 0"},
		{"dropped_behind<5%", 2.778, true, "2.778% < 5%"},
		{"iterations>=100", 100, true, "100 >= 100"},
		{"iteration_rate>=9", 9.259, true, "9.3 iter/s >= 9.0 iter/s"},
		{"iteration_rate>9.5", 9.259, false, "9.3 iter/s is not > 9.5 iter/s"},
	} {
		v := testkit.SLOs(t, tc.expr)[0].Evaluate(r)
		if v.Pass != tc.pass || v.Reason != tc.reason || v.Actual < tc.actual*(1-1e-3) || v.Actual > tc.actual*(1+1e-3) {
			t.Errorf("%s: actual %v pass %v reason %q; want %v %v %q", tc.expr, v.Actual, v.Pass, v.Reason, tc.actual, tc.pass, tc.reason)
		}
	}
}

// TestEvaluateRetries: retries and the first_attempt. metrics, in total
// and scoped, as counts and as percentages (of requests for retries, of
// first attempts for the others).
func TestEvaluateRetries(t *testing.T) {
	r := testkit.ResultWithRetries() // 108 login requests, 8 retries; of the 100 first attempts 90 ok, 5 lock timeouts, 3 unavailable, 2 transport
	for _, tc := range []struct {
		expr   string
		actual float64
		pass   bool
		reason string
	}{
		{"retries==8", 8, true, "8 == 8"},
		{"retries<5%", 7.407, false, "7.407% is not < 5%"},
		{"login.retries<=8", 8, true, "8 <= 8"},
		{"error_rate<=11.2%", 11.111, true, "11.111% <= 11.2%"},
		{"first_attempt.error_rate<5%", 10, false, "10% is not < 5%"},
		{"login.first_attempt.error_rate<=10%", 10, true, "10% <= 10%"},
		{"first_attempt.requests==100", 100, true, "100 == 100"},
		{"first_attempt.ok>=90", 90, true, "90 >= 90"},
		{"first_attempt.ok<90%", 90, false, "90% is not < 90%"},
		{"first_attempt.errors<=10", 10, true, "10 <= 10"},
		{"first_attempt.lock_timeouts==5", 5, true, "5 == 5"},
		{"login.first_attempt.unavailable<3%", 3, false, "3% is not < 3%"},
		{"first_attempt.transport_errors==2", 2, true, "2 == 2"},
		{"register.first_attempt.error_rate<1%", 0, false, "no samples"},
		{"register.retries==0", 0, false, "no samples"},
	} {
		v := testkit.SLOs(t, tc.expr)[0].Evaluate(r)
		if v.Pass != tc.pass || v.Reason != tc.reason || v.Actual < tc.actual*(1-1e-3) || v.Actual > tc.actual*(1+1e-3) {
			t.Errorf("%s: actual %v pass %v reason %q; want %v %v %q", tc.expr, v.Actual, v.Pass, v.Reason, tc.actual, tc.pass, tc.reason)
		}
	}
}

// TestOlderFileRetriesNoSamples: a result whose requests count neither
// retries nor first attempts (a file older than them, or merged with one)
// has no samples for the retry metrics, and a baseline compares nothing
// there; its other metrics are judged as ever.
func TestOlderFileRetriesNoSamples(t *testing.T) {
	older := testkit.Result()
	for _, e := range append(older.Endpoints, older.Total) {
		e.FirstAttempt = [runner.MaxClasses]int64{}
	}
	merged, err := runner.TotalOf([]*runner.EndpointStats{older.Endpoint("login"), testkit.ResultWithRetries().Endpoint("login")})
	if err != nil {
		t.Fatal(err)
	}
	partly := testkit.Result()
	partly.Endpoints[0], partly.Total = merged, merged
	for _, r := range []*runner.Result{older, partly} {
		for i, v := range slo.Judge(r, testkit.SLOs(t, "retries==0", "login.first_attempt.error_rate<100%", "first_attempt.requests>=0", "errors>=0")) {
			if want := i < 3; v.NoSamples != want || v.Pass == want {
				t.Errorf("%s on %d requests without attempt counts: pass %v, no samples %v (%s); want no samples %v",
					v.SLO.Expr, r.Total.Requests(), v.Pass, v.NoSamples, v.Reason, want)
			}
		}
	}
	limits, err := slo.ParseLimits("retries=0,first_attempt.error_rate=0.1%,errors=0")
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]*runner.Result{{older, testkit.ResultWithRetries()}, {testkit.ResultWithRetries(), older}} {
		for _, d := range slo.Compare(pair[0], pair[1], limits) {
			if d.Endpoint == "register" {
				continue // no requests in either
			}
			if want := d.Limit.Expr != "errors=0"; d.Missing != want {
				t.Errorf("%s of %s against an older file: missing %v, want %v", d.Limit.Expr, d.Endpoint, d.Missing, want)
			}
		}
	}
}

// TestCompareRetries: a baseline compares retries (relative, upwards) and
// the first attempts' error rate (in percentage points) like any metric.
func TestCompareRetries(t *testing.T) {
	limits, err := slo.ParseLimits("retries=50%,first_attempt.error_rate=5%,first_attempt.requests=1%")
	if err != nil {
		t.Fatal(err)
	}
	deltas := slo.Compare(testkit.Result(), testkit.ResultWithRetries(), limits)
	got := map[string]string{}
	for _, d := range deltas {
		if d.Endpoint == "total" {
			got[d.Limit.Expr] = fmt.Sprintf("%v %v->%v %s", d.Regressed, d.Old, d.New, d.Change())
		}
	}
	want := map[string]string{
		"retries=50%":                 "true 0->8 +8",       // from none: any rise is a regression
		"first_attempt.error_rate=5%": "false 10->10 +0pp",  // the same first attempts
		"first_attempt.requests=1%":   "false 100->100 +0%", // lower is worse; unchanged
	}
	for expr, w := range want {
		if got[expr] != w {
			t.Errorf("%s: %s, want %s", expr, got[expr], w)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"p95<500ms", "login.p99.9<=1.2s", "error_rate<0.5%", "lock_timeouts==0", "status_503<1%",
		"rps>=100", "a.b.c.p1<1ns", "p95<<5", "==", "p99.<1s", "errors<1e308%", "min>9999999999h",
		"dropped_no_worker<1%", "dropped_behind==0", "iterations>=10", "iteration_rate>=49.5", "login.iteration_rate>1",
		"retries<100", "login.retries<1%", "first_attempt.error_rate<1%", "login.first_attempt.error_rate<1%",
		"first_attempt.lock_timeouts==0", "a.first_attempt.ok>5%", "first_attempt.p95<1s", "session.retriez<1", "first_attempt.<1",
		"server.lock_wait.p95<5ms", "server.login.p99.9>=1s", "server.errors.storage_lock_timeout==0", "server.error_rate<1%", "server.lock_timeouts<1%"} {
		f.Add(s)
	}
	results := []*runner.Result{testkit.OpenResult(3), testkit.ResultWithRetries(), testkit.ResultWithServer()}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := slo.Parse(expr)
		if err != nil {
			var sloErr *slo.Error
			if !errors.As(err, &sloErr) || sloErr.Column < 1 || sloErr.Column > len(expr)+1 {
				t.Fatalf("Parse(%q): %v, want an *slo.Error with a column inside the expression", expr, err)
			}
			return
		}
		if s.Expr != expr || s.Metric == "" {
			t.Fatalf("Parse(%q) = %+v", expr, s)
		}
		for _, r := range results {
			if v := s.Evaluate(r); v.Reason == "" {
				t.Fatalf("verdict of %q without a reason", expr)
			}
		}
	})
}

// TestOlderFileNoSamples: a result from a file older than the drop causes
// and the iterations has zeros there that were never counted: SLOs on them
// have no samples, and a baseline's limits on them compare nothing.
func TestOlderFileNoSamples(t *testing.T) {
	older := testkit.OpenResult(3)
	older.DroppedNoWorker, older.DroppedBehind, older.Iterations = 0, 0, 0
	var slos []slo.SLO
	for _, expr := range []string{"dropped_behind==0", "dropped_no_worker<=100", "iterations>=1", "iteration_rate>=0", "dropped==8"} {
		s, err := slo.Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		slos = append(slos, s)
	}
	for i, v := range slo.Judge(older, slos) {
		if want := i < 4; v.NoSamples != want || v.Pass == want {
			t.Errorf("%s on an older file: pass %v, no samples %v (%s); want no samples %v", v.SLO.Expr, v.Pass, v.NoSamples, v.Reason, want)
		}
	}
	limits, err := slo.ParseLimits("dropped_behind=0,dropped_no_worker=0,iterations=1%,iteration_rate=1%,dropped=0")
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]*runner.Result{{older, testkit.OpenResult(3)}, {testkit.OpenResult(3), older}} {
		for i, d := range slo.Compare(pair[0], pair[1], limits) {
			if want := i < 4; d.Missing != want || d.Regressed {
				t.Errorf("%s against an older file: missing %v, regressed %v; want missing %v, no regression", d.Limit.Expr, d.Missing, d.Regressed, want)
			}
		}
	}
}
