package report

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/logscan"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// LogsReport is what `loadgate logs` renders: a log's summary, its SLOs'
// verdicts and, with --run, the client's run over the same window.
type LogsReport struct {
	Source   string // the log's file name, "-" for stdin
	Summary  *logscan.Summary
	Verdicts []slo.Verdict
	Run      *runner.Result // nil without --run
	RunFile  string
	// WindowFrom says where the window came from: "--since/--until", or
	// the run's file; "" without a window.
	WindowFrom string
}

// sortedKinds returns the error kinds, most errors first, then by name.
func sortedKinds(s *logscan.Summary) []string {
	kinds := slices.Collect(maps.Keys(s.ByKind))
	slices.SortFunc(kinds, func(a, b string) int {
		return cmp.Or(cmp.Compare(s.ByKind[b], s.ByKind[a]), strings.Compare(a, b))
	})
	return kinds
}

// statusText lists statuses as "401:3 503:545", in order.
func statusText(byStatus map[int]int64) string {
	var parts []string
	for _, status := range slices.Sorted(maps.Keys(byStatus)) {
		parts = append(parts, fmt.Sprintf("%d:%d", status, byStatus[status]))
	}
	return orDash(parts)
}

// histogramQuantile writes h's percentile p (in percent), "-" when empty.
func histogramQuantile(h *hdrhistogram.Histogram, p float64) string {
	if h == nil || h.TotalCount() == 0 {
		return "-"
	}
	return FormatLatency(time.Duration(h.ValueAtQuantile(p)) * time.Microsecond)
}

// formatCounts lists the formats recognised: "tracing_text 120, json 3".
func formatCounts(s *logscan.Summary) string {
	var parts []string
	for f, n := range s.ByFormat {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", logscan.Format(f), n))
		}
	}
	return strings.Join(parts, ", ")
}

// levelCounts lists the levels seen: "debug 10, warn 3".
func levelCounts(s *logscan.Summary) string {
	var parts []string
	for l, n := range s.ByLevel {
		if n > 0 && logscan.Level(l) != logscan.LevelNone {
			parts = append(parts, fmt.Sprintf("%s %d", logscan.Level(l), n))
		}
	}
	return cmp.Or(strings.Join(parts, ", "), "-")
}

// LogsText writes the summary of a log: its lines, the window, the
// errors by kind with their latency, the endpoints and statuses, the lock
// timeouts and lock times, the client's run beside the log, samples of
// each error kind, and the SLOs.
func LogsText(w io.Writer, rep LogsReport) error {
	s := rep.Summary
	p := &printer{w: w}
	p.line("log        %s", rep.Source)
	p.line("lines      %d read: %d recognised (%s), %d not recognised", s.Lines, s.Recognised, formatCounts(s), s.Unrecognised)
	if s.Unrecognised > 0 {
		p.line("           first not recognised, line %d: %s", s.FirstUnrecognised.Line, s.FirstUnrecognised.Shown())
	}
	if rep.WindowFrom != "" {
		p.line("window     %s (%s); %d record%s outside it, %d without a time left out",
			WindowText(s.Window), rep.WindowFrom, s.OutsideWindow, plural(s.OutsideWindow), s.Undated)
	}
	if !s.First.IsZero() {
		p.line("records    %s to %s; levels %s", s.First.UTC().Format(time.RFC3339Nano), s.Last.UTC().Format(time.RFC3339Nano), levelCounts(s))
	}
	p.line("")
	p.line("requests   %d request record%s, %d error%s; statuses %s", s.Requests, plural(s.Requests), s.Errors, plural(s.Errors), statusText(s.ByStatus))
	if len(s.ByKind) > 0 {
		t := newTable([]string{"  error kind", "errors", "p50", "p95", "p99", "max"}, 1, 2, 3, 4, 5)
		for _, kind := range sortedKinds(s) {
			h := s.KindLatency[kind]
			t.add("  "+kind, strconv.FormatInt(s.ByKind[kind], 10), histogramQuantile(h, 50), histogramQuantile(h, 95), histogramQuantile(h, 99), histogramQuantile(h, 100))
		}
		h := s.ErrorLatency
		t.add("  total", strconv.FormatInt(s.Errors, 10), histogramQuantile(h, 50), histogramQuantile(h, 95), histogramQuantile(h, 99), histogramQuantile(h, 100))
		p.keep(t.write(w))
		p.line("note: latency from the records' duration_ms; a lock timeout logged only as a warning has none")
	}
	if len(s.ByEndpoint) > 0 {
		p.line("")
		t := newTable([]string{"  endpoint", "requests", "errors", "lock timeouts"}, 1, 2, 3)
		for _, name := range slices.Sorted(maps.Keys(s.ByEndpoint)) {
			e := s.ByEndpoint[name]
			t.add("  "+cmp.Or(name, "(none)"), strconv.FormatInt(e.Requests, 10), strconv.FormatInt(e.Errors, 10), strconv.FormatInt(e.LockTimeouts, 10))
		}
		p.keep(t.write(w))
	}
	lt := s.LockTimeouts
	p.line("")
	p.line("lock timeouts  %d: %d logged as records (error_kind=%s), %d as warnings, %d matched by trace ID",
		lt.Total, lt.Structured, logscan.KindLockTimeout, lt.Warnings, lt.Matched)
	if s.LockOperations > 0 {
		p.line("lock acquire   %d operation%s: wait p50 %s, p95 %s, p99 %s, max %s; hold p50 %s, p99 %s, max %s",
			s.LockOperations, plural(s.LockOperations),
			histogramQuantile(s.LockAcquire, 50), histogramQuantile(s.LockAcquire, 95), histogramQuantile(s.LockAcquire, 99), histogramQuantile(s.LockAcquire, 100),
			histogramQuantile(s.LockHold, 50), histogramQuantile(s.LockHold, 99), histogramQuantile(s.LockHold, 100))
	} else {
		p.line("lock acquire   not logged (no record with wait_ms; the reference API logs them at debug level)")
	}
	if rep.Run != nil {
		c := clientCounts(rep.Run)
		p.line("")
		p.line("run        %s: %s from %s", rep.RunFile, rep.Run.Duration().Round(time.Millisecond), rep.Run.Started.UTC().Format(time.RFC3339))
		t := newTable([]string{"  ", "client", "log"}, 1, 2)
		t.add("  requests", strconv.FormatInt(c.requests, 10), strconv.FormatInt(s.Requests, 10))
		t.add("  errors", strconv.FormatInt(c.errors, 10), strconv.FormatInt(s.Errors, 10))
		t.add("  lock timeouts", strconv.FormatInt(c.lockTimeouts, 10), strconv.FormatInt(lt.Total, 10))
		t.add("  503s", strconv.FormatInt(c.status503, 10), strconv.FormatInt(s.ByStatus[503], 10))
		p.keep(t.write(w))
		p.line("note: a service that logs failed requests alone (as the reference API) logs fewer requests than the client sent")
	}
	if len(s.Samples) > 0 {
		p.line("")
		p.line("samples, the first lines of each error kind")
		for _, kind := range slices.Sorted(maps.Keys(s.Samples)) {
			for _, sample := range s.Samples[kind] {
				p.line("  %s  line %d: %s", kind, sample.Line, sample.Text)
			}
		}
	}
	if len(rep.Verdicts) > 0 {
		p.line("")
		p.line("SLOs")
		p.keep(Verdicts(w, rep.Verdicts))
	}
	return p.err
}

// WindowText writes a window: "2026-...Z to 2026-...Z", an open end as
// "the start" or "the end".
func WindowText(w logscan.Window) string {
	since, until := "the start", "the end"
	if !w.Since.IsZero() {
		since = w.Since.UTC().Format(time.RFC3339Nano)
	}
	if !w.Until.IsZero() {
		until = w.Until.UTC().Format(time.RFC3339Nano)
	}
	return since + " to " + until
}

// clientSide is the client's counts of a run, set beside the log's.
type clientSide struct{ requests, errors, lockTimeouts, status503 int64 }

func clientCounts(r *runner.Result) clientSide {
	t := r.Total
	return clientSide{t.Requests(), t.Errors(), t.LockTimeouts(), t.Status(503)}
}
