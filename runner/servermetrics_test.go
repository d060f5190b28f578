package runner_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/loadgate/loadgate/runner"
	"golang.org/x/crypto/bcrypt"
)

// TestServerViewIsTheRuns: the server's metrics, read around the run,
// count exactly the run's requests, not those sent before it. A merge of
// runs against two servers sums their views; one of runs that read the
// same server (over their own times) has no series, and says why.
func TestServerViewIsTheRuns(t *testing.T) {
	health := runner.Step{Name: "health", Method: http.MethodGet, Path: "/health"}
	var results []*runner.Result
	for i := range 2 {
		in, err := apiserver.Start(apiserver.Config{BcryptCost: bcrypt.MinCost})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Shutdown(t.Context())
		target, _ := url.Parse(in.URL())
		mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 1, Iterations: 4}, health)) // unobserved
		p := plan(target, runner.Load{Concurrency: 2, Iterations: 9}, health)
		p.ServerMetrics = []servermetrics.Source{{Gatherer: in.Metrics(), Name: in.URL()}}
		r := mustRun(t, t.Context(), p)
		sel, _ := servermetrics.ParseSelector(`http_requests_total{endpoint="health"}`)
		if n, ok := r.Server.Counter(sel); !ok || n != 9 || r.Total.Requests() != 9 || len(r.Server.Problems) != 0 {
			t.Errorf("run %d: the server counted %g health requests of the run's %d; problems %q", i, n, r.Total.Requests(), r.Server.Problems)
		}
		results = append(results, r)
	}
	merged, err := runner.MergeResults(results...)
	if err != nil {
		t.Fatal(err)
	}
	sel, _ := servermetrics.ParseSelector(`http_request_duration_seconds{endpoint="health"}`)
	if h := merged.Server.Histogram(sel); h == nil || h.Count != 18 {
		t.Errorf("the merge's health durations: %+v, want 18", h)
	}
	again := *results[1]
	again.Started, again.Ended = again.Started.Add(time.Hour), again.Ended.Add(time.Hour)
	if merged, err = runner.MergeResults(results[1], &again); err != nil || len(merged.Server.Series) != 0 || len(merged.Server.Problems) != 1 {
		t.Errorf("two runs of one server merged: %v, view %+v", err, merged.Server)
	}
	results[0].Server = nil
	if merged, _ := runner.MergeResults(results...); merged.Server != nil {
		t.Error("a merge with a run without the server's view has one")
	}
}
