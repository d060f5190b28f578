package report

import (
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/logscan"
	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/slo"
)

// LogsSchema names the JSON document of `loadgate logs --format json`
// (docs/contracts.md §7).
const LogsSchema = "loadgate.logs/v1"

type (
	logsJSON struct {
		Schema       string                     `json:"schema"`
		Passed       bool                       `json:"passed"`
		Source       string                     `json:"source"`
		Window       *windowJSON                `json:"window,omitempty"`
		Lines        linesJSON                  `json:"lines"`
		Formats      map[string]int64           `json:"formats"`
		Levels       map[string]int64           `json:"levels"`
		FirstAt      *time.Time                 `json:"first_at,omitempty"`
		LastAt       *time.Time                 `json:"last_at,omitempty"`
		Requests     int64                      `json:"requests"`
		Errors       int64                      `json:"errors"`
		ErrorKinds   map[string]errorKindJSON   `json:"error_kinds"`
		Endpoints    map[string]logEndpointJSON `json:"endpoints"`
		Status       map[string]int64           `json:"status"`
		LockTimeouts lockTimeoutsJSON           `json:"lock_timeouts"`
		LockAcquire  timingJSON                 `json:"lock_acquire_ms"`
		LockHold     timingJSON                 `json:"lock_hold_ms"`
		ErrorLatency timingJSON                 `json:"error_latency_ms"`
		Samples      map[string][]sampleJSON    `json:"samples"`
		Run          *runJSON                   `json:"run,omitempty"`
		SLOs         []logVerdictJSON           `json:"slos"`
	}
	logEndpointJSON struct {
		Requests     int64 `json:"requests"`
		Errors       int64 `json:"errors"`
		LockTimeouts int64 `json:"lock_timeouts"`
	}
	windowJSON struct {
		Since *time.Time `json:"since,omitempty"`
		Until *time.Time `json:"until,omitempty"`
		From  string     `json:"from"`
	}
	linesJSON struct {
		Read          int64       `json:"read"`
		Recognised    int64       `json:"recognised"`
		Unrecognised  int64       `json:"unrecognised"`
		OutsideWindow int64       `json:"outside_window"`
		Undated       int64       `json:"undated"`
		FirstUnknown  *sampleJSON `json:"first_unrecognised,omitempty"`
	}
	errorKindJSON struct {
		Errors    int64      `json:"errors"`
		LatencyMs timingJSON `json:"latency_ms"`
	}
	lockTimeoutsJSON struct {
		Total      int64 `json:"total"`
		Structured int64 `json:"structured"`
		Warnings   int64 `json:"warnings"`
		Matched    int64 `json:"matched"`
	}
	// timingJSON is a Latencies with its count.
	timingJSON struct {
		Count int64 `json:"count"`
		resultfile.Latencies
	}
	sampleJSON struct {
		Line    int64  `json:"line"`
		Text    string `json:"text"`
		TooLong bool   `json:"too_long,omitempty"`
	}
	runJSON struct {
		File         string    `json:"file"`
		StartedAt    time.Time `json:"started_at"`
		EndedAt      time.Time `json:"ended_at"`
		Requests     int64     `json:"requests"`
		Errors       int64     `json:"errors"`
		LockTimeouts int64     `json:"lock_timeouts"`
		Status503    int64     `json:"status_503"`
	}
	logVerdictJSON struct {
		Expr      string   `json:"expr"`
		Actual    float64  `json:"actual"`
		Threshold float64  `json:"threshold"`
		Unit      slo.Unit `json:"unit"`
		Pass      bool     `json:"pass"`
		Reason    string   `json:"reason"`
	}
)

// LogsJSON writes the log's summary as the loadgate.logs/v1 document,
// indented (docs/contracts.md §7).
func LogsJSON(w io.Writer, rep LogsReport) error {
	s := rep.Summary
	out := logsJSON{
		Schema: LogsSchema,
		Passed: slo.Passed(rep.Verdicts),
		Source: rep.Source,
		Lines: linesJSON{Read: s.Lines, Recognised: s.Recognised, Unrecognised: s.Unrecognised,
			OutsideWindow: s.OutsideWindow, Undated: s.Undated},
		Formats:      map[string]int64{},
		Levels:       map[string]int64{},
		Requests:     s.Requests,
		Errors:       s.Errors,
		ErrorKinds:   map[string]errorKindJSON{},
		Endpoints:    map[string]logEndpointJSON{},
		Status:       map[string]int64{},
		LockTimeouts: lockTimeoutsJSON{s.LockTimeouts.Total, s.LockTimeouts.Structured, s.LockTimeouts.Warnings, s.LockTimeouts.Matched},
		LockAcquire:  timing(s.LockAcquire),
		LockHold:     timing(s.LockHold),
		ErrorLatency: timing(s.ErrorLatency),
		Samples:      map[string][]sampleJSON{},
		SLOs:         []logVerdictJSON{},
	}
	if s.Unrecognised > 0 {
		first := s.FirstUnrecognised
		out.Lines.FirstUnknown = &sampleJSON{first.Line, first.Text, first.TooLong}
	}
	if rep.WindowFrom != "" {
		out.Window = &windowJSON{Since: timeOrNil(s.Window.Since), Until: timeOrNil(s.Window.Until), From: rep.WindowFrom}
	}
	out.FirstAt, out.LastAt = timeOrNil(s.First), timeOrNil(s.Last)
	for f, n := range s.ByFormat {
		if n > 0 {
			out.Formats[logscan.Format(f).String()] = n
		}
	}
	for l, n := range s.ByLevel {
		if n > 0 {
			out.Levels[logscan.Level(l).String()] = n
		}
	}
	for kind, n := range s.ByKind {
		out.ErrorKinds[kind] = errorKindJSON{Errors: n, LatencyMs: timing(s.KindLatency[kind])}
	}
	for name, e := range s.ByEndpoint {
		out.Endpoints[name] = logEndpointJSON(*e)
	}
	for status, n := range s.ByStatus {
		out.Status[strconv.Itoa(status)] = n
	}
	for _, kind := range slices.Sorted(maps.Keys(s.Samples)) {
		for _, sample := range s.Samples[kind] {
			out.Samples[kind] = append(out.Samples[kind], sampleJSON{Line: sample.Line, Text: sample.Text})
		}
	}
	if r := rep.Run; r != nil {
		c := clientCounts(r)
		out.Run = &runJSON{File: rep.RunFile, StartedAt: r.Started.UTC(), EndedAt: r.Ended.UTC(),
			Requests: c.requests, Errors: c.errors, LockTimeouts: c.lockTimeouts, Status503: c.status503}
	}
	for _, v := range rep.Verdicts {
		out.SLOs = append(out.SLOs, logVerdictJSON{v.SLO.Expr, v.Actual, v.SLO.Threshold, v.SLO.Unit, v.Pass, v.Reason})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// timing sums up h (microseconds) in milliseconds; all zeros when h is nil
// or empty.
func timing(h *hdrhistogram.Histogram) timingJSON {
	if h == nil || h.TotalCount() == 0 {
		return timingJSON{}
	}
	return timingJSON{Count: h.TotalCount(), Latencies: resultfile.LatenciesOf(h)}
}
