package runner_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// faultConn is one connection of a fault server: conn speaks HTTP (over
// TLS for https://), tcp is the connection beneath, for resets.
type faultConn struct {
	conn net.Conn
	tcp  *net.TCPConn
	br   *bufio.Reader
}

// next reads the next request and its body; false when there is none.
func (c *faultConn) next() bool {
	req, err := http.ReadRequest(c.br)
	if err != nil {
		return false
	}
	_, err = io.Copy(io.Discard, req.Body)
	return err == nil
}

func (c *faultConn) write(s string) bool {
	_, err := io.WriteString(c.conn, s)
	return err == nil
}

// reset aborts the connection: the client reads a reset, with no TLS alert
// before it.
func (c *faultConn) reset() {
	c.tcp.SetLinger(0)
	c.tcp.Close()
}

// hang waits until the client closes the connection.
func (c *faultConn) hang() { io.Copy(io.Discard, c.conn) }

// answer is a plain answer; every request on a connection gets it.
func answer(s string) func(*faultConn) {
	return func(c *faultConn) {
		for c.next() && c.write(s) {
		}
	}
}

const okAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// faults are the ways a server misbehaves, each with what a run against it
// must count; every one is run over http:// and https://.
var faults = []struct {
	name  string
	serve func(*faultConn)
	want  func(t *testing.T, res *runner.Result, scheme string)
	// timeout is the per-request timeout (default: a generous 20s); a
	// fault that times out by design gets a short one.
	timeout time.Duration
}{
	{"never answers", func(c *faultConn) { c.next(); c.hang() }, wantOnly(runner.TransportTimeout), 200 * time.Millisecond},
	{"stalls mid-body", func(c *faultConn) {
		c.next()
		c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
		c.hang()
	}, wantOnly(runner.TransportTimeout), 200 * time.Millisecond},
	{"resets mid-headers", func(c *faultConn) {
		c.next()
		c.write("HTTP/1.1 200 OK\r\nContent-Type: text/pl")
		c.reset()
	}, wantOnly(runner.TransportReset), 0},
	{"resets mid-body", func(c *faultConn) {
		c.next()
		c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
		c.reset()
	}, wantOnly(runner.TransportReset), 0},
	{"closes after every answer", func(c *faultConn) {
		if c.next() {
			c.write(okAnswer)
		}
	}, wantOK, 0},
	{"bad Content-Length", answer("HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok"), wantOnly(runner.TransportOther), 0},
	{"bad chunking", answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n"), wantOnly(runner.TransportOther), 0},
	{"unsupported Transfer-Encoding", answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok"), wantOnly(runner.TransportOther), 0},
	{"short body, then close", func(c *faultConn) {
		c.next()
		c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
	}, wantOnly(runner.TransportReset), 0},
	{"huge headers", answer("HTTP/1.1 200 OK\r\n" + strings.Repeat("Set-Cookie: a=b\r\n", 300) +
		"X-Big: " + strings.Repeat("b", 20000) + "\r\nContent-Length: 2\r\n\r\nok"), wantOK, 0},
	{"headers beyond 10 MiB", answer("HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Big: "+strings.Repeat("b", 1<<20)+"\r\n", 10) + "X-Last: " + strings.Repeat("b", 64<<10) + "\r\n" +
		"Content-Length: 2\r\n\r\nok"), wantOnly(runner.TransportOther), time.Minute}, // 10 MiB a request: slow under -race on a busy machine
	{"status 042", answer("HTTP/1.1 042 Odd\r\nContent-Length: 0\r\n\r\n"), wantStatus(42), 0},
	{"status 000", answer("HTTP/1.1 000 Odd\r\nContent-Length: 0\r\n\r\n"), wantStatus(0), 0},
	{"status 600", answer("HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n"), wantStatus(600), 0},
	{"status 999", answer("HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n"), wantStatus(999), 0},
	{"1xx interim answers", answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + okAnswer), wantOK, 0},
	{"204 with a body", answer("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"), wantProtocolEvents, 0},
	{"status line cut by a reset", func(c *faultConn) {
		c.next()
		c.write("HTTP/1.1 20")
		c.reset()
	}, wantOnly(runner.TransportReset), 0},
}

// TestFaultServers runs a short load against each fault, over http:// and
// https://: the run ends, every request is counted once, and the fault is
// counted as what it is, the same on both paths.
func TestFaultServers(t *testing.T) {
	var events runner.ProtocolLog
	before := log.Writer()
	log.SetOutput(&events) // as cmd/loadgate does: net/http's lines are counted, not printed
	t.Cleanup(func() { log.SetOutput(before) })
	for _, f := range faults {
		for _, scheme := range []string{"http", "https"} {
			t.Run(f.name+" over "+scheme, func(t *testing.T) {
				t.Parallel()
				srv := startFaultServer(t, scheme, f.serve)
				res := faultRun(t, srv.target, func(p *runner.Plan) {
					p.TLSConfig, p.ProtocolLog = srv.clientTLS, &events
					if f.timeout > 0 {
						p.Timeout = f.timeout
					}
				}, nil)
				f.want(t, res, scheme)
			})
		}
	}
}

// faultRun runs a GET and a POST step against target for a short length,
// or until stop ends when not nil, with the plan as set makes it, and checks
// that the run ended and that its counts add up.
func faultRun(t *testing.T, target *url.URL, set func(*runner.Plan), stop context.Context) *runner.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute) // "it ended": a run lasts a second or so
	defer cancel()
	length := 300 * time.Millisecond
	if stop != nil {
		length = time.Minute
		ctx, cancel = context.WithCancel(stop)
		defer cancel()
	}
	var progress runner.Progress
	p := plan(target, runner.Load{Concurrency: 2, Duration: length},
		runner.Step{Name: "get", Method: "GET", Path: "/"},
		runner.Step{Name: "post", Method: "POST", Path: "/", Body: func(runner.Iteration) []byte { return []byte(`{"a":1}`) }})
	p.Timeout, p.Progress = 20*time.Second, &progress
	set(&p)
	res := mustRun(t, ctx, p)
	if stop == nil && res.Interrupted {
		t.Fatalf("the run did not end by itself: %d requests", res.Total.Requests())
	}
	checkTotals(t, res, p.Progress.Requests())
	return res
}

// checkTotals checks that every request is counted in exactly one class,
// and in a status or a transport kind, in its endpoint and in the total.
func checkTotals(t *testing.T, res *runner.Result, requests int64) {
	t.Helper()
	if res.Total.Requests() != requests || requests == 0 {
		t.Errorf("classes count %d requests, the run made %d", res.Total.Requests(), requests)
	}
	var endpoints int64
	for _, e := range append(res.Endpoints, res.Total) {
		var statuses, kinds int64
		for _, n := range e.Statuses {
			statuses += n
		}
		for _, n := range e.Transport {
			kinds += n
		}
		if kinds != e.TransportErrors() || statuses+kinds != e.Requests() || e.OK()+e.Errors() != e.Requests() {
			t.Errorf("%s: %d requests, %d ok, %d errors, %d with a status, %d transport errors in kinds %v",
				e.Name, e.Requests(), e.OK(), e.Errors(), statuses, e.TransportErrors(), e.Transport)
		}
		if e != res.Total {
			endpoints += e.Requests()
		}
	}
	if endpoints != res.Total.Requests() {
		t.Errorf("endpoints count %d requests, the total %d", endpoints, res.Total.Requests())
	}
}

// wantOnly expects every request to fail with transport errors of kind.
func wantOnly(kind runner.TransportKind) func(*testing.T, *runner.Result, string) {
	return func(t *testing.T, res *runner.Result, _ string) {
		if total := res.Total; total.Transport[kind] != total.Requests() {
			t.Errorf("classes %v, transport kinds %v; want every request of kind %s", total.Classes, total.Transport, kind)
		}
	}
}

// wantStatus expects every request answered with status, a client error.
func wantStatus(status int) func(*testing.T, *runner.Result, string) {
	return func(t *testing.T, res *runner.Result, _ string) {
		if total := res.Total; total.Status(status) != total.Requests() || total.Classes[runner.ClassClientError] != total.Requests() {
			t.Errorf("statuses %v, classes %v, transport %v; want every request a client_error with status %d",
				total.StatusCodes(), total.Classes, total.Transport, status)
		}
	}
}

func wantOK(t *testing.T, res *runner.Result, _ string) {
	if total := res.Total; total.OK() != total.Requests() {
		t.Errorf("%d of %d ok; classes %v, transport %v", total.OK(), total.Requests(), total.Classes, total.Transport)
	}
}

// wantProtocolEvents expects answers with bytes after them to be counted
// as protocol events, and ok: the worker's own connection, over TCP or
// TLS, drops the connection and sends the next request on a new one.
func wantProtocolEvents(t *testing.T, res *runner.Result, scheme string) {
	if res.ProtocolEvents == 0 {
		t.Errorf("no protocol events for %d answers with bytes after them", res.Total.Requests())
	}
	wantOK(t, res, scheme)
}

// faultServer serves every connection with serve over its scheme on a
// loopback port until the test ends, or until it dies.
type faultServer struct {
	target    *url.URL
	clientTLS *tls.Config // for https://: a client configuration that trusts the server
	serverTLS *tls.Config
	serve     func(*faultConn)
	wg        sync.WaitGroup
	mu        sync.Mutex
	ln        net.Listener
	open      []net.Conn
}

func startFaultServer(t *testing.T, scheme string, serve func(*faultConn)) *faultServer {
	t.Helper()
	s := &faultServer{serve: serve}
	if scheme == "https" {
		s.serverTLS, s.clientTLS = testkit.LoopbackTLS(t)
	}
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	s.target, _ = url.Parse(scheme + "://" + s.ln.Addr().String())
	t.Cleanup(func() {
		s.die()
		s.wg.Wait()
	})
	return s
}

// listen accepts connections on addr until the server dies.
func (s *faultServer) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.wg.Go(func() {
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open = append(s.open, raw)
			s.mu.Unlock()
			c := &faultConn{conn: raw, tcp: raw.(*net.TCPConn)}
			if s.serverTLS != nil {
				c.conn = tls.Server(raw, s.serverTLS)
			}
			c.br = bufio.NewReader(c.conn)
			s.wg.Go(func() {
				defer c.conn.Close()
				s.serve(c)
			})
		}
	})
	return nil
}

// die stops listening and cuts every connection.
func (s *faultServer) die() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln.Close()
	for _, c := range s.open {
		c.Close()
	}
	s.open = nil
}

// TestFaultServerDiesAndReturns: a server that stops listening mid-run, its
// connections cut, and then listens again. The run goes on: it counts the
// connections refused or cut while the server is away, and ok answers
// before and after.
func TestFaultServerDiesAndReturns(t *testing.T) {
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			var answers atomic.Int64
			answered := make(chan struct{}, 1000)
			srv := startFaultServer(t, scheme, func(c *faultConn) {
				for c.next() && c.write(okAnswer) {
					answers.Add(1)
					select {
					case answered <- struct{}{}:
					default: // nobody counts any more
					}
				}
			})
			stop, cancel := context.WithCancel(t.Context())
			var progress runner.Progress
			go func() {
				defer cancel()
				waitFor(stop, answered, 20)
				srv.die()
				for tick := time.NewTicker(time.Millisecond); progress.Errors() < 5; { // errors: the client found it gone
					select {
					case <-tick.C:
					case <-stop.Done():
						return
					}
				}
				if err := srv.listen(srv.target.Host); err != nil {
					t.Error(err)
					return
				}
				waitFor(stop, answered, 20)
			}()
			res := faultRun(t, srv.target, func(p *runner.Plan) { p.TLSConfig, p.Progress = srv.clientTLS, &progress }, stop)
			total := res.Total
			t.Logf("%d answers; classes %v, transport %v", answers.Load(), total.Classes, total.Transport)
			away := total.Transport[runner.TransportRefused] + total.Transport[runner.TransportReset]
			if total.OK() < 40 || away == 0 || away != total.Errors() {
				t.Errorf("%d ok, %d refused or reset, %d errors; want 40 ok, the errors refused or reset", total.OK(), away, total.Errors())
			}
		})
	}
}

// waitFor waits for n signals on c, or for ctx to end.
func waitFor(ctx context.Context, c <-chan struct{}, n int) {
	for range n {
		select {
		case <-c:
		case <-ctx.Done():
			return
		}
	}
}

// TestNoResendOfARequestTheServerRead: a server that reads the second
// request on each connection and then resets it (it did the work, then
// crashed) must not see that POST again: loadgate sends again only what the
// server cannot have read, on both paths.
func TestNoResendOfARequestTheServerRead(t *testing.T) {
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			var posts atomic.Int64
			srv := startFaultServer(t, scheme, func(c *faultConn) {
				for n := 0; ; n++ {
					req, err := http.ReadRequest(c.br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if req.Method == http.MethodPost {
						posts.Add(1)
					}
					if n == 1 {
						c.reset()
						return
					}
					c.write(okAnswer)
				}
			})
			res := faultRun(t, srv.target, func(p *runner.Plan) { p.TLSConfig = srv.clientTLS }, nil)
			sent := res.Endpoint("post").Requests()
			t.Logf("%s: the server read %d POSTs, loadgate sent %d; transport %v", scheme, posts.Load(), sent, res.Total.Transport)
			if posts.Load() > sent {
				t.Errorf("the server read %d POSTs, loadgate counts %d: it sent some again", posts.Load(), sent)
			}
		})
	}
}
