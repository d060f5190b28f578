package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/slo"
)

// TestOpenedScenarioJudgesDrops: --rate on a closed scenario adds
// dropped<1% to its SLOs, and says so: against a target that holds its one
// worker's request, the other arrivals are dropped and that SLO fails the
// gate. With --slo, only the SLOs given are judged.
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
	code, stdout, stderr := run(t, "run", "ping", "--target", srv.URL, "--rate", "20", "-n", "5", "--max-workers", "1", "--timeout", "300ms")
	if code != exitSLOFailed || !strings.Contains(stdout, "FAIL  dropped<1%     80% is not < 1%") ||
		!strings.Contains(stderr, "note: --rate makes this closed scenario open: dropped<1% is judged besides\n      its SLOs") {
		t.Errorf("exit %d; want %d, dropped<1%% failed at 80%%, and the note\n%s%s", code, exitSLOFailed, stdout, stderr)
	}
	code, stdout, stderr = run(t, "run", "ping", "--target", srv.URL, "--rate", "20", "-n", "5", "--max-workers", "1", "--timeout", "300ms", "--slo", "requests>=1")
	if code != exitOK || strings.Contains(stdout, "dropped<1%") || strings.Contains(stderr, "note:") {
		t.Errorf("with --slo: exit %d; want %d and no SLO added\n%s%s", code, exitOK, stdout, stderr)
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
