package resultfile_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestSetupRoundTrip: a run's setup reads back as written; a file written
// before it (no setup) reads with none; a setup whose counts contradict
// each other is refused.
func TestSetupRoundTrip(t *testing.T) {
	r := *testkit.Result()
	r.Setup = &runner.SetupReport{Users: 4, Done: 4, Duration: 2500 * time.Millisecond, Requests: 7,
		Status: map[int]int64{200: 4, 429: 2}, Transport: 1, Retries: 3, RemoteUsers: 4, NamePrefix: "lg-ab12cd34-"}
	data, saved := roundTrip(t, &r)
	got := saved.Result.Setup
	if got == nil || got.Requests != 7 || got.Status[429] != 2 || got.Retries != 3 || got.Duration != 2500*time.Millisecond || got.NamePrefix != "lg-ab12cd34-" {
		t.Errorf("read back %+v, want %+v", got, r.Setup)
	}

	edited := func(change func(setup map[string]any)) []byte {
		var copied map[string]any
		json.Unmarshal(data, &copied)
		if change == nil {
			delete(copied, "setup")
		} else {
			change(copied["setup"].(map[string]any))
		}
		out, _ := json.Marshal(copied)
		return out
	}
	if saved, err := resultfile.Read(edited(nil)); err != nil || saved.Result.Setup != nil {
		t.Errorf("a file without setup: %v; want it read with none", err)
	}
	for want, file := range map[string][]byte{
		"8 requests, but 6 answers and 1 transport": edited(func(s map[string]any) { s["requests"] = 8 }),
		"is not a status": edited(func(s map[string]any) { s["status"] = map[string]any{"OK": 7} }),
		"negative":        edited(func(s map[string]any) { s["retries"] = -1 }),
		"more retries":    edited(func(s map[string]any) { s["retries"] = 9 }),
	} {
		if _, err := resultfile.Read(file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
}
