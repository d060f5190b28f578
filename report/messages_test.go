package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
)

// TestReportsShowMessages: the summary shows the top two messages, the
// Markdown and the HTML all of them.
func TestReportsShowMessages(t *testing.T) {
	r := testkit.ResultWithMessages()
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
