package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// The JUnit document: the elements and attributes that CI test reporters
// (Jenkins, GitLab, GitHub actions that publish test results) read.
// testdata/junit.xsd describes the shape the tests hold it to.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
		SystemOut  *junitText      `xml:"system-out"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure"`
		SystemOut *junitText    `xml:"system-out"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",cdata"`
	}
	// junitText is an element of text kept readable as a CDATA section.
	junitText struct {
		Text string `xml:",cdata"`
	}
)

// JUnit writes r's verdicts as a JUnit XML report: one <testsuites> holding
// one <testsuite> named "loadgate <scenario>", with one <testcase> per SLO,
// in order. A failed SLO has a <failure type="slo"> whose message gives the
// expression, then the actual value against the threshold, as in
// "p95<500ms: 612.4ms is not < 500ms", or "no samples" when its scope had no
// requests. Without SLOs the suite has tests="0".
//
// The suite's time is the run's duration in seconds and its timestamp the
// run's start, in UTC. Each test case has time="0": a verdict is judged after
// the run, in no time, and a CI system that adds up its test cases' times
// would otherwise count the run once per SLO. The suite carries the run's
// target, load and totals as properties and the text summary (Text) as its
// <system-out>; a passing test case carries its verdict as its own.
//
// There is no hostname attribute: a report rendered again from a saved
// result would name the machine that rendered it, not the one that ran.
// Every name is escaped; characters XML cannot carry at all (control
// characters) become U+FFFD.
func JUnit(w io.Writer, r *runner.Result, verdicts []slo.Verdict) error {
	var summary bytes.Buffer
	if err := Text(&summary, r, verdicts); err != nil {
		return err
	}
	seconds := junitSeconds(r.Duration())
	suite := junitSuite{
		Name:      "loadgate " + r.Scenario,
		Tests:     len(verdicts),
		Time:      seconds,
		Timestamp: junitTimestamp(r.Started),
		Properties: []junitProperty{
			{Name: "target", Value: r.Target},
			{Name: "load", Value: describeLoad(r)},
			{Name: "interrupted", Value: strconv.FormatBool(r.Interrupted)},
			{Name: "requests", Value: strconv.FormatInt(r.Total.Requests(), 10)},
			{Name: "errors", Value: strconv.FormatInt(r.Total.Errors(), 10)},
		},
		Cases:     []junitCase{},
		SystemOut: &junitText{junitChars(summary.String())},
	}
	if r.Load.Open {
		suite.Properties = append(suite.Properties,
			junitProperty{Name: "arrivals", Value: strconv.FormatInt(r.Arrivals, 10)},
			junitProperty{Name: "dropped", Value: strconv.FormatInt(r.Dropped, 10)})
		if r.DropCausesKnown() {
			suite.Properties = append(suite.Properties,
				junitProperty{Name: "dropped_no_worker", Value: strconv.FormatInt(r.DroppedNoWorker, 10)},
				junitProperty{Name: "dropped_behind", Value: strconv.FormatInt(r.DroppedBehind, 10)})
		}
		suite.Properties = append(suite.Properties,
			junitProperty{Name: "generator_limited", Value: strconv.FormatBool(r.GeneratorLimited())})
	}
	if r.IterationsKnown() {
		suite.Properties = append(suite.Properties, junitProperty{Name: "iterations", Value: strconv.FormatInt(r.Iterations, 10)})
	}
	for _, v := range verdicts {
		c := junitCase{Name: v.SLO.Expr, Classname: "loadgate." + r.Scenario, Time: "0"}
		if v.Pass {
			c.SystemOut = &junitText{junitChars(v.Reason + "\n")}
		} else {
			suite.Failures++
			c.Failure = &junitFailure{Message: junitMessage(v), Type: "slo", Text: junitChars(junitDetail(r, v))}
		}
		suite.Cases = append(suite.Cases, c)
	}
	return writeJUnit(w, junitSuites{Name: "loadgate", Tests: suite.Tests, Failures: suite.Failures, Time: seconds, Suites: []junitSuite{suite}})
}

// writeJUnit writes doc as an indented XML document.
func writeJUnit(w io.Writer, doc junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitMessage is the one line a CI system shows for a failed SLO.
func junitMessage(v slo.Verdict) string {
	return v.SLO.Expr + ": " + v.Reason
}

// junitDetail is the body of a failed SLO's <failure>: what was measured,
// of what, against which threshold.
func junitDetail(r *runner.Result, v slo.Verdict) string {
	scope := "all endpoints"
	if v.SLO.Scope != "" {
		scope = fmt.Sprintf("endpoint %q", v.SLO.Scope)
	}
	actual := v.SLO.Format(v.Actual)
	if v.NoSamples {
		actual = "no samples: " + scope + " had no requests"
		if v.SLO.Scope != "" && r.Endpoint(v.SLO.Scope) == nil {
			actual = "no samples: the scenario has no " + scope
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SLO        %s\n", v.SLO.Expr)
	fmt.Fprintf(&b, "scope      %s\n", scope)
	fmt.Fprintf(&b, "actual     %s\n", actual)
	fmt.Fprintf(&b, "threshold  %s %s\n", v.SLO.Op, v.SLO.Format(v.SLO.Threshold))
	fmt.Fprintf(&b, "verdict    %s\n", v.Reason)
	return b.String()
}

// junitSeconds writes d in seconds with millisecond precision, never
// negative.
func junitSeconds(d time.Duration) string {
	return strconv.FormatFloat(max(d, 0).Seconds(), 'f', 3, 64)
}

// junitTimestamp writes t as an xs:dateTime in UTC; "" for the zero time.
func junitTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// junitChars replaces what XML 1.0 cannot carry, even escaped (control
// characters other than tab, newline and carriage return; invalid UTF-8),
// with U+FFFD, for text written as CDATA.
func junitChars(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t', r == '\n', r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
