package runner_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// BenchmarkClosedThroughput runs b.N GETs from 50 workers against a trivial
// loopback server in the same process; ns/op is wall time per request. For
// profiling the generator: go test -run '^$' -bench ClosedThroughput
// -cpuprofile cpu.out ./runner.
func BenchmarkClosedThroughput(b *testing.B) {
	addr := testkit.HTTPServer(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	target, _ := url.Parse("http://" + addr)
	b.ReportAllocs()
	b.ResetTimer()
	res, err := runner.Run(b.Context(), runner.Plan{
		Scenario: "bench", Target: target, Timeout: 10 * time.Second, Classifier: runner.DefaultClassifier(),
		Steps: []runner.Step{{Name: "ping", Method: http.MethodGet}},
		Load:  runner.Load{Concurrency: 50, Iterations: int64(b.N)},
	})
	if err != nil || res.Total.OK() != int64(b.N) {
		b.Fatalf("%v; %d of %d ok", err, res.Total.OK(), b.N)
	}
}
