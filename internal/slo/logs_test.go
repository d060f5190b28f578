package slo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/logscan"
	"github.com/loadgate/loadgate/internal/slo"
)

const lockLog = `time=2026-11-28T12:00:00.000Z level=DEBUG msg="storage lock" op=login wait_ms=1 hold_ms=0.2
time=2026-11-28T12:00:00.000Z level=DEBUG msg="storage lock" op=login wait_ms=9 hold_ms=0.2
time=2026-11-28T12:00:00.000Z level=WARN msg="request failed" endpoint=login status=503 error_kind=storage_lock_timeout trace_id=a duration_ms=100
time=2026-11-28T12:00:00.000Z level=INFO msg="request failed" endpoint=login status=401 error_kind=auth_error trace_id=b duration_ms=50
`

func TestJudgeLogs(t *testing.T) {
	sum, err := logscan.Read(strings.NewReader(lockLog), logscan.Window{})
	if err != nil {
		t.Fatal(err)
	}
	// A case passes when its reason does not say "is not".
	cases := []struct{ expr, reason string }{
		{"storage_lock_timeout==0", "1 is not == 0"},
		{"lock_timeouts<=1", "1 <= 1"},
		{"errors==2", "2 == 2"},
		{"errors.auth_error==0", "1 is not == 0"},
		{"errors.conflict==0", "0 == 0"},
		{"error_rate<50%", "100% is not < 50%"},
		{"status_503==1", "1 == 1"},
		{"status_5xx<50%", "50% is not < 50%"},
		{"requests==2", "2 == 2"},
		{"lock_acquire.p95<5ms", "9.007ms is not < 5ms"},
		{"lock_acquire.min<=1ms", "1ms <= 1ms"},
		{"lock_hold.max<1ms", "0.2ms < 1ms"},
		{"error_latency.p50<=51ms", "50.015ms <= 51ms"},
	}
	for _, c := range cases {
		s, err := slo.ParseLogs(c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		v := slo.JudgeLogs(sum, []slo.SLO{s})[0]
		if v.Reason != c.reason || v.Pass == strings.Contains(c.reason, "is not") {
			t.Errorf("%s: %v %q, want %q", c.expr, v.Pass, v.Reason, c.reason)
		}
	}
}

func TestJudgeLogsNoSamples(t *testing.T) {
	sum, err := logscan.Read(strings.NewReader("level=INFO msg=started\n"), logscan.Window{})
	if err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{"lock_acquire.p95<5ms", "error_rate<1%", "errors<1%"} {
		s, _ := slo.ParseLogs(expr)
		if v := slo.JudgeLogs(sum, []slo.SLO{s})[0]; v.Pass || !v.NoSamples {
			t.Errorf("%s: %+v, want a failure for no samples", expr, v)
		}
	}
	s, _ := slo.ParseLogs("lock_timeouts==0")
	if v := slo.JudgeLogs(sum, []slo.SLO{s})[0]; !v.Pass {
		t.Errorf("lock_timeouts==0 on a log without any: %+v", v)
	}
}

func TestParseLogsRefuses(t *testing.T) {
	for expr, want := range map[string]string{
		"p95<5ms":                  `unknown metric "p95" for a log`,
		"lock_acquire.rps>1":       `"rps" after lock_acquire. is not a latency`,
		"lock_acquire.p95<5":       `latency "5" needs a unit`,
		"errors.<1":                `"" is not an error kind`,
		"storage_lock_timeout<1ms": `a count or a percentage`,
		"login.errors==0":          `unknown metric "login.errors" for a log`,
	} {
		_, err := slo.ParseLogs(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", expr, err, want)
		}
	}
}

// FuzzParseLogs: any expression parses or is refused with an *Error, never
// a panic, and what parses can be judged, even on a log of nothing.
func FuzzParseLogs(f *testing.F) {
	for _, seed := range []string{"storage_lock_timeout==0", "lock_acquire.p95<5ms", "errors==0", "errors.auth_error<1%",
		"error_latency.p99.9<=1.2s", "lock_hold.max>0us", "status_503<=3", "error_rate<0.5%", "errors.<1", "lock_acquire.<1ms"} {
		f.Add(seed)
	}
	empty := logscan.NewSummary(logscan.Window{})
	empty.Finish()
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := slo.ParseLogs(expr)
		if err != nil {
			var e *slo.Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: %T %v, want an *slo.Error", expr, err, err)
			}
			return
		}
		if s.Expr != expr {
			t.Fatalf("Expr %q, want %q", s.Expr, expr)
		}
		slo.JudgeLogs(empty, []slo.SLO{s})
	})
}
