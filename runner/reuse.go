package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"syscall"
	"time"
)

// checkedConn is a connection of the net/http client that notes what the
// net/http client cannot tell a worker: whether reading from it failed (a
// reset, or an end of file: net/http may report only the malformed answer
// that was cut short), and, as net/http closes it, whether the server's side
// had closed before a request sent on it could be read (see
// closedBeforeRequest).
type checkedConn struct {
	net.Conn
	broken atomic.Bool // a read failed: reset or end of file
	unread atomic.Bool
	// began and ready are when the connection's set-up began and ended,
	// for one of newHTTP2Client's (zero otherwise); set before net/http has
	// the connection.
	began, ready time.Time
}

// setupDuring is how much of the span from..to went into c's set-up.
func (c *checkedConn) setupDuring(from, to time.Time) time.Duration {
	if c == nil || c.ready.IsZero() {
		return 0
	}
	if c.ready.Before(to) {
		to = c.ready
	}
	if c.began.After(from) {
		from = c.began
	}
	return max(to.Sub(from), 0)
}

func (c *checkedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
		c.broken.Store(true)
	}
	return n, err
}

func (c *checkedConn) Close() error {
	c.unread.Store(closedBeforeRequest(c.Conn))
	return c.Conn.Close()
}

// dialChecked dials with dialer and returns a checkedConn.
func dialChecked(dialer *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &checkedConn{Conn: conn}, nil
	}
}

// keptConn follows the connections net/http gives a worker's requests
// (through httptrace), so that a failed request is told by its cause and
// sent again when the server cannot have read it. It is the worker's own.
//
// It also times how long a request waited for the set-up of the connection
// it got (setupWait), which its latency leaves out. That is not the set-up
// of the connection its worker's request had dialled: net/http gives a
// waiting request whichever HTTP/2 connection is ready first, and requests
// share one being set up. A request that found a connection ready waited
// for none, whether or not it is the first on it.
type keptConn struct {
	conn      atomic.Pointer[checkedConn] // the last request's, nil before it had one
	reused    atomic.Bool                 // ... kept from an earlier request
	sent      time.Time                   // when the last try went to net/http
	asked     atomic.Int64                // when it first asked for a connection, in ns after sent
	waited    atomic.Int64                // how long it waited for its connection's set-up, in ns
	setupWait time.Duration               // the waits of do's tries together
	ctx       context.Context             // the trace's, for the worker's requests
	guard     reuseGuard
}

// traced returns parent carrying k's trace, made at the first call, and
// the same context after: every template of a run has one parent.
func (k *keptConn) traced(parent context.Context) context.Context {
	if k.ctx == nil {
		k.ctx = httptrace.WithClientTrace(parent, &httptrace.ClientTrace{GetConn: k.get, GotConn: k.got})
	}
	return k.ctx
}

// get notes when a try first asked for a connection: net/http's HTTP/2
// code asks again once the transport has given it one.
func (k *keptConn) get(string) { k.asked.CompareAndSwap(notAsked, int64(time.Since(k.sent))) }

// notAsked is keptConn.asked before the try asked for a connection.
const notAsked = -1

func (k *keptConn) got(info httptrace.GotConnInfo) {
	conn := info.Conn
	if t, ok := conn.(*tls.Conn); ok {
		conn = t.NetConn()
	}
	c, _ := conn.(*checkedConn)
	k.conn.Store(c)
	k.reused.Store(info.Reused)
	k.waited.Store(int64(c.setupDuring(k.sent.Add(time.Duration(max(k.asked.Load(), 0))), time.Now())))
}

// do sends req through client, once more when the kept connection it went
// on had been closed by the server before it could read it (net/http sends
// again only what it may replay). Its errors say their cause: one before a
// connection was had is a connectError, and one on a connection whose read
// failed is a reset, whatever net/http made of the bytes cut short. It
// keeps from racing a server that closes after every answer (reuseGuard).
func (k *keptConn) do(client *http.Client, req *http.Request) (*http.Response, error) {
	k.setupWait = 0
	req.Close = k.guard.fresh()
	resp, err := k.send(client, req)
	if err != nil && k.closedUnread() && (req.Body == nil || req.GetBody != nil) {
		if req.GetBody != nil {
			req.Body, _ = req.GetBody()
		}
		resp, err = k.send(client, req)
	}
	return resp, err
}

// send is one try of do.
func (k *keptConn) send(client *http.Client, req *http.Request) (*http.Response, error) {
	k.conn.Store(nil)
	k.reused.Store(false)
	k.asked.Store(notAsked)
	k.waited.Store(0)
	k.sent = time.Now()
	resp, err := client.Do(req)
	k.setupWait += time.Duration(k.waited.Load())
	c, reused := k.conn.Load(), k.reused.Load()
	switch {
	case err != nil && c == nil:
		return nil, connectError{err}
	case err != nil && c.broken.Load() && !errors.Is(err, syscall.ECONNRESET):
		if u, ok := err.(*url.Error); ok {
			u.Err = fmt.Errorf("%w: %w", u.Err, errConnBroken)
		} else {
			err = fmt.Errorf("%w: %w", err, errConnBroken)
		}
	}
	switch {
	case reused && err != nil:
		k.guard.closed()
	case reused:
		k.guard.kept()
	}
	return resp, err
}

// closedUnread reports whether the last try went on a kept connection that
// the server had closed before it could read the request.
func (k *keptConn) closedUnread() bool {
	c := k.conn.Load()
	return k.reused.Load() && c != nil && c.unread.Load()
}

// errConnBroken says why a request failed whose connection was reset or
// closed while net/http read the answer; it is a reset (transportKind).
var errConnBroken = fmt.Errorf("the connection was reset or closed in the middle of the answer (%w)", syscall.ECONNRESET)

// connectError is a failure before the request had a connection: the dial
// or the TLS handshake. Such a request never reached the server.
type connectError struct{ err error }

func (e connectError) Error() string { return e.err.Error() }
func (e connectError) Unwrap() error { return e.err }

// reuseGuard keeps a worker from racing a server that closes its connection
// after every answer without saying so (no Connection: close): a request
// sent on the kept connection as the server closes it is reset. After two
// kept connections in a row found closed, or failed, the next requests each
// go on a connection of their own, closed after the answer, as if the
// server had said Connection: close. Every so often (further apart each
// time) the worker tries keeping its connection again. The zero value is
// ready; it is not safe for concurrent use.
type reuseGuard struct {
	closes   int // kept connections the server closed, in a row
	left     int // requests still to go on connections of their own
	lastSpan int // how many the last such spell had
}

// How many requests go on connections of their own once a server is seen
// closing after every answer: at first, and at most as it goes on doing so.
const (
	freshRequests    = 100
	maxFreshRequests = 100_000
)

// closed notes a kept connection the server closed under the worker.
func (g *reuseGuard) closed() {
	g.closes++
	if g.closes < 2 {
		return
	}
	g.closes = 0
	g.lastSpan = min(max(2*g.lastSpan, freshRequests), maxFreshRequests)
	g.left = g.lastSpan
}

// kept notes a kept connection that carried a request and its answer.
func (g *reuseGuard) kept() { g.closes = 0 }

// fresh reports whether the request just made goes on a connection of its
// own, to be closed after its answer; it counts it.
func (g *reuseGuard) fresh() bool {
	if g.left == 0 {
		return false
	}
	g.left--
	return true
}
