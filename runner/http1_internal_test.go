package runner

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// FuzzReadResponse feeds any bytes to the HTTP/1.1 answer parser: it
// returns, without panicking, a status in range or an error.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 503 X\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbusy\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nrest",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
	} {
		f.Add([]byte(s), "GET")
	}
	f.Fuzz(func(t *testing.T, data []byte, method string) {
		var out bytes.Buffer
		kept := limitedWriter{w: &out}
		var keep statusSet
		keep.add(503)
		r := responseReader{br: bufio.NewReaderSize(bytes.NewReader(data), http1ReadBuffer)}
		h, err := r.read(method, &keep, &kept)
		if err == nil && (h.status < 100 || h.status > 999) {
			t.Fatalf("status %d without an error", h.status)
		}
		if out.Len() > maxBodyBytes {
			t.Fatalf("kept %d bytes", out.Len())
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
