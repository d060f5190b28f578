package resultfile_test

import (
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/loadgate/loadgate/internal/testkit"
)

// TestServerRoundTrip: a server view reads back as written; a file without
// one reads as a run without one.
func TestServerRoundTrip(t *testing.T) {
	data, saved := roundTrip(t, testkit.ResultWithServer())
	sel, _ := servermetrics.ParseSelector(`http_request_duration_seconds{endpoint="login"}`)
	h := saved.Result.Server.Histogram(sel)
	if h == nil || h.Count != 5 || !h.Native || len(h.Bounds) != 3 || len(saved.Result.Server.Problems) != 1 {
		t.Errorf("read back %+v", saved.Result.Server)
	}
	if !strings.Contains(string(data), `"server": {`) {
		t.Errorf("no server in\n%s", data)
	}
	if _, saved = roundTrip(t, testkit.Result()); saved.Result.Server != nil {
		t.Error("a run without a server view reads with one")
	}
}

// TestReadRefusesBadServer: a server view that contradicts itself is
// refused, naming the series.
func TestReadRefusesBadServer(t *testing.T) {
	data, _ := resultfile.Encode(testkit.ResultWithServer(), nil, nil)
	good := string(data)
	for name, bad := range map[string]string{
		"a negative counter":   strings.Replace(good, `"counter": 5`, `"counter": -5`, 1),
		"counter and nothing":  strings.Replace(good, `"counter": 5`, `"nothing": 5`, 1),
		"buckets out of order": strings.Replace(good, `0.001,`, `0.5,`, 1),
		"a schema of nothing":  strings.Replace(good, `"schema": 3`, `"schema": 99`, 1),
		"a bad metric name":    strings.Replace(good, `"name": "http_requests_total"`, `"name": "9 x"`, 1),
	} {
		if bad == good {
			t.Fatalf("%s: the change did not apply", name)
		}
		if _, err := resultfile.Read([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
