package runner_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestHTTP1Framing runs requests against servers that frame their answers
// in each way HTTP/1.1 allows, and checks status, class and that the
// connection stays usable (three iterations each).
func TestHTTP1Framing(t *testing.T) {
	busy := `{"error":"Service temporarily busy, please retry"}`
	cases := []struct {
		name       string
		answer     string
		closeAfter bool
		method     string
		status     int
		class      runner.Class
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, "GET", 200, runner.ClassOK},
		{"chunked lock timeout", "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x;ext=1\r\n%s\r\n0\r\nX-Trailer: y\r\n\r\n", len(busy), busy), false, "POST", 503, runner.ClassLockTimeout},
		{"lock timeout with content-length", fmt.Sprintf("HTTP/1.1 503 Service Unavailable\r\nContent-Length: %d\r\n\r\n%s", len(busy), busy), false, "GET", 503, runner.ClassLockTimeout},
		{"close-delimited HTTP/1.0", "HTTP/1.0 200 OK\r\n\r\nbody until close", true, "GET", 200, runner.ClassOK},
		{"HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", false, "GET", 200, runner.ClassOK},
		{"interim 103 then 201", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", false, "POST", 201, runner.ClassOK},
		{"204 without length", "HTTP/1.1 204 No Content\r\n\r\n", false, "DELETE", 204, runner.ClassOK},
		{"HEAD with a length", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false, "HEAD", 200, runner.ClassOK},
		{"connection close", "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 4\r\n\r\nnope", true, "POST", 401, runner.ClassClientError},
		{"transfer-encoding overrides content-length", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, "GET", 200, runner.ClassOK},
		{"HTTP/1.0 ignores Transfer-Encoding", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", true, "GET", 200, runner.ClassOK},
		{"300 Set-Cookie lines", "HTTP/1.1 200 OK\r\n" + strings.Repeat("Set-Cookie: a=b\r\n", 300) + "Content-Length: 0\r\n\r\n", false, "GET", 200, runner.ClassOK},
		{"a 20 KB header line", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 20000) + "\r\nContent-Length: 0\r\n\r\n", false, "GET", 200, runner.ClassOK},
		{"a 20 KB Location header", "HTTP/1.1 200 OK\r\nLocation: /" + strings.Repeat("a", 20000) + "\r\nContent-Length: 0\r\n\r\n", false, "GET", 200, runner.ClassOK},
		{"folded header", "HTTP/1.1 200 OK\r\nX-Long: a\r\n b\r\n\tc\r\nContent-Length: 2\r\n\r\nok", false, "GET", 200, runner.ClassOK},
		{"status below 100", "HTTP/1.1 042 Odd\r\nContent-Length: 0\r\n\r\n", false, "GET", 42, runner.ClassClientError},
		{"status above 599", "HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n", false, "GET", 600, runner.ClassClientError},
		{"bare LF lines", "HTTP/1.1 500 Internal Server Error\nContent-Length: 1\n\nx", false, "GET", 500, runner.ClassServerError},
	}
	for _, tc := range cases {
		overFastPaths(t, tc.name, func(t *testing.T, scheme string) {
			target, _, clientTLS := rawServer(t, scheme, tc.answer, tc.closeAfter)
			step := runner.Step{Name: "x", Method: tc.method, Path: "/p"}
			if tc.method == "POST" {
				step.Body = func(runner.Iteration) []byte { return []byte(`{"a":1}`) }
			}
			p := plan(target, runner.Load{Concurrency: 1, Iterations: 3}, step)
			p.TLSConfig = clientTLS
			res := mustRun(t, t.Context(), p)
			x := res.Endpoint("x")
			if x.Requests() != 3 || x.Status(tc.status) != 3 || x.Classes[tc.class] != 3 {
				t.Errorf("requests %d, status %d: %d, class %s: %d; transport %v", x.Requests(), tc.status, x.Status(tc.status),
					tc.class, x.Classes[tc.class], x.Transport)
			}
		})
	}
}

// fastPaths are the schemes over which a worker speaks HTTP/1.1 on its own
// connection: over TCP and over TLS.
var fastPaths = []string{"http", "https"}

// overFastPaths runs test as a subtest called name over each of fastPaths.
func overFastPaths(t *testing.T, name string, test func(t *testing.T, scheme string)) {
	for _, scheme := range fastPaths {
		t.Run(name+" over "+scheme, func(t *testing.T) { test(t, scheme) })
	}
}

// TestHTTP1Malformed: answers that break HTTP/1.1 are transport errors of
// kind "other" (or "reset" when cut short), never a hang or a crash.
func TestHTTP1Malformed(t *testing.T) {
	for name, answer := range map[string]string{
		"not HTTP":           "SSH-2.0-OpenSSH\r\n\r\n",
		"bad status":         "HTTP/1.1 2x0 OK\r\n\r\n",
		"bad length":         "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
		"bad chunk size":     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"header without ':'": "HTTP/1.1 200 OK\r\nnonsense\r\n\r\n",
		"short body":         "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		"head beyond 10 MiB": "HTTP/1.1 200 OK\r\n" + strings.Repeat("Set-Cookie: "+strings.Repeat("a", 1000)+"\r\n", 11<<10) + "\r\n",
		"gzip encoding":      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nbytes to the end",
		"folded first line":  "HTTP/1.1 200 OK\r\n X: y\r\nContent-Length: 0\r\n\r\n",
		"bare LF in chunks":  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n",
	} {
		overFastPaths(t, name, func(t *testing.T, scheme string) {
			target, _, clientTLS := rawServer(t, scheme, answer, true)
			p := plan(target, runner.Load{Concurrency: 1, Iterations: 1}, runner.Step{Name: "get", Method: http.MethodGet, Path: "/"})
			p.Timeout, p.TLSConfig = time.Minute, clientTLS
			res := mustRun(t, t.Context(), p)
			if res.Total.TransportErrors() != 1 {
				t.Errorf("classes %v, transport %v; want one transport error", res.Total.Classes, res.Total.Transport)
			}
			if m := res.Total.Messages; name == "bad length" && (len(m) != 1 || !strings.Contains(m[0].Text, `Content-Length "-5" is not a length`)) {
				t.Errorf("messages %v; want the length named", m)
			}
		})
	}
}

// TestHTTP1Redirects: redirects within the target's host are followed (a
// 302 turns a POST into a GET, a 307 keeps it), and one to another host is
// not: its 3xx is the answer.
func TestHTTP1Redirects(t *testing.T) {
	overFastPaths(t, "redirects", testHTTP1Redirects)
}

func testHTTP1Redirects(t *testing.T, scheme string) {
	target, clientTLS := testServer(t, scheme, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/found":
			http.Redirect(w, r, "/landing?from=found", http.StatusFound)
		case "/temporary":
			http.Redirect(w, r, "/landing", http.StatusTemporaryRedirect)
		case "/away":
			http.Redirect(w, r, "http://localhost:1/elsewhere", http.StatusFound)
		case "/landing":
			fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.RawQuery, body)
			if r.Method == "POST" && string(body) != `{"a":1}` || r.Method == "GET" && len(body) != 0 {
				w.WriteHeader(http.StatusTeapot) // too late for the status: counted by the body check below
			}
		}
	}), nil)
	post := func(path string) runner.Step {
		return runner.Step{Name: path, Method: "POST", Path: path, Body: func(runner.Iteration) []byte { return []byte(`{"a":1}`) }}
	}
	p := plan(target, runner.Load{Concurrency: 1, Iterations: 1}, post("/found"), post("/temporary"), post("/away"))
	p.TLSConfig = clientTLS
	res := mustRun(t, t.Context(), p)
	for path, status := range map[string]int{"/found": 200, "/temporary": 200, "/away": 302} {
		if got := res.Endpoint(path).Status(status); got != 1 {
			t.Errorf("%s: statuses %v, want one %d", path, res.Endpoint(path).StatusCodes(), status)
		}
	}
}

// TestHTTP1ServerClosesIdleConnections: a server that drops keep-alive
// connections once they are idle, without saying so, costs no errors, for a
// GET or a POST. Each iteration but the first waits until the server has
// closed the last connection.
func TestHTTP1ServerClosesIdleConnections(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		overFastPaths(t, method, func(t *testing.T, scheme string) {
			closed := make(chan struct{}, 8)
			target, clientTLS := testServer(t, scheme, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
				func(srv *httptest.Server) {
					srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
						if s == http.StateIdle {
							c.Close() // over TLS, with a close_notify alert first
							closed <- struct{}{}
						}
					}
				})
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			step := runner.Step{Name: method, Method: method, Vary: func(it runner.Iteration) (string, http.Header) {
				if it.Seq > 0 {
					select {
					case <-closed:
					case <-ctx.Done(): // an iteration failed, and the server kept its connection
					}
				}
				return "/", nil
			}}
			p := plan(target, runner.Load{Concurrency: 1, Iterations: 4}, step)
			p.TLSConfig = clientTLS
			res := mustRun(t, ctx, p)
			if res.Total.OK() != 4 {
				t.Errorf("%d ok of 4; transport errors %v after idle closes", res.Total.OK(), res.Total.Transport)
			}
		})
	}
}

// TestHTTP1KeepsConnections: with a server that keeps connections, a worker
// uses one connection for all its requests.
func TestHTTP1KeepsConnections(t *testing.T) {
	overFastPaths(t, "keeps", func(t *testing.T, scheme string) {
		target, conns, clientTLS := countingServer(t, scheme)
		p := plan(target, runner.Load{Concurrency: 4, Iterations: 400}, runner.Step{Name: "get", Method: "GET"})
		p.TLSConfig = clientTLS
		res := mustRun(t, t.Context(), p)
		if res.Total.OK() != 400 || conns.Load() != 4 {
			t.Errorf("%d ok over %d connections; want 400 over 4", res.Total.OK(), conns.Load())
		}
	})
}

// countingServer answers "ok" over scheme and counts the connections it
// accepts; for https://, with the TLS configuration a plan needs for it.
func countingServer(t *testing.T, scheme string) (*url.URL, *atomic.Int64, *tls.Config) {
	t.Helper()
	conns := new(atomic.Int64)
	target, clientTLS := testServer(t, scheme, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		func(srv *httptest.Server) {
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
		})
	return target, conns, clientTLS
}

// testServer serves h over scheme (HTTP/1.1 alone over TLS) until the test
// ends, configured by configure (when not nil) before it starts; for
// https://, it returns the TLS configuration that trusts it.
func testServer(t *testing.T, scheme string, h http.Handler, configure func(*httptest.Server)) (*url.URL, *tls.Config) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if configure != nil {
		configure(srv)
	}
	var clientTLS *tls.Config
	if scheme == "https" {
		srv.StartTLS()
		roots := x509.NewCertPool()
		roots.AddCert(srv.Certificate())
		clientTLS = &tls.Config{RootCAs: roots}
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	return target, clientTLS
}

// rawServer is testkit.RawHTTPSServer as a target of scheme, with a
// certificate of its own for https:// and the TLS configuration that
// trusts it.
func rawServer(t *testing.T, scheme, answer string, closeAfter bool) (target *url.URL, seen chan *http.Request, clientTLS *tls.Config) {
	t.Helper()
	var serverTLS *tls.Config
	if scheme == "https" {
		serverTLS, clientTLS = testkit.LoopbackTLS(t)
	}
	addr, seen := testkit.RawHTTPSServer(t, answer, closeAfter, serverTLS)
	target, _ = url.Parse(scheme + "://" + addr)
	return target, seen, clientTLS
}

// TestHTTP1UntrustworthyAnswers: an answer that leaves bytes behind, frames
// itself two ways, or says both close and keep-alive never desynchronises
// the connection: each request reaches the server once and gets its own
// answer.
func TestHTTP1UntrustworthyAnswers(t *testing.T) {
	for name, answer := range map[string]string{
		"204 with a body":        "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello",
		"close and keep-alive":   "HTTP/1.1 200 OK\r\nConnection: close, keep-alive\r\nContent-Length: 0\r\n\r\n",
		"two Connection headers": "HTTP/1.1 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
	} {
		overFastPaths(t, name, func(t *testing.T, scheme string) {
			target, seen, clientTLS := rawServer(t, scheme, answer, false)
			step := runner.Step{Name: "x", Method: "POST", Path: "/", Body: func(runner.Iteration) []byte { return []byte("{}") }}
			p := plan(target, runner.Load{Concurrency: 1, Iterations: 3}, step)
			p.TLSConfig = clientTLS
			res := mustRun(t, t.Context(), p)
			if len(seen) != 3 || res.Total.OK() != 3 {
				t.Errorf("server saw %d requests, %d ok (transport %v); want 3 and 3", len(seen), res.Total.OK(), res.Total.Transport)
			}
		})
	}
	for name, answer := range map[string]string{
		"conflicting lengths": "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 2\r\n\r\nokHTTP/",
		"signed length":       "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
	} {
		overFastPaths(t, name, func(t *testing.T, scheme string) {
			target, seen, clientTLS := rawServer(t, scheme, answer, false)
			p := plan(target, runner.Load{Concurrency: 1, Iterations: 3}, runner.Step{Name: "x", Method: "GET"})
			p.TLSConfig = clientTLS
			res := mustRun(t, t.Context(), p)
			if res.Total.TransportErrors() != 3 || len(seen) != 3 {
				t.Errorf("%d transport errors, server saw %d requests; want 3 and 3", res.Total.TransportErrors(), len(seen))
			}
		})
	}
}

// TestHTTP1RequestHeaders: what reaches the server is what net/http would
// send: the client's own framing headers, a step's User-Agent, Basic
// authorization from the target URL, Content-Length: 0 for a bodiless POST.
func TestHTTP1RequestHeaders(t *testing.T) {
	overFastPaths(t, "headers", testHTTP1RequestHeaders)
}

func testHTTP1RequestHeaders(t *testing.T, scheme string) {
	target, seen, clientTLS := rawServer(t, scheme, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false)
	target.User = url.UserPassword("bob", "s3cret")
	steps := []runner.Step{
		{Name: "get", Method: "GET", Path: "/a", Header: http.Header{"User-Agent": {"probe/1"}, "Host": {"evil"}, "Transfer-Encoding": {"chunked"}}},
		{Name: "post", Method: "POST", Path: "/b"},
	}
	p := plan(target, runner.Load{Concurrency: 1, Iterations: 1}, steps...)
	p.TLSConfig = clientTLS
	res := mustRun(t, t.Context(), p)
	if res.Total.OK() != 2 || len(seen) != 2 {
		t.Fatalf("%d ok, %d seen", res.Total.OK(), len(seen))
	}
	get, post := <-seen, <-seen
	if user, pass, ok := get.BasicAuth(); !ok || user != "bob" || pass != "s3cret" {
		t.Errorf("no Basic authorization from the target URL: %v", get.Header)
	}
	if get.UserAgent() != "probe/1" || get.Host != target.Host || len(get.TransferEncoding) != 0 {
		t.Errorf("GET: User-Agent %q, Host %q, Transfer-Encoding %v", get.UserAgent(), get.Host, get.TransferEncoding)
	}
	if post.ContentLength != 0 || post.Header.Get("Content-Length") != "0" || post.UserAgent() != "loadgate" {
		t.Errorf("bodiless POST: Content-Length %q, User-Agent %q", post.Header.Get("Content-Length"), post.UserAgent())
	}
}

// TestHTTP1IdleAfterDeadline: a connection idle for longer than the request
// timeout is still reused (the old deadline must not make it look closed).
func TestHTTP1IdleAfterDeadline(t *testing.T) {
	overFastPaths(t, "idle", func(t *testing.T, scheme string) {
		target, conns, clientTLS := countingServer(t, scheme)
		p := plan(target, runner.Load{Concurrency: 1, Iterations: 4, Pause: 300 * time.Millisecond}, runner.Step{Name: "get", Method: "GET"})
		p.Timeout, p.TLSConfig = 200*time.Millisecond, clientTLS
		res := mustRun(t, t.Context(), p)
		if res.Total.OK() != 4 || conns.Load() != 1 {
			t.Errorf("%d ok over %d connections; want 4 over 1", res.Total.OK(), conns.Load())
		}
	})
}

// TestHTTP1RedirectKeepsEscapes: a relative redirect from an escaped path
// resolves against it as sent.
func TestHTTP1RedirectKeepsEscapes(t *testing.T) {
	overFastPaths(t, "escapes", testHTTP1RedirectKeepsEscapes)
}

func testHTTP1RedirectKeepsEscapes(t *testing.T, scheme string) {
	target, clientTLS := testServer(t, scheme, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() == "/a%20b/c" {
			w.Header().Set("Location", "d")
			w.WriteHeader(http.StatusFound)
			return
		}
		if r.URL.EscapedPath() != "/a%20b/d" {
			w.WriteHeader(http.StatusNotFound)
		}
	}), nil)
	p := plan(target, runner.Load{Concurrency: 1, Iterations: 1}, runner.Step{Name: "x", Method: "GET", Path: "/a%20b/c"})
	p.TLSConfig = clientTLS
	res := mustRun(t, t.Context(), p)
	if res.Total.Status(200) != 1 {
		t.Errorf("statuses %v, want 200 after the redirect", res.Total.StatusCodes())
	}
}

// TestHTTP1UnaskedBytes: bytes a server sends after its answer, whether
// they arrive with it or on the idle connection later, are a protocol
// event; the connection is dropped and the next request goes on a new one.
func TestHTTP1UnaskedBytes(t *testing.T) {
	overFastPaths(t, "unasked", testHTTP1UnaskedBytes)
}

func testHTTP1UnaskedBytes(t *testing.T, scheme string) {
	sent := make(chan struct{}, 8)
	var serverTLS, clientTLS *tls.Config
	if scheme == "https" {
		serverTLS, clientTLS = testkit.LoopbackTLS(t)
	}
	addr := testkit.TCPServer(t, func(c net.Conn) {
		if serverTLS != nil {
			c = tls.Server(c, serverTLS)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			if _, err := http.ReadRequest(br); err != nil {
				return
			}
			if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\n")
			sent <- struct{}{}
		}
	})
	target, _ := url.Parse(scheme + "://" + addr)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	step := runner.Step{Name: "x", Method: "GET", Vary: func(it runner.Iteration) (string, http.Header) {
		if it.Seq > 0 {
			select {
			case <-sent:
			case <-ctx.Done():
			}
		}
		return "/", nil
	}}
	p := plan(target, runner.Load{Concurrency: 1, Iterations: 3}, step)
	p.TLSConfig = clientTLS
	res := mustRun(t, ctx, p)
	if res.Total.OK() != 3 || res.ProtocolEvents != 2 {
		t.Errorf("%d ok, %d protocol events; want 3 ok and 2 events", res.Total.OK(), res.ProtocolEvents)
	}
}
