package runner

import (
	"net"
	"net/url"
	"testing"
	"time"
)

// TestPlainConnectionIsBare: over plain TCP the connector hands back the
// TCP connection itself, never one wrapped for TLS (the TLS record reader
// on plain HTTP bytes reads lengths out of the answers and, sooner or
// later, waits for bytes that never come).
func TestPlainConnectionIsBare(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	target, _ := url.Parse("http://" + ln.Addr().String())
	c := newConnector(&Plan{Target: target}, "http/1.1")
	wrapped := false
	under := func(tcp net.Conn) net.Conn {
		wrapped = true
		return tcp
	}
	conn, tcp, err := c.connect(t.Context(), ln.Addr().String(), time.Now().Add(time.Minute), under, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	if conn != tcp || wrapped {
		t.Errorf("a plain connection came back wrapped (%T, wrapper called: %v)", conn, wrapped)
	}
}
