package runner_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
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
	benchmarkThroughput(b, "http", runner.Step{Name: "ping", Method: http.MethodGet})
}

// BenchmarkClosedThroughputTLS is BenchmarkClosedThroughput over https://:
// the worker's own connection over TLS.
func BenchmarkClosedThroughputTLS(b *testing.B) {
	benchmarkThroughput(b, "https", runner.Step{Name: "ping", Method: http.MethodGet})
}

// BenchmarkClosedThroughputVaried is the same with a path and a header that
// change with every iteration, as a scenario file's templates make them:
// each request is then built anew.
func BenchmarkClosedThroughputVaried(b *testing.B) {
	benchmarkThroughput(b, "http", runner.Step{Name: "ping", Method: http.MethodGet,
		Vary: func(it runner.Iteration) (string, http.Header) {
			seq := strconv.FormatInt(it.Seq, 10)
			return "/people/" + seq, http.Header{"Authorization": {"Bearer token-" + seq}}
		}})
}

func benchmarkThroughput(b *testing.B, scheme string, step runner.Step) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	var target *url.URL
	var clientTLS *tls.Config
	if scheme == "https" {
		srv := httptest.NewTLSServer(ok)
		b.Cleanup(srv.Close)
		target, _ = url.Parse(srv.URL)
		roots := x509.NewCertPool()
		roots.AddCert(srv.Certificate())
		clientTLS = &tls.Config{RootCAs: roots}
	} else {
		target, _ = url.Parse("http://" + testkit.HTTPServer(b, ok))
	}
	b.ReportAllocs()
	b.ResetTimer()
	res, err := runner.Run(b.Context(), runner.Plan{
		Scenario: "bench", Target: target, Timeout: 10 * time.Second, Classifier: runner.DefaultClassifier(), TLSConfig: clientTLS,
		Steps: []runner.Step{step},
		Load:  runner.Load{Concurrency: 50, Iterations: int64(b.N)},
	})
	if err != nil || res.Total.OK() != int64(b.N) {
		b.Fatalf("%v; %d of %d ok", err, res.Total.OK(), b.N)
	}
}
