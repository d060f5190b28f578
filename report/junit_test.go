package report_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
)

// junitSchema is our schema of the JUnit XML that CI systems read.
const junitSchema = "testdata/junit.xsd"

// xmllint validates path against the JUnit schema: it reports whether the
// document is valid, and what xmllint said. A schema that does not compile
// fails the test.
func xmllint(t *testing.T, path string) (bool, string) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint is not installed, and the JUnit report must be checked against %s: "+
			"install libxml2-utils (apt-get install libxml2-utils): %v", junitSchema, err)
	}
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", junitSchema, path).CombinedOutput()
	if err == nil {
		return true, string(out)
	}
	// 3 and 4 are xmllint's validation errors; anything else (5: the schema
	// does not compile) is a broken test.
	if exit, ok := err.(*exec.ExitError); !ok || (exit.ExitCode() != 3 && exit.ExitCode() != 4) {
		t.Fatalf("xmllint %s: %v\n%s", path, err, out)
	}
	return false, string(out)
}

// junitFile writes doc to a temporary file and returns its path.
func junitFile(t *testing.T, name string, doc []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The JUnit document as a CI system reads it back.
type (
	junitDoc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name       string `xml:"name,attr"`
			Tests      int    `xml:"tests,attr"`
			Failures   int    `xml:"failures,attr"`
			Errors     string `xml:"errors,attr"`
			Skipped    string `xml:"skipped,attr"`
			Time       string `xml:"time,attr"`
			Timestamp  string `xml:"timestamp,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Time      string `xml:"time,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
			SystemOut string `xml:"system-out"`
		} `xml:"testsuite"`
	}
)

// TestJUnit checks a report with names full of XML's and Markdown's
// characters against the schema, then reads it back: the names survive
// exactly (the control character as U+FFFD), and each SLO is a test case
// that fails with its expression, actual value and threshold.
func TestJUnit(t *testing.T) {
	r := awkwardResult()
	verdicts := awkwardVerdicts(t, r, awkwardSLOs...)
	var buf bytes.Buffer
	if err := report.JUnit(&buf, r, verdicts); err != nil {
		t.Fatal(err)
	}
	if ok, out := xmllint(t, junitFile(t, "junit.xml", buf.Bytes())); !ok {
		t.Fatalf("the report does not validate against %s:\n%s\n%s", junitSchema, out, buf.String())
	}

	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("reading the report back: %v", err)
	}
	if doc.Tests != 7 || doc.Failures != 4 || len(doc.Suites) != 1 {
		t.Fatalf("testsuites: tests %d failures %d suites %d; want 7, 4, 1", doc.Tests, doc.Failures, len(doc.Suites))
	}
	suite := doc.Suites[0]
	scenario := strings.ReplaceAll(awkwardScenario, "\x01", "\uFFFD")
	if suite.Name != "loadgate "+scenario || suite.Tests != 7 || suite.Failures != 4 || suite.Errors != "0" || suite.Skipped != "0" ||
		suite.Time != "10.000" || suite.Timestamp != "2026-11-22T12:00:00Z" {
		t.Errorf("testsuite name %q tests %d failures %d errors %q skipped %q time %q timestamp %q",
			suite.Name, suite.Tests, suite.Failures, suite.Errors, suite.Skipped, suite.Time, suite.Timestamp)
	}
	props := map[string]string{}
	for _, p := range suite.Properties {
		props[p.Name] = p.Value
	}
	if props["target"] != r.Target || props["interrupted"] != "true" || props["dropped"] != "7" || props["requests"] != "76" ||
		props["dropped_no_worker"] != "7" || props["dropped_behind"] != "0" || props["iterations"] != "76" || props["generator_limited"] != "false" {
		t.Errorf("properties %v", props)
	}
	if !strings.Contains(suite.SystemOut, "scenario   "+scenario+"\n") || !strings.Contains(suite.SystemOut, "SLOs\n") {
		t.Errorf("system-out is not the text summary:\n%s", suite.SystemOut)
	}

	wantFailures := map[string]string{
		"p95<50ms":                  "p95<50ms: 78.015ms is not < 50ms",
		awkwardLogin + ".errors==0": awkwardLogin + ".errors==0: 5 is not == 0",
		"captcha==0":                "captcha==0: 3 is not == 0",
		"missing.p99<1s":            "missing.p99<1s: no samples",
	}
	if len(suite.Cases) != len(awkwardSLOs) {
		t.Fatalf("%d test cases, want %d", len(suite.Cases), len(awkwardSLOs))
	}
	for i, c := range suite.Cases {
		if c.Name != awkwardSLOs[i] || c.Classname != "loadgate."+scenario || c.Time != "0" {
			t.Errorf("test case %d: name %q classname %q time %q", i, c.Name, c.Classname, c.Time)
		}
		want, failed := wantFailures[c.Name]
		switch {
		case !failed && c.Failure != nil:
			t.Errorf("%s: failed, want a pass: %+v", c.Name, *c.Failure)
		case !failed && c.SystemOut == "":
			t.Errorf("%s: a pass without its verdict", c.Name)
		case failed && c.Failure == nil:
			t.Errorf("%s: passed, want the failure %q", c.Name, want)
		case failed && (c.Failure.Message != want || c.Failure.Type != "slo"):
			t.Errorf("%s: failure message %q type %q, want %q, slo", c.Name, c.Failure.Message, c.Failure.Type, want)
		}
	}
	if f := suite.Cases[4].Failure; f == nil || !strings.Contains(f.Text, `no samples: the scenario has no endpoint "missing"`) {
		t.Errorf("the no-samples failure does not say why: %+v", f)
	}
	if f := suite.Cases[0].Failure; f == nil || !strings.Contains(f.Text, "threshold  < 50ms") || !strings.Contains(f.Text, "actual     78.015ms") {
		t.Errorf("the failure's detail lacks the actual value or the threshold: %+v", f)
	}
}

// TestJUnitOlderFile: a result older than the drop causes and the
// iterations has neither among its properties, rather than zeros that were
// never counted.
func TestJUnitOlderFile(t *testing.T) {
	r := testkit.OpenResult(3)
	r.DroppedNoWorker, r.DroppedBehind, r.Iterations = 0, 0, 0
	var buf bytes.Buffer
	if err := report.JUnit(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{}
	for _, p := range doc.Suites[0].Properties {
		props[p.Name] = p.Value
	}
	_, noWorker := props["dropped_no_worker"]
	_, behind := props["dropped_behind"]
	_, iterations := props["iterations"]
	if props["dropped"] != "8" || noWorker || behind || iterations {
		t.Errorf("properties of an older file %v; want dropped 8 and no causes, no iterations", props)
	}
}

// TestJUnitNoSLOs checks that a run without SLOs is a valid suite of no tests.
func TestJUnitNoSLOs(t *testing.T) {
	var buf bytes.Buffer
	if err := report.JUnit(&buf, testkit.Result(), nil); err != nil {
		t.Fatal(err)
	}
	if ok, out := xmllint(t, junitFile(t, "empty.xml", buf.Bytes())); !ok {
		t.Fatalf("the report does not validate against %s:\n%s\n%s", junitSchema, out, buf.String())
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 0 || len(doc.Suites) != 1 || doc.Suites[0].Tests != 0 || len(doc.Suites[0].Cases) != 0 ||
		!strings.Contains(buf.String(), `tests="0"`) {
		t.Errorf("want one suite with tests=\"0\" and no test cases:\n%s", buf.String())
	}
}

// TestJUnitSchemaBites checks that the schema refuses what CI systems could
// not read: each document below is a valid one with one thing broken.
func TestJUnitSchemaBites(t *testing.T) {
	const valid = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="loadgate" tests="2" failures="1" errors="0" skipped="0" time="1.5">
  <testsuite name="loadgate s" tests="2" failures="1" errors="0" skipped="0" time="1.5" timestamp="2026-11-22T12:00:00Z">
    <properties><property name="target" value="http://x"/></properties>
    <testcase name="p95&lt;1s" classname="loadgate.s" time="0"><system-out>ok</system-out></testcase>
    <testcase name="errors==0" classname="loadgate.s" time="0"><failure message="3 is not == 0" type="slo">detail</failure></testcase>
    <system-out>summary</system-out>
  </testsuite>
</testsuites>
`
	if ok, out := xmllint(t, junitFile(t, "valid.xml", []byte(valid))); !ok {
		t.Fatalf("the valid document is refused:\n%s", out)
	}
	broken := []struct{ what, old, new string }{
		{"a test case without a name", `<testcase name="errors==0"`, `<testcase`},
		{"a test case with an empty name", `name="errors==0"`, `name=""`},
		{"a suite without a name", `<testsuite name="loadgate s"`, `<testsuite`},
		{"a count that is not a number", `tests="2" failures="1" errors="0" skipped="0" time="1.5" timestamp`, `tests="two" failures="1" errors="0" skipped="0" time="1.5" timestamp`},
		{"a negative count", `failures="1" errors="0" skipped="0" time="1.5">`, `failures="-1" errors="0" skipped="0" time="1.5">`},
		{"a negative time", `classname="loadgate.s" time="0">`, `classname="loadgate.s" time="-0.5">`},
		{"a timestamp that is not a dateTime", `timestamp="2026-11-22T12:00:00Z"`, `timestamp="yesterday"`},
		{"a failure outside a test case", `<system-out>summary</system-out>`, `<failure message="m"/><system-out>summary</system-out>`},
		{"a failure after the test case's output", `<system-out>ok</system-out></testcase>`, `<system-out>ok</system-out><failure/></testcase>`},
		{"a skipped test case that also failed", `type="slo">detail</failure>`, `type="slo">detail</failure><skipped/>`},
		{"properties after the test cases", `<system-out>summary</system-out>`, `<properties/><system-out>summary</system-out>`},
		{"a property without a name", `<property name="target" value="http://x"/>`, `<property value="http://x"/>`},
		{"a misspelt attribute", `classname="loadgate.s" time="0">`, `clasname="loadgate.s" time="0">`},
		{"an unknown element", `<system-out>summary</system-out>`, `<stdout>summary</stdout>`},
	}
	for _, b := range broken {
		if !strings.Contains(valid, b.old) {
			t.Fatalf("%s: %q is not in the valid document", b.what, b.old)
		}
		doc := strings.Replace(valid, b.old, b.new, 1)
		if ok, _ := xmllint(t, junitFile(t, "broken.xml", []byte(doc))); ok {
			t.Errorf("the schema accepts %s:\n%s", b.what, doc)
		}
	}
	// A test case alone is not a report.
	if ok, _ := xmllint(t, junitFile(t, "case.xml", []byte(`<testcase name="x"/>`))); ok {
		t.Errorf("the schema accepts a test case as the root")
	}
}
