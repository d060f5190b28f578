package runner

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// TestIdleRecordsNeverWait: a TLS record that has begun to arrive on an
// idle connection (its header's first bytes, the rest held back by the
// server) does not make the look before the next request wait for the
// rest: that look is part of the measured request. A hundred looks take far
// less than the 5 ms each that such a wait would take, and each finds the
// connection open (the record is read on with the next answer).
func TestIdleRecordsNeverWait(t *testing.T) {
	begun := make(chan struct{})
	done := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		conn.(*tls.Conn).NetConn().Write([]byte{23, 3, 3}) // a record begun beneath TLS
		close(begun)
		<-done
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	defer close(done)
	target, _ := url.Parse(srv.URL)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	var events atomic.Int64
	conn := newHTTP1Conn(target, 20*time.Second, newConnector(&Plan{Target: target, TLSConfig: &tls.Config{RootCAs: roots}}, "http/1.1"), new(connLog), &events)
	defer conn.close()
	var keep statusSet
	var body bytes.Buffer
	if ans, err := conn.do(http1Request{method: "GET", path: "/", bodyless: true}, &keep, &body); err != nil || ans.status != 200 {
		t.Fatalf("the first request: %d, %v", ans.status, err)
	}
	<-begun
	const looks = 100
	began := time.Now()
	for i := range looks {
		if !conn.alive() {
			t.Fatalf("look %d: the connection is not open", i)
		}
	}
	if took := time.Since(began); took >= looks*5*time.Millisecond/2 {
		t.Errorf("%d looks at a connection with a record begun took %v; want well under %v: a look never waits", looks, took, looks*5*time.Millisecond)
	}
	if events.Load() != 0 {
		t.Errorf("%d protocol events; want none: a record begun is no answer", events.Load())
	}
}
