package runner_test

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// heldHandshake is how long heldTLSServer holds a TLS handshake: far
// longer than a request to a loopback server takes, even under the race
// detector on a busy machine. The hold is the server's slowness under test
// (a timer in the server), not a wait of the test's; the tests compare
// what the run measured, never a wall-clock constant.
const heldHandshake = time.Second

// heldTLSServer is a TLS server (h2 when http2 is set, HTTP/1.1 otherwise)
// that holds every handshake but the first free ones for heldHandshake
// (a timer in the server) and answers with h. It returns its URL and the
// client TLS configuration that trusts it.
func heldTLSServer(t *testing.T, http2 bool, free int64, h http.Handler) (*url.URL, *tls.Config) {
	t.Helper()
	var handshakes atomic.Int64
	return testServer(t, "https", h, func(srv *httptest.Server) {
		srv.EnableHTTP2 = http2
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			if handshakes.Add(1) > free {
				<-time.After(heldHandshake)
			}
			return nil, nil
		}}
	})
}

// TestLatencyLeavesOutSetup: a request that waited for a connection's TLS
// handshake, held far longer than the answer takes, has a latency under the
// shortest handshake the run measured: the set-up is left out of response and service times, on the
// worker's own connection, over HTTP/2 where the workers wait for a
// connection one of them dialled, and in the open model, timed from each
// request's intended start.
func TestLatencyLeavesOutSetup(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	get := runner.Step{Name: "get", Method: "GET"}
	for _, c := range []struct {
		name  string
		http2 bool
		load  runner.Load
	}{
		{"HTTP/1.1", false, runner.Load{Concurrency: 4, Iterations: 40}},
		{"HTTP/2", true, runner.Load{Concurrency: 16, Iterations: 64}},
		{"open model", false, runner.Load{Open: true, Rate: 50, MaxWorkers: 2, Iterations: 30}},
	} {
		t.Run(c.name, func(t *testing.T) {
			target, clientTLS := heldTLSServer(t, c.http2, 0, ok)
			p := plan(target, c.load, get)
			p.TLSConfig, p.HTTP2 = clientTLS, c.http2
			res := mustRun(t, t.Context(), p)
			conns := res.Total.Connections
			if res.Total.OK() == 0 || res.Total.OK() != res.Total.Requests() || conns == nil || conns.Handshakes() == 0 {
				t.Fatalf("%d of %d ok, connections %+v; want all ok over TLS connections", res.Total.OK(), res.Total.Requests(), conns)
			}
			shortest := runner.Micros(conns.Handshake.Min())
			if max, service := res.Total.Max(), runner.Micros(res.Total.Service.Max()); max >= shortest || service >= shortest {
				t.Errorf("latency max %v, service time max %v; want both under the shortest handshake, %v: set-up is left out", max, service, shortest)
			}
		})
	}
}

// TestHTTP2SetupNotTakenFromOtherRequests: over HTTP/2, net/http hands a
// waiting request whichever connection is ready first, while the one its
// worker's request had dialled goes on being set up in the background.
// That set-up must not be taken off a request that did not wait for it:
// with the first handshake free, the others held, and every answer taking
// a while (a timer in the handler), no request's latency is below half of
// its answer's time.
func TestHTTP2SetupNotTakenFromOtherRequests(t *testing.T) {
	const answer = 100 * time.Millisecond
	target, clientTLS := heldTLSServer(t, true, 1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-time.After(answer)
		io.WriteString(w, "ok")
	}))
	p := plan(target, runner.Load{Concurrency: 16, Iterations: 64}, runner.Step{Name: "get", Method: "GET"})
	p.TLSConfig, p.HTTP2 = clientTLS, true
	res := mustRun(t, t.Context(), p)
	if res.Total.OK() != 64 {
		t.Fatalf("%d ok (transport %v); want 64", res.Total.OK(), res.Total.Transport)
	}
	if min := res.Total.Min(); min < answer/2 {
		t.Errorf("latency min %v (connections %+v); want at least %v: no request's answer takes less than %v", min, res.Total.Connections, answer/2, answer)
	}
}
