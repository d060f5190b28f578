package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// resultWithConnectFailures is result() whose 2 refused requests were
// failed connection attempts.
func resultWithConnectFailures() *runner.Result {
	r := result()
	r.Endpoint("login").ConnectFailed[runner.TransportRefused] = 2
	r.Total, _ = runner.TotalOf(r.Endpoints) // of one geometry: no error
	return r
}

// TestConnectFailuresInTheResultFile: failed connection attempts are
// counted apart, the rate is over the requests that reached the server,
// and the file reads back to itself.
func TestConnectFailuresInTheResultFile(t *testing.T) {
	data, err := report.JSON(resultWithConnectFailures(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Totals struct {
			Requests        int64            `json:"requests"`
			ConnectFailures map[string]int64 `json:"connect_failures"`
			Reached         int64            `json:"reached"`
			RPS             float64          `json:"rps"`
		} `json:"totals"`
	}
	json.Unmarshal(data, &file)
	if tt := file.Totals; tt.Requests != 100 || tt.ConnectFailures["refused"] != 2 || len(tt.ConnectFailures) != 1 || tt.Reached != 98 || tt.RPS != 9.8 {
		t.Errorf("totals %+v; want 100 requests, 2 refused connections, 98 reached, 9.8 req/s", tt)
	}
	saved, err := report.ReadJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := report.JSON(saved.Result, nil); !bytes.Equal(data, again) {
		t.Errorf("read back and written again, the result differs:\n%s", again)
	}
	var doc map[string]any
	json.Unmarshal(data, &doc)
	doc["endpoints"].(map[string]any)["login"].(map[string]any)["connect_failures"] = map[string]any{"refused": 3}
	changed, _ := json.Marshal(doc)
	if _, err := report.ReadJSON(changed); err == nil {
		t.Errorf("more failed connection attempts than transport errors: accepted")
	}
}

// TestReportsShowConnectFailures: the summary, the Markdown and the HTML
// count the failed connection attempts apart and say what req/s counts.
func TestReportsShowConnectFailures(t *testing.T) {
	r := resultWithConnectFailures()
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
	r := resultWithConnectFailures()
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
