package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// connector makes a run's connections: TCP and, for an https:// target,
// TLS over it, timing each step; every exchange of the run dials through
// it, so that connect and handshake times mean the same on every path. It
// is safe for concurrent use.
type connector struct {
	// tls is the run's TLS configuration, nil for plain TCP. Its session
	// cache is shared by the run's workers: a connection made again
	// resumes the session of an earlier one.
	tls   *tls.Config
	proto string // the protocol the TLS handshake must agree to ("h2"), or "" for any
}

// newConnector returns the connector of a run of plan that speaks proto
// ("http/1.1" or "h2") over TLS for an https:// target: Plan.TLSConfig, or
// the system's roots when it is nil, offering proto alone by ALPN, with
// the target's host as server name when the configuration names none.
func newConnector(plan *Plan, proto string) *connector {
	if plan.Target.Scheme != "https" {
		return &connector{}
	}
	cfg := &tls.Config{}
	if plan.TLSConfig != nil {
		cfg = plan.TLSConfig.Clone()
	}
	cfg.NextProtos = []string{proto}
	if cfg.ServerName == "" {
		cfg.ServerName = plan.Target.Hostname()
	}
	if cfg.ClientSessionCache == nil {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(0)
	}
	c := &connector{tls: cfg}
	if proto == "h2" {
		c.proto = proto
	}
	return c
}

// connect dials addr before deadline (or until ctx ends) and, with TLS,
// shakes hands over under(tcp), where under may wrap the TCP connection
// (nil: as it is). It returns the connection to speak HTTP on and the TCP
// connection beneath, and adds the set-up to log (nil: nowhere). A failed handshake
// closes the connection and is a connectError: the request never reached
// the server.
func (c *connector) connect(ctx context.Context, addr string, deadline time.Time, under func(net.Conn) net.Conn, log connRecorder) (conn, tcp net.Conn, err error) {
	began := time.Now()
	tcp, err = (&net.Dialer{Deadline: deadline, KeepAlive: 30 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	setup := Connection{Connect: time.Since(began)}
	conn = tcp
	if c.tls != nil {
		if under != nil {
			conn = under(tcp)
		}
		t := tls.Client(conn, c.tls)
		tcp.SetDeadline(deadline)
		began = time.Now()
		err = t.HandshakeContext(ctx)
		setup.TLS, setup.Handshake = true, time.Since(began)
		if err == nil && c.proto != "" && t.ConnectionState().NegotiatedProtocol != c.proto {
			err = errNoHTTP2
		}
		if err != nil {
			tcp.Close()
			return nil, nil, connectError{err}
		}
		setup.Resumed = t.ConnectionState().DidResume
		tcp.SetDeadline(time.Time{}) // the handshake's: net/http sets none of its own
		conn = t
	}
	if log != nil {
		log.add(setup)
	}
	return conn, tcp, nil
}

// errNoHTTP2 is the failure of a handshake for HTTP/2 with a server that
// agreed to no protocol by ALPN: it speaks HTTP/1.1 alone.
var errNoHTTP2 = errors.New("the server did not agree to HTTP/2 in the TLS handshake (ALPN h2): it speaks HTTP/1.1 alone")
