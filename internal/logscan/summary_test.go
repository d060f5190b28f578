package logscan

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// serviceLog is a log as the seed service writes it (tracing text): two
// lock timeouts logged both ways, matched by trace ID; one bare warning
// without a trace ID; one auth error; lock records at debug level.
const serviceLog = `2026-11-28T12:00:00.000001Z DEBUG auth_api::store: storage lock op="login" wait_ms=0.5 hold_ms=60.2
2026-11-28T12:00:00.000002Z DEBUG auth_api::store: storage lock op="login" wait_ms=4.5 hold_ms=61.0
2026-11-28T12:00:01.000001Z  WARN request{trace_id="a"}: auth_api::store: storage lock timeout - returning 503
2026-11-28T12:00:01.000002Z  WARN auth_api: request failed endpoint="login" status=503 error_kind=storage_lock_timeout trace_id="a" duration_ms=2000.5
2026-11-28T12:00:01.000003Z  WARN auth_api: request failed endpoint="login" status=503 error_kind=storage_lock_timeout trace_id="b" duration_ms=2001.5
2026-11-28T12:00:01.000004Z  WARN request{trace_id="b"}: auth_api::store: storage lock timeout - returning 503
2026-11-28T12:00:02.000001Z  WARN auth_api::store: storage lock timeout - returning 503
2026-11-28T12:00:03.000001Z  INFO auth_api: request failed endpoint="login" status=401 error_kind=auth_error trace_id="c" duration_ms=61.0
2026-11-28T12:00:04.000001Z  INFO auth_api: request endpoint="health" status=200 duration_ms=0.1
thread 'main' panicked at src/main.rs:1:1
`

func TestSummary(t *testing.T) {
	s, err := Read(strings.NewReader(serviceLog), Window{})
	if err != nil {
		t.Fatal(err)
	}
	lt := s.LockTimeouts
	if lt.Structured != 2 || lt.Warnings != 3 || lt.Matched != 2 || lt.Total != 3 {
		t.Errorf("lock timeouts %+v, want 2 structured, 3 warnings, 2 matched, 3 in all", lt)
	}
	if s.Lines != 10 || s.Recognised != 9 || s.Unrecognised != 1 {
		t.Errorf("lines %d recognised %d unrecognised %d, want 10 9 1", s.Lines, s.Recognised, s.Unrecognised)
	}
	if s.Requests != 4 || s.Errors != 4 || s.ByKind[KindLockTimeout] != 3 || s.ByKind["auth_error"] != 1 {
		t.Errorf("requests %d errors %d by kind %v, want 4, 4, 3 lock timeouts and 1 auth error", s.Requests, s.Errors, s.ByKind)
	}
	if e := s.ByEndpoint["login"]; e == nil || e.Requests != 3 || e.Errors != 3 || e.LockTimeouts != 2 {
		t.Errorf("login %+v, want 3 requests, 3 errors, 2 lock timeouts", e)
	}
	if s.ByStatus[503] != 2 || s.ByStatus[401] != 1 || s.ByStatus[200] != 1 {
		t.Errorf("statuses %v", s.ByStatus)
	}
	if s.LockOperations != 2 || s.LockAcquire.Max() < 4490 || s.LockAcquire.Max() > 4510 || s.LockAcquire.Min() < 499 || s.LockAcquire.Min() > 501 {
		t.Errorf("lock acquisitions %d, %d-%dµs, want 2, 500-4500µs", s.LockOperations, s.LockAcquire.Min(), s.LockAcquire.Max())
	}
	if n := s.ErrorLatency.TotalCount(); n != 3 {
		t.Errorf("%d error latencies, want 3", n)
	}
	if got := s.KindLatency[KindLockTimeout].Max(); got < 2000000 || got > 2003000 {
		t.Errorf("lock timeout latency max %dµs, want about 2001500", got)
	}
	if len(s.Samples[KindLockTimeout]) != 3 || s.Samples[KindLockTimeout][0].Line != 3 {
		t.Errorf("samples %+v, want the first 3 lock-timeout lines, from line 3", s.Samples[KindLockTimeout])
	}
	if s.ByLevel[LevelWarn] != 5 || s.ByFormat[FormatTracingText] != 9 {
		t.Errorf("levels %v formats %v", s.ByLevel, s.ByFormat)
	}
}

func TestSummaryWindow(t *testing.T) {
	since, _ := time.Parse(time.RFC3339, "2026-11-28T12:00:01Z")
	until, _ := time.Parse(time.RFC3339, "2026-11-28T12:00:02Z")
	s, err := Read(strings.NewReader(serviceLog+"level=WARN msg=\"storage lock timeout - returning 503\"\n"), Window{Since: since, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if s.LockTimeouts.Total != 2 || s.OutsideWindow != 5 || s.Undated != 1 || s.Recognised != 10 {
		t.Errorf("total %d outside %d undated %d recognised %d; want the 2 timeouts of 12:00:01, 5 outside, 1 undated, 10 recognised",
			s.LockTimeouts.Total, s.OutsideWindow, s.Undated, s.Recognised)
	}
	if !s.First.Equal(since.Add(1000)) {
		t.Errorf("first %v", s.First)
	}
}

func TestSummaryBoundsNames(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "level=INFO msg=x path=/users/%d status=404 error_kind=kind_%d\n", i, i)
	}
	b.WriteString("level=INFO msg=x path=/users/1 status=99999 error_kind=kind_1\n")
	s, err := Read(strings.NewReader(b.String()), Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.ByEndpoint) != maxNames+1 || s.ByEndpoint[OtherName].Requests != 200-maxNames {
		t.Errorf("%d endpoints, %d others; want %d and the rest together", len(s.ByEndpoint), s.ByEndpoint[OtherName].Requests, maxNames)
	}
	if len(s.ByKind) != maxNames+1 || s.ByKind[OtherName] != 200-maxNames || s.ByKind["kind_1"] != 2 {
		t.Errorf("%d kinds, %d others, kind_1 %d", len(s.ByKind), s.ByKind[OtherName], s.ByKind["kind_1"])
	}
	if len(s.ByStatus) != 1 || s.ByStatus[404] != 200 {
		t.Errorf("statuses %v, want 404 alone (99999 is none)", s.ByStatus)
	}
}

func TestSamplesCannotDriveATerminal(t *testing.T) {
	s, err := Read(strings.NewReader("WARN api: x error_kind=boom payload=\"\\a\" raw=\x07\x9b2J\xff\n"), Window{})
	if err != nil {
		t.Fatal(err)
	}
	text := s.Samples["boom"][0].Text
	if strings.IndexByte(text, 0x07) >= 0 || strings.IndexByte(text, 0x9b) >= 0 || strings.IndexByte(text, 0xff) >= 0 ||
		!strings.Contains(text, "raw=\uFFFD\uFFFD2J\uFFFD") {
		t.Errorf("sample %q keeps a control character", text)
	}
}

// TestLockTimeoutsOfOneTraceID: the lines of one trace ID are as many
// lock timeouts as the more of its records and its warnings; they used to
// be one, whatever their number, and the summary said "3 request records,
// 1 error; statuses 503:3".
func TestLockTimeoutsOfOneTraceID(t *testing.T) {
	const record = "level=WARN msg=\"request failed\" endpoint=login status=503 error_kind=storage_lock_timeout trace_id=a\n"
	const warning = "level=WARN msg=\"storage lock timeout - returning 503\" trace_id=a\n"
	for _, c := range []struct {
		name                string
		log                 string
		total, matched, err int64
	}{
		{"one record three times", record + record + record, 3, 0, 3},
		{"two records, one warning", record + warning + record, 2, 1, 2},
		{"two warnings, two records", warning + record + warning + record, 2, 2, 2},
		{"three warnings", warning + warning + warning, 3, 0, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Read(strings.NewReader(c.log), Window{})
			if err != nil {
				t.Fatal(err)
			}
			lt := s.LockTimeouts
			if lt.Total != c.total || lt.Matched != c.matched || s.Errors != c.err || s.ByKind[KindLockTimeout] != c.total {
				t.Errorf("lock timeouts %+v, errors %d, by kind %v; want total %d, matched %d, errors %d",
					lt, s.Errors, s.ByKind, c.total, c.matched, c.err)
			}
			if s.Errors < s.ByStatus[503] {
				t.Errorf("%d errors but %d 503s", s.Errors, s.ByStatus[503])
			}
		})
	}
}

// TestLockTimeoutsPairedWithinAWindow: a record and a warning of one trace
// ID are paired within LockPairLines lines of the first, and no trace ID
// is kept longer, so a log of lock timeouts with unique trace IDs is read
// in bounded memory (every ID used to be kept to the end).
func TestLockTimeoutsPairedWithinAWindow(t *testing.T) {
	const timeouts = 3 * LockPairLines
	var b strings.Builder
	b.WriteString("level=WARN msg=\"storage lock timeout - returning 503\" trace_id=far\n")
	for i := range timeouts {
		fmt.Fprintf(&b, "level=WARN msg=\"request failed\" status=503 error_kind=storage_lock_timeout trace_id=%d\n", i)
		if i == 5 {
			b.WriteString("level=WARN msg=\"storage lock timeout - returning 503\" trace_id=3\n")
		}
	}
	b.WriteString("level=WARN msg=\"request failed\" status=503 error_kind=storage_lock_timeout trace_id=far\n")
	sc := NewScanner(strings.NewReader(b.String()))
	s := NewSummary(Window{})
	kept := 0
	for sc.Scan() {
		s.Add(sc)
		kept = max(kept, len(s.lockPairs.open), len(s.lockPairs.queue))
	}
	s.Finish()
	if kept > LockPairLines {
		t.Errorf("kept %d trace IDs at once, want at most %d", kept, LockPairLines)
	}
	// "far"'s warning and record are more than LockPairLines lines apart:
	// two lock timeouts; "3"'s are paired.
	lt := s.LockTimeouts
	if lt.Total != timeouts+2 || lt.Matched != 1 || lt.Structured != timeouts+1 || lt.Warnings != 2 {
		t.Errorf("lock timeouts %+v; want %d in all, 1 matched", lt, timeouts+2)
	}
}

// TestEndpointFromURI: tower-http's request span (axum's usual layout)
// carries the request's uri, not an endpoint; its path is the endpoint,
// in tracing text and in tracing JSON. It used to be "" (none).
func TestEndpointFromURI(t *testing.T) {
	log := `2026-11-28T12:00:00.000001Z DEBUG request{method=POST uri=/api/auth/login?next=%2F version=HTTP/1.1}: tower_http::trace::on_response: finished processing request latency=12 ms status=401
2026-11-28T12:00:00.000002Z ERROR request{method=POST uri=http://127.0.0.1:8080/api/auth/login version=HTTP/1.1}: tower_http::trace::on_failure: response failed classification=Status code: 503 Service Unavailable latency=2001 ms status=503
{"timestamp":"2026-11-28T12:00:00.000003Z","level":"DEBUG","fields":{"message":"finished processing request","latency":"3 ms","status":200},"target":"tower_http::trace::on_response","span":{"method":"GET","uri":"/api/users/7","version":"HTTP/1.1","name":"request"},"spans":[{"method":"GET","uri":"/api/users/7","version":"HTTP/1.1","name":"request"}]}
{"timestamp":"2026-11-28T12:00:00.000004Z","level":"DEBUG","fields":{"message":"finished processing request","status":200,"endpoint":"users"},"target":"tower_http::trace::on_response","span":{"method":"GET","uri":"/api/users/8","name":"request"}}
`
	s, err := Read(strings.NewReader(log), Window{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]EndpointCounts{"/api/auth/login": {Requests: 2, Errors: 2}, "/api/users/7": {Requests: 1}, "users": {Requests: 1}}
	if len(s.ByEndpoint) != len(want) {
		t.Errorf("endpoints %v, want %v", s.ByEndpoint, want)
	}
	for name, w := range want {
		if e := s.ByEndpoint[name]; e == nil || *e != w {
			t.Errorf("endpoint %q: %+v, want %+v", name, e, w)
		}
	}
}
