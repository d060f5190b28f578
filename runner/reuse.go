package runner

import (
	"context"
	"crypto/tls"
	"net"
	"net/http/httptrace"
	"sync/atomic"
)

// checkedConn is a connection of the net/http client that, as net/http
// closes it, notes whether the server's side had closed before a request
// sent on it could be read (see closedBeforeRequest). A worker that saw its
// request fail on such a kept connection sends it again: the server cannot
// have read it, whatever its method.
type checkedConn struct {
	net.Conn
	unread atomic.Bool
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

// keptConn follows the connection net/http gives a worker's requests: the
// kept one it reused for the last request, nil for a new one.
type keptConn struct {
	conn   atomic.Pointer[checkedConn]
	reused atomic.Bool
	trace  *httptrace.ClientTrace
	guard  reuseGuard
}

// traced returns ctx carrying k's trace, made at the first call.
func (k *keptConn) traced(ctx context.Context) context.Context {
	if k.trace == nil {
		k.trace = &httptrace.ClientTrace{GotConn: k.got}
	}
	return httptrace.WithClientTrace(ctx, k.trace)
}

func (k *keptConn) got(info httptrace.GotConnInfo) {
	conn := info.Conn
	if t, ok := conn.(*tls.Conn); ok {
		conn = t.NetConn()
	}
	c, _ := conn.(*checkedConn)
	if !info.Reused {
		c = nil
	}
	k.conn.Store(c)
	k.reused.Store(info.Reused)
}

// closedUnread reports whether the last request went on a kept connection
// that the server had closed before it could read the request.
func (k *keptConn) closedUnread() bool {
	c := k.conn.Load()
	return c != nil && c.unread.Load()
}

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
