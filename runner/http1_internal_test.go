package runner

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// FuzzResponseParsers feeds the same bytes, as the answer to a GET or a
// HEAD, to the fast client's answer reader and to net/http's: its
// http.ReadResponse over a reader of the Transport's size (4 KiB), skipping
// interim 1xx answers but 101 as the Transport does, then its body read to
// the end. Both must accept, with the same status and body, or both
// refuse. The deliberate exceptions, which inputs here never reach:
//   - a head beyond maxResponseHeaderBytes is refused by the fast client;
//     net/http's Transport refuses it too, but ReadResponse alone does not;
//   - a body is compared up to maxBodyBytes, all the fast client keeps.
func FuzzResponseParsers(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		method := "GET"
		if head {
			method = "HEAD"
		}
		var keep statusSet
		for status := range maxStatus {
			keep.add(status)
		}
		var ours bytes.Buffer
		r := responseReader{br: bufio.NewReaderSize(bytes.NewReader(data), http1ReadBuffer)}
		h, err := r.read(method, &keep, &limitedWriter{w: &ours})
		status, body, theirErr := netHTTPAnswer(data, method)
		switch {
		case (err == nil) != (theirErr == nil):
			t.Fatalf("%q to a %s: the fast client says %v, net/http %v", data, method, err, theirErr)
		case err == nil && (h.status != status || !bytes.Equal(ours.Bytes(), body)):
			t.Fatalf("%q to a %s: the fast client reads %d and %q, net/http %d and %q", data, method, h.status, ours.Bytes(), status, body)
		case ours.Len() > maxBodyBytes:
			t.Fatalf("kept %d bytes", ours.Len())
		}
	})
}

// netHTTPAnswer reads data as net/http's Transport reads an answer to a
// request with method: its status and body.
func netHTTPAnswer(data []byte, method string) (int, []byte, error) {
	br := bufio.NewReaderSize(bytes.NewReader(data), 4<<10)
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return 0, nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != 101 {
			continue
		}
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, body, err
	}
}

// responseSeeds are the answers both fuzz targets of the answer reader
// start from.
var responseSeeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 503 X\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbusy\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n2;ext=1\r\nok\r\n0\r\nX-T: y\r\n\r\n",
	"HTTP/1.0 200 OK\r\n\r\nrest",
	"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
	"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nbytes",
	"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Type: text/pl",
	"HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 02\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\n" + strings.Repeat("Set-Cookie: a=b\r\n", 20) + "X: " + strings.Repeat("b", 300) + "\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\n\tc\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\n X: leading space\r\n\r\n",
	"HTTP/1.1 042 Odd\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 000 Odd\r\n\r\n",
	"HTTP/1.1 -00 Odd\r\n\r\n",
	"HTTP/1.1 +42 Odd\r\n\r\n",
	"HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 999\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1   200   OK\r\nContent-Length: 0\r\n\r\n",
	"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
	"HTTP/0.9 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nbody",
	"HTTP/1.1 500 Internal Server Error\nContent-Length: 1\n\nx",
	"HTTP/1.1 200 OK\r\nX: bad\x01value\r\n\r\n",
	"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n\r\n0\r\n\r\n",
	"SSH-2.0-OpenSSH\r\n\r\n",
	"HTTP/1.1 20",
}

// FuzzResponseParsersOverTLS feeds the same bytes as FuzzResponseParsers,
// as the answer to a GET or a HEAD, to the fast client over TLS (a
// loopback server answers every request with them and closes the
// connection) and to net/http's reader: both must accept, with the same
// status and body, or both refuse. Same-host redirects are followed, to
// the same answer again.
func FuzzResponseParsersOverTLS(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	var data atomic.Pointer[[]byte]
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		conn.Write(*data.Load())
		conn.Close()
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	connector := newConnector(&Plan{Target: target, TLSConfig: &tls.Config{RootCAs: roots}}, "http/1.1")
	var keep statusSet
	for status := range maxStatus {
		keep.add(status)
	}
	var events atomic.Int64
	f.Fuzz(func(t *testing.T, answer []byte, head bool) {
		method := "GET"
		if head {
			method = "HEAD"
		}
		data.Store(&answer)
		conn := newHTTP1Conn(target, 20*time.Second, connector, new(connLog), &events)
		defer conn.close()
		var ours bytes.Buffer
		ans, err := conn.do(http1Request{method: method, path: "/", bodyless: true}, &keep, &ours)
		status, body, theirErr := netHTTPAnswer(answer, method)
		switch {
		case (err == nil) != (theirErr == nil):
			t.Fatalf("%q to a %s: the fast client over TLS says %v, net/http %v", answer, method, err, theirErr)
		case err == nil && (ans.status != status || !bytes.Equal(ours.Bytes(), body)):
			t.Fatalf("%q to a %s: the fast client over TLS reads %d and %q, net/http %d and %q", answer, method, ans.status, ours.Bytes(), status, body)
		}
	})
}

func TestAppendRequest(t *testing.T) {
	got := string(appendRequest(nil, http1Request{method: "POST", path: "/api/auth/login?x=1",
		header: []byte("Content-Type: application/json\r\n"), body: []byte(`{}`)}, "127.0.0.1:8080"))
	want := "POST /api/auth/login?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" +
		"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
	if got != want {
		t.Errorf("request:\n%q\nwant\n%q", got, want)
	}
	if strings.Contains(string(appendRequest(nil, http1Request{method: "GET", path: "/", bodyless: true}, "h")), "Content-Length") {
		t.Errorf("a GET without a body got a Content-Length")
	}
	if !strings.Contains(string(appendRequest(nil, http1Request{method: "POST", path: "/"}, "h")), "Content-Length: 0\r\n") {
		t.Errorf("a POST without a body got no Content-Length: 0")
	}
}

// TestLongHeadLines: head lines longer than the reader's buffer are put
// together, and the memory a very long one took is let go after the answer,
// so that a worker keeps little between answers.
func TestLongHeadLines(t *testing.T) {
	answer := "HTTP/1.1 302 Found\r\nX-Big: " + strings.Repeat("a", 1<<20) + "\r\nLocation: /" + strings.Repeat("b", 20000) +
		"\r\nX-Folded: a\r\n " + strings.Repeat("c", 1<<20) + "\r\nContent-Length: 0\r\n\r\n"
	r := responseReader{br: bufio.NewReaderSize(strings.NewReader(answer), http1ReadBuffer)}
	h, err := r.read("GET", nil, &limitedWriter{w: new(bytes.Buffer)})
	if err != nil || h.status != 302 || h.location != "/"+strings.Repeat("b", 20000) {
		t.Fatalf("status %d, Location of %d bytes, %v; want 302 and the whole Location", h.status, len(h.location), err)
	}
	if cap(r.long) > longLineKept || cap(r.folded) > longLineKept {
		t.Errorf("the reader keeps %d and %d bytes after the answer; at most %d", cap(r.long), cap(r.folded), longLineKept)
	}
}

// BenchmarkCloseProbe is the check a worker makes before reusing its
// connection, on an open loopback connection with nothing to read: its
// cost per request on the keep-alive fast path (compare with
// BenchmarkClosedThroughput's time per request).
func BenchmarkCloseProbe(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var probe closeProbe
	probe.attach(conn)
	b.ReportAllocs()
	for b.Loop() {
		if open, _ := probe.quiet(); !open {
			b.Fatal("an open connection looks closed")
		}
	}
}
