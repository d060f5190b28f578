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

// sessionRun is testkit.Result() with measured sessions: 7 logins, 2 of
// them renewals on a 401.
func sessionRun() *runner.Result {
	r := *testkit.Result()
	login := runner.NewEndpointStats("session-login")
	for i := range 7 {
		login.Record(runner.Sample{Response: time.Duration(i+1) * time.Millisecond, Service: time.Duration(i+1) * time.Millisecond, Status: 200, Class: runner.ClassOK})
	}
	r.Session = &runner.SessionReport{Users: 5, Opened: 5, RenewedOnStatus: 2, Expired: 3, Measured: true, Endpoints: []*runner.EndpointStats{login}}
	return &r
}

// TestSessionRoundTrip: a run's sessions read back as written, apart from
// the endpoints and the totals; a file without them reads with none; one
// that contradicts itself is refused.
func TestSessionRoundTrip(t *testing.T) {
	data, saved := roundTrip(t, sessionRun())
	s := saved.Result.Session
	if s == nil || s.Opened != 5 || s.RenewedOnStatus != 2 || s.Expired != 3 || len(s.Endpoints) != 1 || s.Endpoints[0].Requests() != 7 {
		t.Fatalf("read back %+v", s)
	}
	if saved.Result.Total.Requests() != 100 || len(saved.Result.Endpoints) != 2 {
		t.Errorf("the session's requests went into the run's: %d requests, %d endpoints", saved.Result.Total.Requests(), len(saved.Result.Endpoints))
	}
	edited := func(change func(doc, session map[string]any)) []byte {
		var doc map[string]any
		json.Unmarshal(data, &doc)
		change(doc, doc["session"].(map[string]any))
		out, _ := json.Marshal(doc)
		return out
	}
	older := edited(func(doc, _ map[string]any) { delete(doc, "session") })
	if saved, err := resultfile.Read(older); err != nil || saved.Result.Session != nil {
		t.Errorf("a file without session: %v; want it read with none", err)
	}
	for want, file := range map[string][]byte{
		"session: a negative count":      edited(func(_, s map[string]any) { s["opened"] = -1 }),
		"(measured: false)":              edited(func(_, s map[string]any) { s["measured"] = false }),
		"which endpoints lacks":          edited(func(_, s map[string]any) { s["endpoint_names"] = []string{"other"} }),
		"session endpoint session-login": edited(func(_, s map[string]any) { s["endpoints"].(map[string]any)["session-login"].(map[string]any)["ok"] = 8 }),
	} {
		if _, err := resultfile.Read(file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
}

// TestMergedSessions: a merge adds its results' sessions up, their
// endpoints by name.
func TestMergedSessions(t *testing.T) {
	a, b := sessionRun(), sessionRun()
	b.Started, b.Ended = b.Started.Add(time.Hour), b.Ended.Add(time.Hour)
	merged, err := runner.MergeResults(a, b)
	if err != nil {
		t.Fatal(err)
	}
	s := merged.Session
	if s == nil || s.Users != 10 || s.Opened != 10 || s.RenewedOnStatus != 4 || len(s.Endpoints) != 1 || s.Endpoints[0].Requests() != 14 {
		t.Errorf("merged session %+v", s)
	}
}

// TestSessionEndpointsHaveNoRate: a session endpoint's requests are no rate
// of the load's time: its rps is 0, whatever the load's length.
func TestSessionEndpointsHaveNoRate(t *testing.T) {
	data, err := resultfile.Encode(sessionRun(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Session struct {
			Endpoints map[string]struct {
				RPS *float64 `json:"rps"`
			} `json:"endpoints"`
		} `json:"session"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if rps := doc.Session.Endpoints["session-login"].RPS; rps == nil || *rps != 0 {
		t.Errorf("session-login rps %v, want 0", rps)
	}
}
