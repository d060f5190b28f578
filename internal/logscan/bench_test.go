package logscan

import (
	"io"
	"runtime"
	"testing"
)

// benchLines are lines of each format in the mix a service's log has:
// mostly debug lock records and request records, some wrapped; benchNames
// name them.
var benchLines = []string{
	tracingANSI,
	`2026-11-28T12:00:00.000001Z DEBUG auth_api::store: storage lock op="login" wait_ms=0.5 hold_ms=60.2`,
	`2026-11-28T12:00:01.000002Z  WARN auth_api: request failed endpoint="login" status=503 error_kind=storage_lock_timeout trace_id="a" duration_ms=2000.5`,
	`{"time":"2026-11-28T12:00:00.123456789Z","level":"WARN","msg":"request failed","endpoint":"login","method":"POST","status":503,"error_kind":"storage_lock_timeout","trace_id":"06d996b0872a11a7","duration_ms":2001.5}`,
	`time=2026-11-28T12:00:00.123Z level=DEBUG msg="storage lock" op=login wait_ms=0.0004 hold_ms=0.013`,
	`time=2026-11-28T12:00:00.123Z level=INFO msg="request failed" endpoint=login method=POST status=401 error_kind=auth_error trace_id=06d996b0872a11a7 duration_ms=61.23`,
	`2026-11-28T12:00:00.100000002Z stdout F time=2026-11-28T12:00:00.123Z level=INFO msg="request failed" endpoint=login status=401 error_kind=auth_error trace_id=t1 duration_ms=61.2`,
	`{"timestamp":"2026-11-28T12:00:00.123456Z","level":"DEBUG","fields":{"message":"storage lock","op":"login","wait_ms":0.3,"hold_ms":55.1},"target":"auth_api::store","span":{"trace_id":"x","name":"request"},"spans":[{"trace_id":"x","name":"request"}]}`,
}

var benchNames = []string{"tracing_text_ansi", "tracing_text_debug", "tracing_text_request", "slog_json", "slog_text_debug",
	"slog_text_request", "cri_slog_text", "tracing_json"}

// repeatReader yields lines, one after another, n lines in all, without
// holding them all.
type repeatReader struct {
	lines []string
	n, i  int
	rest  string
}

func (r *repeatReader) Read(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		if r.rest == "" {
			if r.i == r.n {
				break
			}
			r.rest = r.lines[r.i%len(r.lines)] + "\n"
			r.i++
		}
		c := copy(p[written:], r.rest)
		written += c
		r.rest = r.rest[c:]
	}
	if written == 0 {
		return 0, io.EOF
	}
	return written, nil
}

// BenchmarkRead reads and sums up 100,000 lines of benchLines per
// iteration, and reports lines per second (on one core, with -cpu 1).
func BenchmarkRead(b *testing.B) {
	const lines = 100_000
	var total int64
	for b.Loop() {
		s, err := Read(&repeatReader{lines: benchLines, n: lines}, Window{})
		if err != nil || s.Unrecognised != 0 {
			b.Fatal(err, s.Unrecognised)
		}
		total += s.Lines
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkReadFormat is BenchmarkRead with one line, of each format in
// turn.
func BenchmarkReadFormat(b *testing.B) {
	for i, line := range benchLines {
		b.Run(benchNames[i], func(b *testing.B) {
			var total int64
			for b.Loop() {
				s, err := Read(&repeatReader{lines: []string{line}, n: 100_000}, Window{})
				if err != nil || s.Unrecognised != 0 {
					b.Fatal(err, s.Unrecognised)
				}
				total += s.Lines
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkReadMillionLines reads a generated log of 1,000,000 lines and
// reports the heap in use at its end, which must not grow with the log:
// compare with -benchtime on BenchmarkRead's 100,000 lines.
func BenchmarkReadMillionLines(b *testing.B) {
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		in := &repeatReader{lines: benchLines, n: 1_000_000}
		sc := NewScanner(in)
		s := NewSummary(Window{})
		peak := uint64(0)
		for sc.Scan() {
			s.Add(sc)
			if s.Lines%100_000 == 0 {
				runtime.ReadMemStats(&after)
				peak = max(peak, after.HeapInuse)
			}
		}
		s.Finish()
		if s.Lines != 1_000_000 {
			b.Fatalf("%d lines", s.Lines)
		}
		b.ReportMetric(float64(peak-min(peak, before.HeapInuse))/(1<<20), "heap-MB")
	}
}
