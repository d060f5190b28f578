package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// resultWithMessages is result() with failure messages for its login
// errors: 5 lock timeouts, 3 503s of another kind, 2 refused.
func resultWithMessages() *runner.Result {
	r := result()
	login := r.Endpoint("login")
	login.Messages = []runner.Message{
		{Class: runner.ClassLockTimeout, Text: `503 {"error":"Service temporarily busy, please retry"}`, Count: 5},
		{Class: runner.ClassUnavailable, Text: "503", Count: 3},
		{Class: runner.ClassTransport, Kind: runner.TransportRefused, Text: "dial tcp 127.0.0.1:1: connect: connection refused", Count: 2},
	}
	r.Total, _ = runner.TotalOf(r.Endpoints) // of one geometry: no error
	return r
}

// TestMessagesInTheResultFile: the messages are written per endpoint and
// in the totals, and read back to the same file.
func TestMessagesInTheResultFile(t *testing.T) {
	data, err := report.JSON(resultWithMessages(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Totals struct {
			Messages []map[string]any `json:"messages"`
		} `json:"totals"`
	}
	json.Unmarshal(data, &file)
	if len(file.Totals.Messages) != 3 || file.Totals.Messages[2]["class"] != "transport" || file.Totals.Messages[2]["kind"] != "refused" ||
		file.Totals.Messages[2]["count"] != 2.0 || file.Totals.Messages[0]["kind"] != nil {
		t.Errorf("totals.messages %v", file.Totals.Messages)
	}
	saved, err := report.ReadJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := report.JSON(saved.Result, nil)
	if !bytes.Equal(data, again) {
		t.Errorf("read back and written again, the result differs:\n%s", again)
	}
}

// TestReadRefusesBadMessages: messages that contradict the counts, or name
// no failure class, are refused.
func TestReadRefusesBadMessages(t *testing.T) {
	data, _ := report.JSON(resultWithMessages(), nil)
	good := string(data)
	cases := map[string]string{
		"more than the class": strings.ReplaceAll(good, `"count": 5`, `"count": 6`),
		"class ok":            strings.ReplaceAll(good, `"class": "unavailable"`, `"class": "ok"`),
		"unknown class":       strings.ReplaceAll(good, `"class": "unavailable"`, `"class": "slow"`),
		"no kind":             strings.ReplaceAll(good, `"kind": "refused"`, `"kind": ""`),
		"kind of no class":    strings.ReplaceAll(good, `"class": "unavailable",`, `"class": "unavailable", "kind": "tls",`),
		"empty":               strings.ReplaceAll(good, `"message": "503",`, `"message": "",`),
		"no requests":         strings.ReplaceAll(good, `"count": 3`, `"count": 0`),
		"totals that differ":  strings.Replace(good, `"message": "503",`, `"message": "504",`, 1),
	}
	for name, doc := range cases {
		if doc == good {
			t.Fatalf("%s: the change did not apply", name)
		}
		if _, err := report.ReadJSON([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestReportsShowMessages: the summary shows the top two messages, the
// Markdown and the HTML all of them.
func TestReportsShowMessages(t *testing.T) {
	r := resultWithMessages()
	var text, md, html bytes.Buffer
	if err := report.Text(&text, r, nil); err != nil {
		t.Fatal(err)
	}
	report.Markdown(&md, r, nil)
	report.HTML(&html, r, nil)
	if !strings.Contains(text.String(), "why        5 lock_timeout: 503 {\"error\":\"Service temporarily busy, please\n"+
		"             retry\"}\n"+
		"           3 unavailable: 503\n") || strings.Contains(text.String(), "connection refused") {
		t.Errorf("summary:\n%s", text.String())
	}
	if !strings.Contains(md.String(), "| `login` | `transport/refused` | 2 | `dial tcp 127.0.0.1:1: connect: connection refused` |") {
		t.Errorf("Markdown:\n%s", md.String())
	}
	if !strings.Contains(html.String(), `<td>transport/refused</td><td class="num">2</td><td class="expr">dial tcp 127.0.0.1:1: connect: connection refused</td>`) {
		t.Errorf("HTML has no message table")
	}
}
