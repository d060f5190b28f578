package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/logscan"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/report"
)

const sampleLog = `time=2026-11-28T12:00:00.000Z level=DEBUG msg="storage lock" op=login wait_ms=0.5 hold_ms=20
time=2026-11-28T12:00:00.100Z level=WARN msg="request failed" endpoint=login method=POST status=503 error_kind=storage_lock_timeout trace_id=a duration_ms=100.1
time=2026-11-28T12:00:00.200Z level=INFO msg="request failed" endpoint=login method=POST status=401 error_kind=auth_error trace_id=b duration_ms=60
not a log line <with> "xml" & markdown *chars*
`

func logsReport(t *testing.T) report.LogsReport {
	t.Helper()
	sum, err := logscan.Read(strings.NewReader(sampleLog), logscan.Window{})
	if err != nil {
		t.Fatal(err)
	}
	var slos []slo.SLO
	for _, expr := range []string{"storage_lock_timeout==0", "lock_acquire.p95<5ms"} {
		s, err := slo.ParseLogs(expr)
		if err != nil {
			t.Fatal(err)
		}
		slos = append(slos, s)
	}
	return report.LogsReport{Source: "service.log", Summary: sum, Verdicts: slo.JudgeLogs(sum, slos)}
}

func TestLogsJUnitIsValid(t *testing.T) {
	var buf bytes.Buffer
	if err := report.LogsJUnit(&buf, logsReport(t)); err != nil {
		t.Fatal(err)
	}
	if ok, out := xmllint(t, junitFile(t, "logs.xml", buf.Bytes())); !ok {
		t.Fatalf("the logs JUnit report does not hold to the schema:\n%s\n%s", out, buf.String())
	}
	if !strings.Contains(buf.String(), `failures="1"`) {
		t.Errorf("want one failure:\n%s", buf.String())
	}
}

func TestLogsJSONDocument(t *testing.T) {
	var buf bytes.Buffer
	if err := report.LogsJSON(&buf, logsReport(t)); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"schema", "passed", "source", "lines", "formats", "levels", "first_at", "last_at", "requests", "errors",
		"error_kinds", "endpoints", "status", "lock_timeouts", "lock_acquire_ms", "lock_hold_ms", "error_latency_ms", "samples", "slos"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("no %q in\n%s", key, buf.String())
		}
	}
	if doc["passed"] != false || doc["errors"] != 2.0 {
		t.Errorf("passed %v errors %v", doc["passed"], doc["errors"])
	}
	lines := doc["lines"].(map[string]any)
	if lines["unrecognised"] != 1.0 || lines["first_unrecognised"].(map[string]any)["line"] != 4.0 {
		t.Errorf("lines %v", lines)
	}
}

func TestLogsMarkdownQuotesTheLog(t *testing.T) {
	var buf bytes.Buffer
	if err := report.LogsMarkdown(&buf, logsReport(t)); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{"## loadgate logs `service.log`: ❌ FAIL (1 of 2 SLOs failed)", "| ❌ FAIL | `storage_lock_timeout==0` |", "`storage_lock_timeout`"} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in\n%s", want, md)
		}
	}
}

// TestLogsSayALineWasTooLong: a line over 1 MiB, the first not recognised,
// is said to be too long in the summary and the document (it used to show
// as an empty line).
func TestLogsSayALineWasTooLong(t *testing.T) {
	sum, err := logscan.Read(strings.NewReader(strings.Repeat("x", logscan.MaxLineBytes+1)+"\n"+sampleLog), logscan.Window{})
	if err != nil {
		t.Fatal(err)
	}
	rep := report.LogsReport{Source: "service.log", Summary: sum}
	var text, doc bytes.Buffer
	if err := report.LogsText(&text, rep); err != nil {
		t.Fatal(err)
	}
	if want := "first not recognised, line 1: longer than 1 MiB (1048576 bytes), skipped"; !strings.Contains(text.String(), want) {
		t.Errorf("no %q in\n%s", want, text.String())
	}
	if err := report.LogsJSON(&doc, rep); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Lines struct {
			First map[string]any `json:"first_unrecognised"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(doc.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if first := got.Lines.First; first["line"] != 1.0 || first["text"] != "" || first["too_long"] != true {
		t.Errorf("first_unrecognised %v, want line 1, too_long", first)
	}
}
