package resultfile_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/testkit"
)

// TestMessagesInTheResultFile: the messages are written per endpoint and
// in the totals, and read back to the same file.
func TestMessagesInTheResultFile(t *testing.T) {
	data, _ := roundTrip(t, testkit.ResultWithMessages())
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
}

// TestReadRefusesBadMessages: messages that contradict the counts, or name
// no failure class, are refused.
func TestReadRefusesBadMessages(t *testing.T) {
	data, _ := resultfile.Encode(testkit.ResultWithMessages(), nil, nil)
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
		if _, err := resultfile.Read([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestMessageRequestIDRoundTrip: a message's request ID (run
// --request-id-header) is written as request_id and read back; without one
// the field is absent.
func TestMessageRequestIDRoundTrip(t *testing.T) {
	r := testkit.ResultWithMessages()
	r.Endpoint("login").Messages[0].RequestID = "3f2a9c1e-4-17"
	r.Total.Messages[0].RequestID = "3f2a9c1e-4-17"
	data, saved := roundTrip(t, r)
	if got := saved.Result.Total.Messages[0].RequestID; got != "3f2a9c1e-4-17" {
		t.Errorf("request id read back %q", got)
	}
	if n := strings.Count(string(data), `"request_id"`); n != 2 {
		t.Errorf("%d request_id fields, want 2 (the endpoint's and the totals' first message)", n)
	}
}
