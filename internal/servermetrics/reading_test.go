package servermetrics_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/servermetrics"
)

func selector(t *testing.T, text string) servermetrics.Selector {
	t.Helper()
	s, err := servermetrics.ParseSelector(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReadingSumsReplicas: two replicas of one service, one read in
// process and one scraped, count together what was sent to both during the
// run, and a selector sums the series it picks; a source that cannot be
// read is a problem said once, not a zero.
func TestReadingSumsReplicas(t *testing.T) {
	one, two := newAPI(t), newAPI(t)
	get(t, one.URL()+"/health", 2)
	scraped := httptest.NewServer(two.MetricsHandler())
	defer scraped.Close()
	sources := []servermetrics.Source{{Gatherer: one.Metrics()}, {URL: scraped.URL}, {URL: "http://127.0.0.1:1/metrics"}}
	r := servermetrics.Begin(t.Context(), http.DefaultClient, sources)
	get(t, one.URL()+"/health", 3)
	get(t, two.URL()+"/health", 4)
	get(t, two.URL()+"/nope", 1)
	v := r.End(t.Context(), nil)
	if n, ok := v.Counter(selector(t, `http_requests_total{endpoint="health"}`)); !ok || n != 7 {
		t.Errorf("health requests %g (%v), want 7 from both replicas", n, ok)
	}
	if n, _ := v.Counter(selector(t, `http_requests_total`)); n != 8 {
		t.Errorf("all requests %g, want 8", n)
	}
	if h := v.Histogram(selector(t, `http_request_duration_seconds{endpoint="health"}`)); h == nil || h.Count != 7 || !h.Native {
		t.Errorf("the health durations of both replicas: %+v", h)
	}
	if _, ok := v.Counter(selector(t, `http_requests_total{endpoint="profile"}`)); ok {
		t.Error("a counter of no series found")
	}
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0], "metrics of http://127.0.0.1:1/metrics not read as the load began") {
		t.Errorf("problems %q; want the unreachable source once", v.Problems)
	}
}

func TestParseSelector(t *testing.T) {
	s := selector(t, ` storage_lock_wait_seconds{op="auth_login_get_user", kind = "a\"b"} `)
	if s.Name != "storage_lock_wait_seconds" || s.Labels["op"] != "auth_login_get_user" || s.Labels["kind"] != `a"b` || len(s.Labels) != 2 {
		t.Errorf("parsed %+v", s)
	}
	if got := s.String(); got != `storage_lock_wait_seconds{kind="a\"b",op="auth_login_get_user"}` {
		t.Errorf("written back as %s", got)
	}
	for _, bad := range []string{"", "9x", "a b", "x{", "x{op}", "x{op=login}", `x{op="a" b="c"}`, `x{op="a",op="b"}`, `x{a:b="c"}`, `x{op="a"`} {
		if _, err := servermetrics.ParseSelector(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

// FuzzParseSelector: a selector that parses writes back as one that
// parses to the same.
func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{`x`, `x{a="b"}`, `x{a="b",c="d\n"}`, `x{`, `{a="b"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := servermetrics.ParseSelector(text)
		if err != nil {
			return
		}
		again, err := servermetrics.ParseSelector(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("%q parsed as %s, which reads back as %s, %v", text, s, again, err)
		}
	})
}

// TestOperationsThroughNames: a name mapped to one operation's series
// gives that operation alone, and a service that times only the waits
// still has its operations.
func TestOperationsThroughNames(t *testing.T) {
	wait := func(op string, n uint64) servermetrics.Series {
		return servermetrics.Series{Name: "db_wait_seconds", Labels: map[string]string{"op": op},
			Histogram: &servermetrics.Histogram{Count: n, Native: true, Positive: map[int32]uint64{-10: n}}}
	}
	names, err := servermetrics.ParseNames([]string{`lock_wait=db_wait_seconds{op="a"}`})
	if err != nil {
		t.Fatal(err)
	}
	v := servermetrics.View{Delta: servermetrics.Delta{Series: []servermetrics.Series{wait("a", 10), wait("b", 3)}}, Names: names}
	ops := v.Operations()
	if len(ops) != 1 || ops[0].Name != "a" || ops[0].Wait == nil || ops[0].Wait.Count != 10 || ops[0].Hold != nil {
		t.Errorf("operations %+v; want a alone, its 10 waits", ops)
	}
	v.Names, _ = servermetrics.ParseNames([]string{`lock_wait=db_wait_seconds`})
	if ops := v.Operations(); len(ops) != 2 || ops[1].Name != "b" || ops[1].Wait.Count != 3 {
		t.Errorf("operations %+v; want a and b by their own waits", ops)
	}
}
