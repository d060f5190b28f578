package report_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

func TestParseSLO(t *testing.T) {
	cases := []struct {
		expr      string
		scope     string
		metric    string
		op        report.Op
		threshold float64
		unit      report.Unit
	}{
		{"p95<500ms", "", "p95", report.OpLess, 500, report.UnitMilliseconds},
		{"p50<=800us", "", "p50", report.OpLessEqual, 0.8, report.UnitMilliseconds},
		{"p99.9<1.2s", "", "p99.9", report.OpLess, 1200, report.UnitMilliseconds},
		{"p100<1m", "", "p100", report.OpLess, 60000, report.UnitMilliseconds},
		{"login.p99<=1.2s", "login", "p99", report.OpLessEqual, 1200, report.UnitMilliseconds},
		{"login.p99.9>=1µs", "login", "p99.9", report.OpGreaterEqual, 0.001, report.UnitMilliseconds},
		{"my.step.p90<2s", "my.step", "p90", report.OpLess, 2000, report.UnitMilliseconds},
		{"min>1ms", "", "min", report.OpGreater, 1, report.UnitMilliseconds},
		{"mean<100ms", "", "mean", report.OpLess, 100, report.UnitMilliseconds},
		{"register.max<5s", "register", "max", report.OpLess, 5000, report.UnitMilliseconds},
		{"rps>=100", "", "rps", report.OpGreaterEqual, 100, report.UnitPerSecond},
		{"login.rps>12.5", "login", "rps", report.OpGreater, 12.5, report.UnitPerSecond},
		{"requests>=10", "", "requests", report.OpGreaterEqual, 10, report.UnitCount},
		{"errors==0", "", "errors", report.OpEqual, 0, report.UnitCount},
		{"errors<1%", "", "errors", report.OpLess, 1, report.UnitPercent},
		{"error_rate<0.5%", "", "error_rate", report.OpLess, 0.5, report.UnitPercent},
		{"lock_timeouts==0", "", "lock_timeouts", report.OpEqual, 0, report.UnitCount},
		{"status_503<1%", "", "status_503", report.OpLess, 1, report.UnitPercent},
		{"status_5xx<=3", "", "status_5xx", report.OpLessEqual, 3, report.UnitCount},
		{"register.status_409>0", "register", "status_409", report.OpGreater, 0, report.UnitCount},
		{"transport_errors==0", "", "transport_errors", report.OpEqual, 0, report.UnitCount},
		{"dropped<=5", "", "dropped", report.OpLessEqual, 5, report.UnitCount},
		{" p95 < 500ms ", "", "p95", report.OpLess, 500, report.UnitMilliseconds},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			s, err := report.ParseSLO(tc.expr)
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

func TestParseSLOErrors(t *testing.T) {
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
		{"login.<1s", 1, "unknown metric"},
		{".p95<1s", 1, "unknown metric"},
		{"status_99<1", 1, "unknown metric"},
		{"status_5000<1", 1, "unknown metric"},
		{"error_rate<0.5", 12, "error_rate takes a percentage"},
		{"error_rate<101%", 12, "not a percentage between 0% and 100%"},
		{"rps>1%", 5, "rps takes a number of requests per second"},
		{"rps>fast", 5, "rps takes a number of requests per second"},
		{"errors<5ms", 8, "errors takes a count or a percentage"},
		{"errors<-1", 8, "errors takes a count"},
		{"errors<NaN", 8, "errors takes a count"},
		{"p95 <  oops", 8, `"oops" is not a duration`},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := report.ParseSLO(tc.expr)
			var sloErr *report.SLOError
			if !errors.As(err, &sloErr) {
				t.Fatalf("ParseSLO(%q) = %v, want an *SLOError", tc.expr, err)
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

// parseSLOs parses valid expressions.
func parseSLOs(t *testing.T, exprs ...string) []report.SLO {
	t.Helper()
	var slos []report.SLO
	for _, e := range exprs {
		s, err := report.ParseSLO(e)
		if err != nil {
			t.Fatal(err)
		}
		slos = append(slos, s)
	}
	return slos
}

func TestCheckScopes(t *testing.T) {
	parse := func(exprs ...string) []report.SLO { return parseSLOs(t, exprs...) }
	if err := report.CheckScopes(parse("login.p95<1s", "p99<2s", "dropped==0"), []string{"login"}); err != nil {
		t.Errorf("valid scopes refused: %v", err)
	}
	if err := report.CheckScopes(parse("profile.p95<1s", "register.errors==0"), []string{"login"}); err != nil {
		t.Errorf("the reference API's endpoints must always be valid scopes: %v", err)
	}
	err := report.CheckScopes(parse("checkout.p95<1s"), []string{"login", "cart"})
	if err == nil || !strings.Contains(err.Error(), `unknown endpoint "checkout"`) || !strings.Contains(err.Error(), "login, register, profile, cart") {
		t.Errorf("unknown scope: %v", err)
	}
	if err := report.CheckScopes(parse("login.dropped==0"), []string{"login"}); err == nil {
		t.Errorf("a scoped dropped was accepted")
	}
}

// result builds a Result by hand: 100 login requests (90 ok at 1..90 ms, 5
// lock timeouts, 3 503s of another kind, 2 refused) over 10 seconds, and no
// register requests.
func result() *runner.Result {
	login := runner.NewEndpointStats("login")
	for i := 1; i <= 90; i++ {
		login.Record(runner.Sample{Response: time.Duration(i) * time.Millisecond, Service: time.Duration(i) * time.Millisecond, Status: 200, Class: runner.ClassOK})
	}
	for range 5 {
		login.Record(runner.Sample{Response: 2 * time.Second, Service: 2 * time.Second, Status: 503, Class: runner.ClassLockTimeout})
	}
	for range 3 {
		login.Record(runner.Sample{Response: time.Millisecond, Service: time.Millisecond, Status: 503, Class: runner.ClassUnavailable})
	}
	for range 2 {
		login.Record(runner.Sample{Response: 100 * time.Microsecond, Service: 100 * time.Microsecond, Status: 0, Class: runner.ClassTransport, Kind: runner.TransportRefused})
	}
	register := runner.NewEndpointStats("register")
	total := runner.NewEndpointStats("total")
	total.Merge(login)
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	return &runner.Result{Scenario: "test", Target: "http://127.0.0.1:1", Started: start, Ended: start.Add(10 * time.Second),
		Load: runner.Load{Concurrency: 4, Duration: 10 * time.Second}, Endpoints: []*runner.EndpointStats{login, register}, Total: total, Arrivals: 107, Dropped: 7}
}

func TestEvaluate(t *testing.T) {
	r := result()
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
			s, err := report.ParseSLO(tc.expr)
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

func FuzzParseSLO(f *testing.F) {
	for _, s := range []string{"p95<500ms", "login.p99.9<=1.2s", "error_rate<0.5%", "lock_timeouts==0", "status_503<1%",
		"rps>=100", "a.b.c.p1<1ns", "p95<<5", "==", "p99.<1s", "errors<1e308%", "min>9999999999h"} {
		f.Add(s)
	}
	r := result()
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := report.ParseSLO(expr)
		if err != nil {
			var sloErr *report.SLOError
			if !errors.As(err, &sloErr) || sloErr.Column < 1 || sloErr.Column > len(expr)+1 {
				t.Fatalf("ParseSLO(%q): %v, want an *SLOError with a column inside the expression", expr, err)
			}
			return
		}
		if s.Expr != expr || s.Metric == "" {
			t.Fatalf("ParseSLO(%q) = %+v", expr, s)
		}
		v := s.Evaluate(r)
		if v.Reason == "" {
			t.Fatalf("verdict of %q without a reason", expr)
		}
	})
}
