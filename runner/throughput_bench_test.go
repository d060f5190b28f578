package runner_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
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
	benchmarkThroughput(b, runner.Step{Name: "ping", Method: http.MethodGet})
}

// BenchmarkClosedThroughputVaried is the same with a path and a header that
// change with every iteration, as a scenario file's templates make them:
// each request is then built anew.
func BenchmarkClosedThroughputVaried(b *testing.B) {
	benchmarkThroughput(b, runner.Step{Name: "ping", Method: http.MethodGet,
		Vary: func(it runner.Iteration) (string, http.Header) {
			seq := strconv.FormatInt(it.Seq, 10)
			return "/people/" + seq, http.Header{"Authorization": {"Bearer token-" + seq}}
		}})
}

func benchmarkThroughput(b *testing.B, step runner.Step) {
	addr := testkit.HTTPServer(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	target, _ := url.Parse("http://" + addr)
	b.ReportAllocs()
	b.ResetTimer()
	res, err := runner.Run(b.Context(), runner.Plan{
		Scenario: "bench", Target: target, Timeout: 10 * time.Second, Classifier: runner.DefaultClassifier(),
		Steps: []runner.Step{step},
		Load:  runner.Load{Concurrency: 50, Iterations: int64(b.N)},
	})
	if err != nil || res.Total.OK() != int64(b.N) {
		b.Fatalf("%v; %d of %d ok", err, res.Total.OK(), b.N)
	}
}
