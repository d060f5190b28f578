package report_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// TestReportsShowConnectFailures: the summary, the Markdown and the HTML
// count the failed connection attempts apart and say what req/s counts.
func TestReportsShowConnectFailures(t *testing.T) {
	r := testkit.ResultWithConnectFailures()
	var text, md, html bytes.Buffer
	if err := report.Text(&text, r, nil); err != nil {
		t.Fatal(err)
	}
	report.Markdown(&md, r, nil)
	report.HTML(&html, r, nil)
	const sentence = "2 connection attempts failed (refused:2); 98 requests reached the server, and req/s counts only those"
	if !strings.Contains(text.String(), "100 requests, 90 ok, 10 errors (10%), 9.8 req/s\n"+
		"connects   2 connection attempts failed (refused:2); 98 requests reached the\n"+
		"             server, and req/s counts only those\n") {
		t.Errorf("summary:\n%s", text.String())
	}
	if !strings.Contains(md.String(), "**Connections**: "+sentence+".") {
		t.Errorf("Markdown:\n%s", md.String())
	}
	if !strings.Contains(html.String(), "<dt>connections</dt><dd>"+sentence+"</dd>") {
		t.Errorf("HTML has no connections setting")
	}
}

// TestLargeCountsFit80Columns: the summary's lines about failed connections
// and protocol events wrap within 80 columns however large their counts.
func TestLargeCountsFit80Columns(t *testing.T) {
	r := testkit.ResultWithConnectFailures()
	r.Endpoint("login").ConnectFailed[runner.TransportRefused] = 123_456_789_012
	r.Total, _ = runner.TotalOf(r.Endpoints)
	r.ProtocolEvents = 987_654_321_098
	var out strings.Builder
	if err := report.Text(&out, r, nil); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if (strings.Contains(line, "protocol event") || strings.Contains(line, "connect")) && utf8.RuneCountInString(line) > 80 {
			t.Errorf("%d columns: %q", utf8.RuneCountInString(line), line)
		}
	}
	if !strings.Contains(out.String(), "987654321098 protocol events") {
		t.Errorf("no protocol events line:\n%s", out.String())
	}
}
