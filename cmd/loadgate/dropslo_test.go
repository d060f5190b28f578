package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/slo"
)

// TestOpenedScenarioJudgesDrops: against a target that holds its one
// worker's request, most of 5 arrivals are dropped. --rate on a closed
// scenario adds dropped<1% to its SLOs, says so, and that SLO fails the
// gate. With --slo, only the SLOs given are judged, and a warning says
// that none judges the drops, in the run and in a report of its file. A
// scenario without SLOs gates nothing, and gets none.
func TestOpenedScenarioJudgesDrops(t *testing.T) {
	held := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-held:
		}
	}))
	defer srv.Close()
	defer close(held)
	load := []string{"--target", srv.URL, "--rate", "20", "-n", "5", "--max-workers", "1", "--timeout", "300ms"}

	code, stdout, stderr := run(t, append([]string{"run", "ping"}, load...)...)
	if code != exitSLOFailed || !strings.Contains(stdout, "FAIL  dropped<1%") || !strings.Contains(stdout, "error_rate<1%") ||
		!strings.Contains(stderr, "note: --rate makes this closed scenario open: dropped<1% is judged besides\n      its SLOs") ||
		strings.Contains(stderr, "no SLO judges") {
		t.Errorf("exit %d; want %d, dropped<1%% failed besides ping's error_rate<1%%, and the note\n%s%s", code, exitSLOFailed, stdout, stderr)
	}

	out := filepath.Join(t.TempDir(), "given.json")
	code, stdout, stderr = run(t, append([]string{"run", "ping", "--slo", "requests>=1", "--out", out}, load...)...)
	if code != exitOK || strings.Contains(stdout, "dropped<1%") || strings.Contains(stderr, "note:") ||
		!strings.Contains(stderr, "warning: no SLO judges the arrivals dropped: ") || !strings.Contains(stderr, "add --slo 'dropped<1%' to the others to gate on them") {
		t.Errorf("with --slo: exit %d; want %d, no SLO added, and the warning\n%s%s", code, exitOK, stdout, stderr)
	}
	// report judges the saved SLOs, and says the same.
	code, stdout, stderr = run(t, "report", out)
	if code != exitOK || !strings.Contains(stderr, "warning: no SLO judges the arrivals dropped: ") || !strings.Contains(stderr, "add dropped<1% to the scenario's slos to gate on them") {
		t.Errorf("report: exit %d; want %d and the warning\n%s%s", code, exitOK, stdout, stderr)
	}

	bare := filepath.Join(t.TempDir(), "bare.yaml")
	if err := os.WriteFile(bare, []byte("name: bare\nload: {concurrency: 1, duration: 1s}\nsteps:\n  - {name: get, path: /}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, append([]string{"run", bare}, load...)...)
	if code != exitOK || strings.Contains(stdout, "dropped<1%") || strings.Contains(stderr, "note:") || strings.Contains(stderr, "warning:") {
		t.Errorf("a scenario without SLOs: exit %d; want %d, nothing judged, nothing said\n%s%s", code, exitOK, stdout, stderr)
	}
}

// TestJudgeDropsKeepsADropSLO: SLOs that already judge drops, in all or by
// cause, get none added.
func TestJudgeDropsKeepsADropSLO(t *testing.T) {
	for _, expr := range []string{"dropped==0", "dropped_behind<5", "dropped_no_worker<1%"} {
		s, err := slo.Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		if got, added := judgeDrops([]slo.SLO{s}); added || len(got) != 1 {
			t.Errorf("%s: %d SLOs, added %v; want it alone", expr, len(got), added)
		}
	}
}
