package resultfile_test

import (
	"encoding/json"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
)

// TestJSON checks the contract's field names and that the histogram in the
// file decodes to the one measured.
func TestJSON(t *testing.T) {
	r := testkit.Result()
	data, err := resultfile.Encode(r, slo.Judge(r, testkit.SLOs(t, "p95<1s", "lock_timeouts==0")), nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"schema", "passed", "scenario", "target", "started_at", "ended_at", "duration_s", "load", "totals", "endpoints", "slos"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("no %q in the result", key)
		}
	}
	if doc["schema"] != "loadgate.result/v1" || doc["passed"] != false || doc["started_at"] != "2026-11-22T12:00:00Z" {
		t.Errorf("schema %v passed %v started_at %v", doc["schema"], doc["passed"], doc["started_at"])
	}
	var file struct {
		Load   map[string]any `json:"load"`
		Totals struct {
			Requests, OK, Errors, LockTimeouts, Dropped int64
			Status503                                   int64            `json:"status_503"`
			Status                                      map[string]int64 `json:"status"`
			Transport                                   map[string]int64 `json:"transport"`
			RPS                                         float64          `json:"rps"`
		} `json:"totals"`
		Endpoints map[string]struct {
			LockTimeouts int64              `json:"lock_timeouts"`
			LatencyMS    map[string]float64 `json:"latency_ms"`
			Histogram    string             `json:"histogram"`
		} `json:"endpoints"`
		SLOs []struct {
			Expr   string  `json:"expr"`
			Actual float64 `json:"actual"`
			Pass   bool    `json:"pass"`
			Reason string  `json:"reason"`
		} `json:"slos"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	tot := file.Totals
	if tot.Requests != 100 || tot.OK != 90 || tot.Errors != 10 || tot.Status503 != 8 || tot.Dropped != 7 ||
		tot.Status["200"] != 90 || tot.Transport["refused"] != 2 || tot.RPS != 10 {
		t.Errorf("totals %+v", tot)
	}
	if file.Load["model"] != "closed" || file.Load["concurrency"] != 4.0 || file.Load["duration_s"] != 10.0 {
		t.Errorf("load %v", file.Load)
	}
	login := file.Endpoints["login"]
	for _, key := range []string{"min", "mean", "p50", "p90", "p95", "p99", "p99_9", "max"} {
		if _, ok := login.LatencyMS[key]; !ok {
			t.Errorf("latency_ms lacks %q", key)
		}
	}
	h, err := hdrhistogram.Decode([]byte(login.Histogram))
	if err != nil {
		t.Fatalf("decoding the histogram: %v", err)
	}
	if !h.Equals(r.Endpoints[0].Latency) {
		t.Errorf("the decoded histogram differs from the measured one")
	}
	if len(file.SLOs) != 2 || file.SLOs[1].Expr != "lock_timeouts==0" || file.SLOs[1].Actual != 5 || file.SLOs[1].Pass {
		t.Errorf("slos %+v", file.SLOs)
	}
}
