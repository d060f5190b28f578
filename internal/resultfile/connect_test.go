package resultfile_test

import (
	"encoding/json"
	"testing"

	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/testkit"
)

// TestConnectFailuresInTheResultFile: failed connection attempts are
// counted apart, the rate is over the requests that reached the server,
// and the file reads back to itself.
func TestConnectFailuresInTheResultFile(t *testing.T) {
	data, _ := roundTrip(t, testkit.ResultWithConnectFailures())
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
	var doc map[string]any
	json.Unmarshal(data, &doc)
	doc["endpoints"].(map[string]any)["login"].(map[string]any)["connect_failures"] = map[string]any{"refused": 3}
	changed, _ := json.Marshal(doc)
	if _, err := resultfile.Read(changed); err == nil {
		t.Errorf("more failed connection attempts than transport errors: accepted")
	}
}
