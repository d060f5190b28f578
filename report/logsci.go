package report

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// LogsJUnit writes a log's verdicts as a JUnit XML report, as JUnit does a
// run's: one suite, "loadgate logs SOURCE", one test case per SLO, the
// text summary as the suite's system-out, and the log's counts as its
// properties (lines, recognised, requests, errors, lock_timeouts).
func LogsJUnit(w io.Writer, rep LogsReport) error {
	var summary bytes.Buffer
	if err := LogsText(&summary, rep); err != nil {
		return err
	}
	s := rep.Summary
	name := "loadgate logs " + rep.Source
	suite := junitSuite{
		Name:      name,
		Tests:     len(rep.Verdicts),
		Time:      "0",
		Timestamp: junitTimestamp(s.First),
		Cases:     []junitCase{},
		SystemOut: &junitText{junitChars(summary.String())},
	}
	for _, p := range []struct {
		name  string
		value int64
	}{{"lines", s.Lines}, {"recognised", s.Recognised}, {"requests", s.Requests}, {"errors", s.Errors}, {"lock_timeouts", s.LockTimeouts.Total}} {
		suite.Properties = append(suite.Properties, junitProperty{Name: p.name, Value: strconv.FormatInt(p.value, 10)})
	}
	for _, v := range rep.Verdicts {
		c := junitCase{Name: v.SLO.Expr, Classname: "loadgate.logs", Time: "0"}
		if v.Pass {
			c.SystemOut = &junitText{junitChars(v.Reason + "\n")}
		} else {
			suite.Failures++
			c.Failure = &junitFailure{Message: junitMessage(v), Type: "slo", Text: junitChars(v.SLO.Expr + ": " + v.Reason + "\n")}
		}
		suite.Cases = append(suite.Cases, c)
	}
	return writeJUnit(w, junitSuites{Name: "loadgate", Tests: suite.Tests, Failures: suite.Failures, Time: "0", Suites: []junitSuite{suite}})
}

// LogsMarkdown writes a log's summary in GitHub-flavoured Markdown: a
// heading with PASS or FAIL, the lines read, the SLOs, the errors by kind,
// the lock timeouts and lock times, and the client's run beside the log.
// Names and lines from the log are written as code.
func LogsMarkdown(w io.Writer, rep LogsReport) error {
	s := rep.Summary
	var b strings.Builder
	tally := Count(rep.Verdicts)
	verdict := "✅ PASS (" + tally.String() + ")"
	switch {
	case tally.Failed():
		verdict = "❌ FAIL (" + tally.String() + ")"
	case len(rep.Verdicts) == 0:
		verdict = tally.String()
	}
	fmt.Fprintf(&b, "## loadgate logs %s: %s\n\n", mdCode(rep.Source), verdict)
	fmt.Fprintf(&b, "**Lines** %d read, %d recognised, %d not recognised", s.Lines, s.Recognised, s.Unrecognised)
	if rep.WindowFrom != "" {
		fmt.Fprintf(&b, " · **Window** %s (%s), %d outside", mdText(WindowText(s.Window)), mdText(rep.WindowFrom), s.OutsideWindow)
	}
	b.WriteString("\n")
	mdVerdicts(&b, rep.Verdicts)
	fmt.Fprintf(&b, "\n### Errors\n\n%d request records, %d errors; statuses %s\n\n", s.Requests, s.Errors, mdText(statusText(s.ByStatus)))
	if len(s.ByKind) > 0 {
		mdRow(&b, "Error kind", "Errors", "p50", "p95", "p99", "max")
		b.WriteString("|:--|--:|--:|--:|--:|--:|\n")
		for _, kind := range sortedKinds(s) {
			h := s.KindLatency[kind]
			mdRow(&b, mdCode(kind), mdCount(s.ByKind[kind]), histogramQuantile(h, 50), histogramQuantile(h, 95), histogramQuantile(h, 99), histogramQuantile(h, 100))
		}
	}
	lt := s.LockTimeouts
	fmt.Fprintf(&b, "\n**Lock timeouts** %d (%d records, %d warnings, %d matched by trace ID)", lt.Total, lt.Structured, lt.Warnings, lt.Matched)
	if s.LockOperations > 0 {
		fmt.Fprintf(&b, " · **Lock acquire** p95 %s, p99 %s over %d operations", histogramQuantile(s.LockAcquire, 95), histogramQuantile(s.LockAcquire, 99), s.LockOperations)
	}
	b.WriteString("\n")
	if rep.Run != nil {
		c := clientCounts(rep.Run)
		fmt.Fprintf(&b, "\n### Client and log (%s)\n\n", mdCode(rep.RunFile))
		mdRow(&b, "", "Client", "Log")
		b.WriteString("|:--|--:|--:|\n")
		mdRow(&b, "requests", mdCount(c.requests), mdCount(s.Requests))
		mdRow(&b, "errors", mdCount(c.errors), mdCount(s.Errors))
		mdRow(&b, "lock timeouts", mdCount(c.lockTimeouts), mdCount(lt.Total))
		mdRow(&b, "503s", mdCount(c.status503), mdCount(s.ByStatus[503]))
	}
	if len(s.Samples) > 0 {
		b.WriteString("\n### Samples\n\n")
		for _, kind := range slices.Sorted(maps.Keys(s.Samples)) {
			for _, sample := range s.Samples[kind] {
				fmt.Fprintf(&b, "- %s line %d: %s\n", mdCode(kind), sample.Line, mdCode(sample.Text))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
