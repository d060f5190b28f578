package report_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// TestResultRoundTrip: a result file read back renders to the same bytes.
func TestResultRoundTrip(t *testing.T) {
	r := result()
	verdicts := report.Judge(r, parseSLOs(t, "p95<50ms", "lock_timeouts==0"))
	data, err := report.JSON(r, verdicts)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := report.ReadJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := report.JSON(saved.Result, report.Judge(saved.Result, parseSLOs(t, saved.SLOs...)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("read back and written again, the result differs:\n%s\nwant\n%s", again, data)
	}
}

// TestReadJSONRefuses: files that are not results, or contradict
// themselves, or hold histograms of another geometry, are refused with a
// reason.
func TestReadJSONRefuses(t *testing.T) {
	data, _ := report.JSON(result(), nil)
	good := string(data)
	cases := map[string]string{
		"not JSON":        "hello",
		"other schema":    strings.Replace(good, `"loadgate.result/v1"`, `"k6"`, 1),
		"counts mismatch": strings.Replace(good, `"ok": 90`, `"ok": 91`, 1),
		"bad histogram":   strings.Replace(good, `"histogram": "HIST`, `"histogram": "XIST`, 1),
		"other geometry":  strings.Replace(good, `"histogram": "`, `"histogram": "HISTFAAAACF4nJNpmSzMwMDAxwABMJoRTDNBaSYGBgAUxgEX`+`",  "x": "`, 1),
		"unknown class":   strings.Replace(good, `"class_names": [`, `"class_names": ["oops", `, 1),
	}
	for name, doc := range cases {
		if _, err := report.ReadJSON([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzReadJSON: no file makes the reader panic; one it accepts renders.
func FuzzReadJSON(f *testing.F) {
	data, _ := report.JSON(result(), nil)
	f.Add(data)
	f.Add([]byte(`{"schema":"loadgate.result/v1","endpoints":{"a":{}},"class_names":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		saved, err := report.ReadJSON(data)
		if err != nil {
			return
		}
		verdicts := report.Judge(saved.Result, parseSLOs(t, "p95<1s", "errors==0"))
		for name, render := range map[string]func(io.Writer, *runner.Result, []report.Verdict) error{
			"JSON": func(w io.Writer, r *runner.Result, v []report.Verdict) error {
				_, err := report.JSON(r, v)
				return err
			},
			"text": report.Text, "JUnit": report.JUnit, "Markdown": report.Markdown, "HTML": report.HTML,
		} {
			if err := render(io.Discard, saved.Result, verdicts); err != nil {
				t.Fatalf("an accepted file does not render as %s: %v", name, err)
			}
		}
	})
}
