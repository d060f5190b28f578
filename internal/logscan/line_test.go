package logscan

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// The fixture lines are written from the formats' sources:
// tracing-subscriber's fmt/format/mod.rs (Format<Full>::format_event, the
// DefaultVisitor, FmtLevel: the level padded to five, coloured; the time
// dimmed, spans bold, keys italic, "=" and ":" dimmed) and
// fmt/format/json.rs (timestamp, level, fields, target, span, spans; a u128
// recorded through Debug, so written as a string); Go's log/slog
// handler.go and text_handler.go (time with milliseconds and an offset,
// strconv.Quote for values that need it; groups as g.key or nested
// objects); CRI's log format (TIME STREAM P|F MESSAGE); Docker's json-file
// (log, stream, time); railway's CLI (src/util/logs.rs: TIME [LEVEL]
// message key=value with JSON-quoted values; --json one flat object).

const (
	dim    = "\x1b[2m"
	bold   = "\x1b[1m"
	italic = "\x1b[3m"
	reset  = "\x1b[0m"
	yellow = "\x1b[33m"
)

// ansiField writes key=value as tracing-subscriber does with ANSI on.
func ansiField(key, value string) string { return italic + key + reset + dim + "=" + reset + value }

var tracingANSI = dim + "2026-11-28T12:00:00.123456Z" + reset + " " + yellow + " WARN" + reset + " " +
	bold + "request" + reset + bold + "{" + reset + ansiField("trace_id", `"ab12"`) + " " + ansiField("method", "POST") + bold + "}" + reset + dim + ":" + reset +
	bold + "lock" + reset + dim + ":" + reset + " " +
	dim + "auth_api::store" + reset + dim + ":" + reset + " " +
	"storage lock timeout - returning 503 " + ansiField("op", `"login"`) + " " + ansiField("waited", "2.001s")

type want struct {
	format  Format
	time    string
	level   Level
	message string
	fields  map[string]string // a subset, read with Get
	absent  []string
}

func TestParseLine(t *testing.T) {
	cases := []struct {
		name string
		line string
		want want
	}{
		{"tracing text, ANSI", tracingANSI, want{FormatTracingText, "2026-11-28T12:00:00.123456Z", LevelWarn,
			"storage lock timeout - returning 503", map[string]string{"trace_id": "ab12", "method": "POST", "op": "login", "waited": "2.001s"}, nil}},
		{"tracing text, plain", "2026-11-28T12:00:00.123456Z  INFO auth_api::handlers: request failed endpoint=\"login\" status=401 error_kind=auth_error duration_ms=61.5",
			want{FormatTracingText, "2026-11-28T12:00:00.123456Z", LevelInfo, "request failed",
				map[string]string{"endpoint": "login", "status": "401", "error_kind": "auth_error", "duration_ms": "61.5"}, nil}},
		{"tracing text, Some and None, display value with spaces", `2026-11-28T12:00:00.000001Z ERROR api: login failed user_id=Some(42) workspace=None name=Some("bob") error=connection refused (os error 111)`,
			want{FormatTracingText, "2026-11-28T12:00:00.000001Z", LevelError, "login failed",
				map[string]string{"user_id": "42", "name": "bob", "error": "connection refused (os error 111)"}, []string{"workspace"}}},
		{"tracing text, fields only, escapes", `2026-11-28T12:00:00.000001Z DEBUG api: wait_ms=0.25 hold_ms=1.5 note="a \"q\" \u{e9}"`,
			want{FormatTracingText, "2026-11-28T12:00:00.000001Z", LevelDebug, "",
				map[string]string{"wait_ms": "0.25", "hold_ms": "1.5", "note": `a "q" é`}, nil}},
		{"tracing text, span without fields then target", "2026-11-28T12:00:00.000001Z  WARN conn:request{id=7}: api: storage lock timeout - returning 503",
			want{FormatTracingText, "2026-11-28T12:00:00.000001Z", LevelWarn, "storage lock timeout - returning 503",
				map[string]string{"id": "7"}, nil}},
		{"tracing JSON", `{"timestamp":"2026-11-28T12:00:00.123456Z","level":"WARN","fields":{"message":"request failed","error_kind":"storage_lock_timeout","trace_id":"340282366920938463463374607431768211455","status":503},"target":"api","span":{"trace_id":"span-id","name":"request"},"spans":[{"name":"conn","peer":"10.0.0.1"},{"trace_id":"span-id","name":"request"}]}`,
			want{FormatJSON, "2026-11-28T12:00:00.123456Z", LevelWarn, "request failed",
				map[string]string{"error_kind": "storage_lock_timeout", "trace_id": "340282366920938463463374607431768211455", "status": "503", "peer": "10.0.0.1", "target": "api"}, nil}},
		{"tracing JSON, flattened, duplicate level", `{"timestamp":"2026-11-28T12:00:00.123456Z","level":"INFO","message":"hi","level":"custom","target":"api"}`,
			want{FormatJSON, "2026-11-28T12:00:00.123456Z", LevelInfo, "hi", map[string]string{"level": "custom"}, nil}},
		{"slog JSON, group", `{"time":"2026-11-28T12:00:00.123456789+01:00","level":"WARN","msg":"request failed","endpoint":"login","status":503,"error_kind":"storage_lock_timeout","trace_id":"06d9","duration_ms":2001.5,"http":{"peer":"x","ok":false},"none":null}`,
			want{FormatJSON, "2026-11-28T12:00:00.123456789+01:00", LevelWarn, "request failed",
				map[string]string{"endpoint": "login", "status": "503", "duration_ms": "2001.5", "http.peer": "x", "http.ok": "false"}, []string{"none"}}},
		{"slog text", `time=2026-11-28T12:00:00.123+00:00 level=WARN msg="request failed" endpoint=login method=POST status=503 error_kind=storage_lock_timeout trace_id=06d9 duration_ms=2001.5 g.k="a b\tc"`,
			want{FormatKeyValue, "2026-11-28T12:00:00.123Z", LevelWarn, "request failed",
				map[string]string{"endpoint": "login", "status": "503", "g.k": "a b\tc"}, nil}},
		{"slog text, level with offset", `time=2026-11-28T12:00:00.123+00:00 level=INFO+2 msg=x`,
			want{FormatKeyValue, "2026-11-28T12:00:00.123Z", LevelInfo, "x", nil, nil}},
		{"logfmt", `ts=2026-11-28T12:00:00Z lvl=error msg="storage lock timeout - returning 503" caller=store.go:88`,
			want{FormatKeyValue, "2026-11-28T12:00:00Z", LevelError, "storage lock timeout - returning 503", map[string]string{"caller": "store.go:88"}, nil}},
		{"kubectl timestamps, slog text", `2026-11-28T12:00:01.123456789Z time=2026-11-28T12:00:00.123+00:00 level=INFO msg=x`,
			want{FormatKeyValue, "2026-11-28T12:00:00.123Z", LevelInfo, "x", nil, nil}},
		{"kubectl timestamps, line without time", `2026-11-28T12:00:01.123456789Z level=INFO msg=x`,
			want{FormatKeyValue, "2026-11-28T12:00:01.123456789Z", LevelInfo, "x", nil, nil}},
		{"kubectl timestamps, tracing text", `2026-11-28T12:00:01.123456789Z 2026-11-28T12:00:00.000001Z  INFO api: hello a=1`,
			want{FormatTracingText, "2026-11-28T12:00:00.000001Z", LevelInfo, "hello", map[string]string{"a": "1"}, nil}},
		{"railway text", `2026-11-28T12:00:00.123456789Z [ERRO] request failed endpoint="login" status=503 trace_id="ab"`,
			want{FormatRailwayText, "2026-11-28T12:00:00.123456789Z", LevelError, "request failed",
				map[string]string{"endpoint": "login", "status": "503", "trace_id": "ab"}, nil}},
		{"railway JSON", `{"message":"request failed","timestamp":"2026-11-28T12:00:00.123456789Z","level":"warn","status":503,"error_kind":"storage_lock_timeout"}`,
			want{FormatJSON, "2026-11-28T12:00:00.123456789Z", LevelWarn, "request failed", map[string]string{"status": "503"}, nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r Record
			clean, _ := stripANSI([]byte(c.line), nil)
			if !parseLine(string(clean), &r) {
				t.Fatalf("not recognised: %q", c.line)
			}
			checkRecord(t, &r, c.want)
		})
	}
}

func checkRecord(t *testing.T, r *Record, w want) {
	t.Helper()
	wantTime, err := time.Parse(time.RFC3339Nano, w.time)
	if err != nil {
		t.Fatal(err)
	}
	if r.Format != w.format || !r.Time.Equal(wantTime) || r.Level != w.level || r.Message != w.message {
		t.Errorf("got %v %s %v %q, want %v %s %v %q", r.Format, r.Time.Format(time.RFC3339Nano), r.Level, r.Message,
			w.format, w.time, w.level, w.message)
	}
	for k, v := range w.fields {
		if got, ok := r.Get(k); !ok || got != v {
			t.Errorf("field %s = %q (%v), want %q; fields %v context %v", k, got, ok, v, r.Fields, r.Context)
		}
	}
	for _, k := range w.absent {
		if v, ok := r.Get(k); ok {
			t.Errorf("field %s = %q, want none", k, v)
		}
	}
}

func TestEventFieldsBeatSpanFields(t *testing.T) {
	var r Record
	line := `2026-11-28T12:00:00.000001Z  WARN request{trace_id="outer"}: api: failed trace_id="inner"`
	if !parseLine(line, &r) {
		t.Fatal("not recognised")
	}
	if v, _ := r.Get("trace_id"); v != "inner" {
		t.Errorf("trace_id %q, want the event's, inner", v)
	}
}

func TestNotRecognised(t *testing.T) {
	for _, line := range []string{
		"hello world",
		"panic: runtime error: index out of range",
		`{"unclosed":`,
		`{"a":1} trailing`,
		`key="unclosed`,
		"2026-11-28T12:00:00Z just text",
		"Information: INFO is not a level here",
	} {
		var r Record
		if parseLine(line, &r) {
			t.Errorf("%q recognised as %v: %+v", line, r.Format, r)
		}
	}
}

// scanAll reads input with a Scanner: each line's text, and whether it
// was recognised.
func scanAll(t *testing.T, input string) (texts []string, records []Record, recognised []bool) {
	t.Helper()
	sc := NewScanner(strings.NewReader(input))
	for sc.Scan() {
		texts = append(texts, sc.Text())
		r := *sc.Record()
		r.Fields, r.Context = slices.Clone(r.Fields), slices.Clone(r.Context)
		records = append(records, r)
		recognised = append(recognised, sc.Recognised())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return texts, records, recognised
}

func TestPlatformWrapping(t *testing.T) {
	input := strings.Join([]string{
		// CRI: a line in three parts, then a whole one.
		`2026-11-28T12:00:00.100000000Z stdout P time=2026-11-28T12:00:00.000+00:00 level=WARN `,
		`2026-11-28T12:00:00.100000001Z stdout P msg="request failed" `,
		`2026-11-28T12:00:00.100000002Z stdout F error_kind=storage_lock_timeout trace_id=t1`,
		`2026-11-28T12:00:01.5Z stderr F level=INFO msg=second`,
		// Docker json-file: a line in two parts, ANSI escaped in JSON.
		`{"log":"\u001b[2m2026-11-28T12:00:02.000001Z\u001b[0m \u001b[33m WARN\u001b[0m api: storage lock ","stream":"stdout","time":"2026-11-28T12:00:02.1Z"}`,
		`{"log":"timeout - returning 503 trace_id=\"t2\"\n","stream":"stdout","time":"2026-11-28T12:00:02.2Z"}`,
		`{"log":"not a log line\n","stream":"stderr","time":"2026-11-28T12:00:03Z"}`,
		"",
		"   ",
	}, "\r\n")
	texts, records, recognised := scanAll(t, input)
	if len(texts) != 5 {
		t.Fatalf("%d lines, want 5 (parts joined, blank lines skipped): %q", len(texts), texts)
	}
	checkRecord(t, &records[0], want{FormatKeyValue, "2026-11-28T12:00:00Z", LevelWarn, "request failed",
		map[string]string{"error_kind": "storage_lock_timeout", "trace_id": "t1"}, nil})
	checkRecord(t, &records[1], want{FormatKeyValue, "2026-11-28T12:00:01.5Z", LevelInfo, "second", nil, nil})
	checkRecord(t, &records[2], want{FormatTracingText, "2026-11-28T12:00:02.000001Z", LevelWarn, "storage lock timeout - returning 503",
		map[string]string{"trace_id": "t2"}, nil})
	if recognised[3] || texts[3] != "not a log line" {
		t.Errorf("line 4: %q recognised %v, want the unwrapped text not recognised", texts[3], recognised[3])
	}
	if recognised[4] {
		t.Errorf("a line of spaces recognised")
	}
}

func TestANSIChangesNothing(t *testing.T) {
	plain := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(
		tracingANSI, dim, ""), bold, ""), italic, ""), reset, ""), yellow, "")
	if strings.Contains(plain, "\x1b") {
		t.Fatal("the fixture keeps an escape")
	}
	_, coloured, _ := scanAll(t, tracingANSI+"\n")
	_, bare, _ := scanAll(t, plain+"\n")
	if !equalRecords(coloured[0], bare[0]) {
		t.Errorf("with ANSI %+v\nwithout %+v", coloured[0], bare[0])
	}
}

func equalRecords(a, b Record) bool {
	return a.Time.Equal(b.Time) && a.Level == b.Level && a.Message == b.Message && a.Format == b.Format &&
		slices.Equal(a.Fields, b.Fields) && slices.Equal(a.Context, b.Context)
}

func TestLongLineSkipped(t *testing.T) {
	long := "level=INFO msg=" + strings.Repeat("x", MaxLineBytes+10)
	texts, _, recognised := scanAll(t, long+"\nlevel=INFO msg=after\n")
	if len(texts) != 2 || recognised[0] || !recognised[1] {
		t.Errorf("got %d lines, recognised %v; want the long one skipped and the next read", len(texts), recognised)
	}
}

// TestLongLineSaysSo: the first line not recognised says when it was too
// long, for a line and for a CRI node file's parts joined (it used to be
// `line 1: ""`); a shorter line after it is read, and is no longer too long.
func TestLongLineSaysSo(t *testing.T) {
	long := "level=INFO msg=" + strings.Repeat("x", MaxLineBytes+10)
	part := "2026-11-28T12:00:00.1Z stdout P " + strings.Repeat("y", MaxLineBytes/2+1) + "\n"
	for name, log := range map[string]string{
		"a line":    long + "\nnot a log\n",
		"CRI parts": part + part + "2026-11-28T12:00:00.2Z stdout F end\nnot a log\n",
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Read(strings.NewReader(log), Window{})
			if err != nil {
				t.Fatal(err)
			}
			first := s.FirstUnrecognised
			if s.Unrecognised != 2 || !first.TooLong || first.Text != "" || !strings.Contains(first.Shown(), "longer than 1 MiB (1048576 bytes), skipped") {
				t.Errorf("%d unrecognised, first %+v (%q); want the long line said to be too long", s.Unrecognised, first, first.Shown())
			}
			sc := NewScanner(strings.NewReader(log))
			for sc.Scan() {
				if sc.TooLong() != (sc.Text() == "") {
					t.Errorf("line %d: too long %v, text %.20q", sc.LineNumber(), sc.TooLong(), sc.Text())
				}
			}
		})
	}
}

// TestRandomBytesAreNotLogfmt: random bytes are no log; about one line in
// seven of them used to be read as logfmt (a token with an '=' and no
// space), so 3 MB of them gave "0 errors". A logfmt key is a name and a
// logfmt line printable UTF-8.
func TestRandomBytesAreNotLogfmt(t *testing.T) {
	random := make([]byte, 3_000_000)
	rand.NewChaCha8([32]byte{15}).Read(random)
	s, err := Read(bytes.NewReader(random), Window{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Recognised != 0 || s.Lines < 10_000 {
		t.Errorf("%d of %d lines of random bytes recognised (%v), want none", s.Recognised, s.Lines, s.ByFormat)
	}
	for line, want := range map[string]bool{
		"a=b c=d":   true,
		"msg=hello": true,
		"Xq=7$V9":   false,
		"@timestamp=2026-11-28T12:00:00Z x-request-id=7 http.status_code=503": true,
		"msg=héllo\tk=v": true,
		"\x01=b":         false,
		"a=b\x7f":        false,
		"a=\xff":         false,
		"9a=b":           false,
		"(=b":            false,
		"a=b ==c":        false,
	} {
		var r Record
		if got := parseLine(line, &r); got != want {
			t.Errorf("%q: recognised %v, want %v", line, got, want)
		}
	}
}
