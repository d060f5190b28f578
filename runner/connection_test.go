package runner_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// TestConnectionTimings: every connection a run makes is recorded once,
// with its connect time and, over TLS, its handshake time, in the endpoint
// whose request made it; the total is the sum of the endpoints.
func TestConnectionTimings(t *testing.T) {
	overFastPaths(t, "timings", func(t *testing.T, scheme string) {
		target, conns, clientTLS := countingServer(t, scheme)
		p := plan(target, runner.Load{Concurrency: 3, Iterations: 60},
			runner.Step{Name: "first", Method: "GET", Path: "/a"}, runner.Step{Name: "second", Method: "GET", Path: "/b"})
		p.TLSConfig = clientTLS
		res := mustRun(t, t.Context(), p)
		c := res.Total.Connections
		if res.Total.OK() != 120 || c == nil || c.Made() != conns.Load() || c.Made() != 3 {
			t.Fatalf("%d ok, connections %+v; want 120 ok over the 3 connections the server accepted (%d)", res.Total.OK(), c, conns.Load())
		}
		if first, second := res.Endpoint("first").Connections, res.Endpoint("second").Connections; first == nil || first.Made() != 3 || second != nil {
			t.Errorf("first endpoint's connections %+v, second's %+v; want the 3 made by the first step, none by the second", first, second)
		}
		wantHandshakes := int64(0)
		if scheme == "https" {
			wantHandshakes = 3
		}
		if c.Handshakes() != wantHandshakes || c.Resumed > c.Handshakes() {
			t.Errorf("%d handshakes, %d resumed; want %d handshakes", c.Handshakes(), c.Resumed, wantHandshakes)
		}
	})
}

// TestReconnectingServerShowsIt: against a server that closes after every
// answer, every request makes a connection, and over TLS the handshakes
// after the first ones resume a session.
func TestReconnectingServerShowsIt(t *testing.T) {
	overFastPaths(t, "reconnects", func(t *testing.T, scheme string) {
		target, seen, clientTLS := rawServer(t, scheme, okAnswer, true)
		p := plan(target, runner.Load{Concurrency: 2, Iterations: 40}, runner.Step{Name: "get", Method: "GET"})
		p.TLSConfig = clientTLS
		res := mustRun(t, t.Context(), p)
		c := res.Total.Connections
		if res.Total.OK() != 40 || c == nil || c.Made() != 40 {
			t.Fatalf("%d ok, connections %+v (the server saw %d requests); want 40 ok over 40 connections", res.Total.OK(), c, len(seen))
		}
		t.Logf("%d connections, %d handshakes, %d resumed", c.Made(), c.Handshakes(), c.Resumed)
		if scheme == "https" && (c.Handshakes() != 40 || c.Resumed == 0 || c.Resumed > 40) {
			t.Errorf("%d handshakes, %d resumed; want 40, some resumed", c.Handshakes(), c.Resumed)
		}
	})
}

// TestHTTP2: a server that speaks HTTP/2 alone (h2 by ALPN over TLS, h2c
// with prior knowledge over TCP) gets its requests over HTTP/2 with
// Plan.HTTP2, several streams on a connection. Without it, every request
// fails, and the message says what is wrong.
func TestHTTP2(t *testing.T) {
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			var h1, h2 atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.ProtoMajor == 2 {
					h2.Add(1)
				} else {
					h1.Add(1)
				}
				io.WriteString(w, "ok")
			}))
			srv.Config.Protocols = new(http.Protocols)
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			var clientTLS *tls.Config
			if scheme == "https" {
				srv.EnableHTTP2 = true
				srv.Config.Protocols.SetHTTP2(true)
				srv.StartTLS()
				roots := x509.NewCertPool()
				roots.AddCert(srv.Certificate())
				clientTLS = &tls.Config{RootCAs: roots}
			} else {
				srv.Config.Protocols.SetUnencryptedHTTP2(true)
				srv.Start()
			}
			defer srv.Close()
			target, _ := url.Parse(srv.URL)
			p := plan(target, runner.Load{Concurrency: 4, Iterations: 200}, runner.Step{Name: "get", Method: "GET"})
			p.TLSConfig, p.HTTP2 = clientTLS, true
			res := mustRun(t, t.Context(), p)
			c := res.Total.Connections
			if res.Total.OK() != 200 || h2.Load() != 200 || c == nil || c.Made() == 0 || c.Made() >= 50 {
				t.Errorf("%d ok, %d over HTTP/2, connections %+v; want 200 over HTTP/2 on a few connections", res.Total.OK(), h2.Load(), c)
			}
			if scheme == "https" && c != nil && c.Handshakes() != c.Made() {
				t.Errorf("%d handshakes for %d connections", c.Handshakes(), c.Made())
			}

			p.HTTP2 = false
			p.Load = runner.Load{Concurrency: 1, Iterations: 3}
			res = mustRun(t, t.Context(), p)
			if res.Total.TransportErrors() != 3 || h1.Load() != 0 {
				t.Errorf("without HTTP/2: %d transport errors, the server answered %d over HTTP/1; want 3 and 0", res.Total.TransportErrors(), h1.Load())
			}
			if m := res.Total.TopMessages(1); scheme == "https" && (len(m) != 1 || !strings.HasSuffix(m[0].Text, ": the server agreed to no protocol by ALPN; it may speak HTTP/2 alone") ||
				strings.HasPrefix(m[0].Text, "the server")) {
				t.Errorf("without HTTP/2: messages %+v; want one that says its cause, then that the server may speak HTTP/2 alone", m)
			}
		})
	}
}

// TestHTTP2IdleAfterDeadline: an HTTP/2 connection idle for longer than
// the request timeout is still used (its handshake's deadline must not stay
// on it).
func TestHTTP2IdleAfterDeadline(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	target, _ := url.Parse(srv.URL)
	p := plan(target, runner.Load{Concurrency: 1, Iterations: 4, Pause: 300 * time.Millisecond}, runner.Step{Name: "get", Method: "GET"})
	p.Timeout, p.TLSConfig, p.HTTP2 = 200*time.Millisecond, &tls.Config{RootCAs: roots}, true
	res := mustRun(t, t.Context(), p)
	if c := res.Total.Connections; res.Total.OK() != 4 || c == nil || c.Made() != 1 {
		t.Errorf("%d ok (transport %v), connections %+v; want 4 over 1", res.Total.OK(), res.Total.Transport, c)
	}
}

// TestHTTP2WithHTTP1Server: a TLS server that does not speak HTTP/2 fails
// an HTTP/2 run's connections, as TLS failures that say why.
func TestHTTP2WithHTTP1Server(t *testing.T) {
	target, clientTLS := testServer(t, "https", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		func(srv *httptest.Server) { srv.Config.ErrorLog = log.New(io.Discard, "", 0) })
	p := plan(target, runner.Load{Concurrency: 1, Iterations: 2}, runner.Step{Name: "get", Method: "GET"})
	p.TLSConfig, p.HTTP2 = clientTLS, true
	res := mustRun(t, t.Context(), p)
	m := res.Total.TopMessages(1)
	if res.Total.ConnectFailed[runner.TransportTLS] != 2 || len(m) != 1 || !strings.Contains(m[0].Text, "no application protocol") {
		t.Errorf("failed to connect %v, messages %v; want 2 tls failures that name the protocol", res.Total.ConnectFailed, m)
	}
}
