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
	conn  atomic.Pointer[checkedConn]
	trace *httptrace.ClientTrace
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
}

// closedUnread reports whether the last request went on a kept connection
// that the server had closed before it could read the request.
func (k *keptConn) closedUnread() bool {
	c := k.conn.Load()
	return c != nil && c.unread.Load()
}
