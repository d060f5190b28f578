package slo_test

import (
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
)

// TestServerSLOs: server. SLOs read the server's own view of the run: a
// percentile is the bucket that holds it, judged by the bound that makes
// the verdict certain, the bucket shown; counts read the counters; a run
// without a view, or whose metrics could not be read, has no samples.
func TestServerSLOs(t *testing.T) {
	r := testkit.ResultWithServer() // login handled in ~35 ms: native bucket (34.078ms, 37.163ms]; 5 login requests, all 200
	cases := []struct {
		expr   string
		pass   bool
		reason string
	}{
		{"server.login.p95<40ms", true, "37.163ms (in (34.1ms, 37.2ms]) < 40ms"},
		{"server.login.p95<36ms", false, "37.163ms (in (34.1ms, 37.2ms]) is not < 36ms"},
		{"server.login.p95>30ms", true, "34.078ms (in (34.1ms, 37.2ms]) > 30ms"},
		{"server.requests==5", true, "5 == 5"},
		{"server.errors==0", true, "0 == 0"},
		{"server.error_rate<1%", true, "0% < 1%"},
		{"server.errors.storage_lock_timeout==0", true, "0 == 0"},
		{"server.lock_timeouts==0", true, "0 == 0"},
		{"server.profile.p95<1s", false, "no samples"},
		{"server.lock_wait.p99<5ms", false, "no samples"},
	}
	for _, c := range cases {
		s, err := slo.Parse(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		v := s.Evaluate(r)
		if v.Pass != c.pass || v.Reason != c.reason {
			t.Errorf("%s: pass %v, %q; want %v, %q", c.expr, v.Pass, v.Reason, c.pass, c.reason)
		}
	}
	s, _ := slo.Parse("server.lock_timeouts==0")
	without := testkit.Result()
	if v := s.Evaluate(without); v.Pass || !v.NoSamples {
		t.Errorf("a run without the server's view: %+v", v)
	}
	without.Server = &servermetrics.View{Problems: []string{"metrics of x not read"}}
	if v := s.Evaluate(without); v.Pass || !v.NoSamples {
		t.Errorf("a run whose metrics were not read: %+v", v)
	}
}

// TestServerSLONames: a run that maps a name to another service's metric
// reads that one.
func TestServerSLONames(t *testing.T) {
	r := testkit.ResultWithServer()
	names, err := servermetrics.ParseNames([]string{`requests=http_requests_total{status="200"}`})
	if err != nil {
		t.Fatal(err)
	}
	r.Server.Names = names
	s, _ := slo.Parse("server.requests==5")
	if v := s.Evaluate(r); !v.Pass {
		t.Errorf("mapped: %+v", v)
	}
	typo, _ := servermetrics.ParseNames([]string{"lock_timeouts=typo_lock_timeouts_total"})
	r.Server.Names = typo
	if s, _ := slo.Parse("server.lock_timeouts==0"); s.Evaluate(r).Pass || !s.Evaluate(r).NoSamples {
		t.Error("a mapping to a metric the server does not have passes")
	}
	for _, bad := range []string{"wait=x", "lock_wait", "lock_wait=9x", `duration=x{a=b}`} {
		if _, err := servermetrics.ParseNames([]string{bad}); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestServerSLOErrors(t *testing.T) {
	for _, expr := range []string{"server.lock_wait<5ms", "server.lock_wait.p0<5ms", "server.nope==0", "server.errors.a b==0", "server.login.p95<5", "server.requests<1ms", "server.<1"} {
		_, err := slo.Parse(expr)
		if err == nil || !strings.Contains(err.Error(), "invalid SLO") {
			t.Errorf("%s: %v", expr, err)
		}
	}
}
