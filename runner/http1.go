package runner

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// http1Conn is a worker's own keep-alive HTTP/1.1 connection to the
// target, over TCP for http:// and over TLS for https://: it writes each
// request in one piece and parses the answer from a buffered reader on the
// worker's goroutine, with a deadline for the timeout, so a request costs
// three system calls (the write, the read, and a look whether the server
// closed the connection) and almost no allocation (net/http's client hands
// every request between three goroutines). It follows redirects within the
// target's host, like NewClient's client. It is not safe for concurrent
// use.
type http1Conn struct {
	addr      string // host:port to dial
	host      string // the Host header: the target's host, port only when given
	scheme    string // the target's: redirects stay on it
	timeout   time.Duration
	connector *connector
	log       *connLog // the worker's: where the connections made go
	conn      net.Conn // the connection HTTP is spoken on: tcp, or TLS over it
	tcp       net.Conn
	records   recordConn // beneath conn, over TLS
	noALPN    bool       // conn is TLS, and the server agreed to no protocol by ALPN
	rr        responseReader
	probe     closeProbe // looks whether the server closed the connection
	wbuf      []byte
	kept      limitedWriter
	events    *atomic.Int64 // the run's protocol events (see Result.ProtocolEvents)
	guard     reuseGuard
}

func newHTTP1Conn(target *url.URL, timeout time.Duration, c *connector, log *connLog, events *atomic.Int64) *http1Conn {
	return &http1Conn{addr: dialAddr(target), host: target.Host, scheme: target.Scheme, timeout: timeout,
		connector: c, log: log, events: events}
}

// dialAddr is the host:port of an http:// or https:// URL.
func dialAddr(u *url.URL) string {
	port := u.Port()
	switch {
	case port != "":
	case u.Scheme == "https":
		port = "443"
	default:
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// http1Request is what one exchange sends.
type http1Request struct {
	method   string
	path     string // path and query, as sent on the request line
	header   []byte // header lines but Host and Content-Length, each ending in CRLF
	body     []byte // sent with Content-Length when not nil
	bodyless bool   // no body and no Content-Length when body is nil
	// idHeader and requestID add the header "idHeader: requestID" when
	// both are set (Plan.RequestIDHeader), without building header anew.
	idHeader, requestID string
}

// newHTTP1Request prepares what req sends, but for its body, as net/http
// would: the framing headers (Host, Content-Length, Transfer-Encoding,
// Connection) are the client's own, a User-Agent replaces loadgate's, and
// credentials in the URL become Basic authorization. A header name or value
// that would break the request's framing is refused.
func newHTTP1Request(req *http.Request) (http1Request, error) {
	r := http1Request{method: req.Method, path: req.URL.RequestURI(), bodyless: bodylessMethod(req.Method)}
	header := req.Header.Clone()
	if req.URL.User != nil && header.Get("Authorization") == "" {
		password, _ := req.URL.User.Password()
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(req.URL.User.Username()+":"+password)))
	}
	if header.Get("User-Agent") == "" {
		header.Set("User-Agent", "loadgate")
	}
	for name, values := range header {
		if name == "" || strings.ContainsAny(name, " :\r\n") {
			return r, fmt.Errorf("invalid header name %q", name)
		}
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Content-Length", "Transfer-Encoding", "Connection":
			continue
		}
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n") {
				return r, fmt.Errorf("invalid value of header %s: %q", name, v)
			}
			r.header = append(r.header, name+": "+v+"\r\n"...)
		}
	}
	return r, nil
}

// bodylessMethod reports whether a request with method and no body goes
// without Content-Length; POST, PUT, PATCH and the rest send "0", as
// net/http does.
func bodylessMethod(method string) bool {
	switch method {
	case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT":
		return true
	}
	return false
}

// do sends req and reads the answer, following same-host redirects: its
// status and Retry-After header. It keeps the first maxBodyBytes of the
// final body in out when keep has its status, and leaves out empty otherwise.
func (c *http1Conn) do(req http1Request, keep *statusSet, out *bytes.Buffer) (answer, error) {
	deadline := time.Now().Add(c.timeout)
	c.kept = limitedWriter{w: out}
	for sent := 1; ; sent++ {
		h, err := c.exchange(req, keep, deadline)
		if err != nil || h.location == "" || sent == maxRedirects {
			return answer{status: h.status, retryAfter: h.retryAfter}, err
		}
		next, ok := c.redirect(req, h.status, h.location)
		if !ok {
			return answer{status: h.status, retryAfter: h.retryAfter}, nil
		}
		req = next
	}
}

// redirect returns the request a redirect answer asks for, if it stays on
// this host: 307 and 308 repeat the method and body, 301, 302 and 303 turn
// anything but HEAD into a GET without a body, as browsers and net/http do.
func (c *http1Conn) redirect(req http1Request, status int, location string) (http1Request, bool) {
	if status != 301 && status != 302 && status != 303 && status != 307 && status != 308 {
		return req, false
	}
	base, err := url.ParseRequestURI(req.path)
	if err != nil {
		return req, false
	}
	base.Scheme, base.Host = c.scheme, c.host
	u, err := base.Parse(location)
	if err != nil || u.Scheme != c.scheme || dialAddr(u) != c.addr {
		return req, false
	}
	req.path = u.RequestURI()
	if status <= 303 && req.method != "HEAD" {
		req.method, req.body, req.bodyless = "GET", nil, true
	}
	return req, true
}

// exchange makes one request on the connection, dialling when there is
// none, and once more on a new connection when a reused one turns out to
// have been closed by the server before it could read the request.
func (c *http1Conn) exchange(req http1Request, keep *statusSet, deadline time.Time) (responseHead, error) {
	if c.conn != nil {
		c.conn.SetDeadline(deadline)
		if !c.alive() {
			c.close()
		}
	}
	reused := c.conn != nil
	h, failed, err := c.try(req, keep, deadline)
	switch {
	case reused && failed != answerBegun:
		c.guard.closed()
		if (failed == requestUnread || replayable(req.method)) && time.Now().Before(deadline) {
			h, _, err = c.try(req, keep, deadline)
		}
	case reused:
		c.guard.kept()
	}
	if c.guard.fresh() {
		c.close()
	}
	return h, err
}

// How far an exchange got before it failed, for the decision to resend on
// a new connection: a request the server cannot have read is sent again
// whatever its method; one it may have read, only when net/http would
// replay it (a GET, say); one that was being answered, never.
type failure uint8

const (
	answerBegun   failure = iota // a byte of the answer arrived, or nothing failed
	noAnswer                     // the connection dropped before a byte of the answer
	requestUnread                // ... and the server's side had closed before our request could be read
)

// replayable are the methods net/http sends again after a dropped connection.
func replayable(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// alive reports whether a kept connection can carry the next request: no
// bytes are left over from the last answer, and one non-blocking look
// finds that the server has neither closed it nor sent bytes unasked
// (bytes either way are a protocol event). That look costs a system call
// per request; it catches the server that closes after every answer
// without saying so, which would otherwise cost a failed attempt per
// request, and an error where the drop cannot show that the request went
// unread. Over TLS, bytes on an idle connection are records the server
// sent on its own, which idleRecords reads. It never waits: it is part of
// the measured request.
func (c *http1Conn) alive() bool {
	if c.rr.br.Buffered() > 0 {
		c.events.Add(1)
		return false
	}
	open, unasked := c.probe.quiet()
	if c.conn != c.tcp && (unasked || c.records.buffered() > 0) {
		open, unasked = c.idleRecords()
	}
	switch {
	case unasked:
		c.events.Add(1)
	case !open:
		c.guard.closed()
	}
	return open
}

// idleRecords lets the TLS connection read the records a server sent on
// the idle connection, as far as they have arrived (a record still
// arriving is read on with the answer): a close_notify alert (it is
// closing it: not open), a message of the TLS protocol itself such as a
// new session ticket or a key update (handled: open), or bytes of an
// answer nobody asked for (unasked).
func (c *http1Conn) idleRecords() (open, unasked bool) {
	c.records.src.arrivedOnly = true
	_, err := c.rr.br.Peek(1)
	c.records.src.arrivedOnly = false
	switch {
	case err == nil:
		return false, true
	case errors.Is(err, errNotArrived):
		return true, false
	default:
		return false, false
	}
}

// try is one attempt; the status is 0 when no status line arrived, and
// failed says how far it got.
func (c *http1Conn) try(req http1Request, keep *statusSet, deadline time.Time) (h responseHead, failed failure, err error) {
	fresh := c.conn == nil
	if fresh {
		if err := c.dial(deadline); err != nil {
			return responseHead{}, noAnswer, err
		}
	}
	c.wbuf = appendRequest(c.wbuf[:0], req, c.host)
	if _, err := c.conn.Write(c.wbuf); err != nil {
		c.close()
		return responseHead{}, requestUnread, err // the connection was gone before the request was out
	}
	if _, err := c.rr.br.Peek(1); err != nil {
		failed = noAnswer
		if errors.Is(err, io.EOF) && resetFollows(c.tcp) {
			failed = requestUnread
			err = fmt.Errorf("%w after the server closed the connection", syscall.ECONNRESET)
		}
		if fresh && c.noALPN {
			err = noALPNError{err}
		}
		c.close()
		return responseHead{}, failed, err
	}
	h, err = c.rr.read(req.method, keep, &c.kept)
	if err != nil || h.closeAfter {
		c.close()
	}
	return h, answerBegun, err
}

// noALPNError is the failure of the first request on a TLS connection
// whose server agreed to no protocol by ALPN and then closed it without
// answering, as a server that speaks HTTP/2 alone does to an HTTP/1.1
// client, and as an overloaded HTTP/1.1 server without ALPN may: its
// message is its cause's with that hint, and its kind is its cause's.
type noALPNError struct{ err error }

func (e noALPNError) Error() string {
	return e.err.Error() + ": the server agreed to no protocol by ALPN; it may speak HTTP/2 alone"
}

func (e noALPNError) Unwrap() error { return e.err }

// resetFollows reports whether, after an end of file on conn, the reset our
// request meets at the server's closed socket arrives within a few
// milliseconds: the server closed before it could read the request (see
// closedBeforeRequest). On loopback it takes microseconds; later than that,
// the request counts as one the server may have read.
func resetFollows(conn net.Conn) bool {
	for range 20 {
		if closedBeforeRequest(conn) {
			return true
		}
		nanosleep(100 * time.Microsecond)
	}
	return false
}

// dial makes the connection, its TLS handshake included, before deadline.
func (c *http1Conn) dial(deadline time.Time) error {
	conn, tcp, err := c.connector.connect(context.Background(), c.addr, deadline, c.underTLS, c.log)
	if err != nil {
		return err
	}
	conn.SetDeadline(deadline)
	c.conn, c.tcp = conn, tcp
	t, ok := conn.(*tls.Conn)
	c.noALPN = ok && t.ConnectionState().NegotiatedProtocol == ""
	c.probe.attach(tcp)
	if c.rr.br == nil {
		c.rr.br = bufio.NewReaderSize(conn, http1ReadBuffer)
	} else {
		c.rr.br.Reset(conn)
	}
	return nil
}

// underTLS puts c.records beneath a TLS connection over tcp.
func (c *http1Conn) underTLS(tcp net.Conn) net.Conn {
	c.records.reset(tcp)
	return &c.records
}

// close closes the connection; over TLS, without a close_notify alert,
// which could wait on a server that reads nothing more.
func (c *http1Conn) close() {
	if c.conn != nil {
		c.tcp.Close()
		c.conn, c.tcp = nil, nil
	}
}

// appendRequest writes req for host to b.
func appendRequest(b []byte, req http1Request, host string) []byte {
	b = append(b, req.method...)
	b = append(b, ' ')
	b = append(b, req.path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\n"...)
	b = append(b, req.header...)
	if req.idHeader != "" && req.requestID != "" {
		b = append(b, req.idHeader...)
		b = append(b, ": "...)
		b = append(b, req.requestID...)
		b = append(b, "\r\n"...)
	}
	if req.body != nil || !req.bodyless {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(req.body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, req.body...)
}

// answer is what a worker needs of a response besides its body.
type answer struct {
	status     int
	retryAfter string // the Retry-After header, if any
}
