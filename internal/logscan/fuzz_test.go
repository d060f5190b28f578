package logscan

import (
	"strings"
	"testing"
)

// FuzzParseLine feeds arbitrary lines to the scanner (wrapping, ANSI
// stripping and every format's parser): nothing may panic, a recognised
// line has a format, and a line's ANSI colours change nothing.
func FuzzParseLine(f *testing.F) {
	for _, seed := range []string{
		tracingANSI,
		serviceLog,
		`{"timestamp":"2026-11-28T12:00:00.123456Z","level":"WARN","fields":{"message":"m","n":"340282366920938463463374607431768211455"},"span":{"a":1},"spans":[{"a":1},{}]}`,
		`time=2026-11-28T12:00:00.123+00:00 level=WARN msg="a \"b\" \x00 \U0001F600" k=v`,
		`2026-11-28T12:00:00.1Z stdout P part` + "\n" + `2026-11-28T12:00:00.2Z stdout F end`,
		`{"log":"\u001b[33mx\u001b[0m\n","stream":"stdout","time":"2026-11-28T12:00:02.1Z"}`,
		`2026-11-28T12:00:00.123456789Z [ERRO] m k="v"`,
		`2026-11-28T12:00:00Z  INFO a{b="}"}:c: d: e f=Some("g") h=None`,
		`"\u{110000}" "\ud800\udc00"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		sc := NewScanner(strings.NewReader(input))
		for sc.Scan() {
			r := sc.Record()
			if sc.Recognised() && r.Format == FormatUnknown {
				t.Fatalf("recognised without a format: %q", sc.Text())
			}
			r.Get("trace_id")
			var plain Record
			text := sc.Text()
			if !strings.Contains(text, "\x1b") && parseLine(text, &plain) != sc.Recognised() {
				t.Fatalf("%q: read again, recognised %v, first %v", text, !sc.Recognised(), sc.Recognised())
			}
		}
		s := NewSummary(Window{})
		sc = NewScanner(strings.NewReader(input))
		for sc.Scan() {
			s.Add(sc)
		}
		s.Finish()
		if s.Recognised+s.Unrecognised != s.Lines {
			t.Fatalf("%d + %d lines != %d", s.Recognised, s.Unrecognised, s.Lines)
		}
	})
}
