package runner

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// http1Conn is a worker's own keep-alive HTTP/1.1 connection to a plain
// http:// target: it writes each request in one piece and parses the answer
// from a buffered reader on the worker's goroutine, with a deadline for the
// timeout, so a request costs two system calls and almost no allocation
// (net/http's client hands every request between three goroutines). It
// follows redirects within the target's host, like NewClient's client. It is
// not safe for concurrent use.
type http1Conn struct {
	addr    string // host:port to dial
	host    string // the Host header: the target's host, port only when given
	timeout time.Duration
	conn    net.Conn
	br      *bufio.Reader
	wbuf    []byte
	idle    time.Time // when the connection last finished an exchange
	kept    limitedWriter
}

// Limits on what an answer may hold before it is a protocol error.
const (
	http1ReadBuffer  = 16 << 10 // also the longest status or header line
	http1MaxHeaders  = 256
	http1IdleRecheck = 50 * time.Millisecond // idle longer than this: check the server has not closed
)

var errMalformed = errors.New("malformed HTTP/1.1 response")

func newHTTP1Conn(target *url.URL, timeout time.Duration) *http1Conn {
	return &http1Conn{addr: dialAddr(target), host: target.Host, timeout: timeout}
}

// dialAddr is the host:port of an http:// URL.
func dialAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
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
	base.Scheme, base.Host = "http", c.host
	u, err := base.Parse(location)
	if err != nil || u.Scheme != "http" || dialAddr(u) != c.addr {
		return req, false
	}
	req.path = u.RequestURI()
	if status <= 303 && req.method != "HEAD" {
		req.method, req.body, req.bodyless = "GET", nil, true
	}
	return req, true
}

// exchange makes one request on the connection, dialling when there is none
// and once more when a reused connection turns out to be closed.
func (c *http1Conn) exchange(req http1Request, keep *statusSet, deadline time.Time) (responseHead, error) {
	if c.conn != nil && !c.alive() {
		c.close()
	}
	reused := c.conn != nil
	h, err := c.try(req, keep, deadline)
	if reused && dropped(err) && replayable(req.method) && time.Now().Before(deadline) {
		// The server closed the connection before answering a word: as
		// net/http does, send a replayable request again on a new one.
		h, err = c.try(req, keep, deadline)
	}
	return h, err
}

// dropped reports whether err says the connection went away before any
// byte of the answer arrived.
func dropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// replayable are the methods net/http sends again after a dropped connection.
func replayable(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// alive reports whether a kept connection can carry the next request: no
// bytes are left over from the last answer, and, after an idle spell, one
// non-blocking read finds the server has not closed it.
func (c *http1Conn) alive() bool {
	if c.br.Buffered() > 0 {
		return false
	}
	if time.Since(c.idle) <= http1IdleRecheck {
		return true
	}
	c.conn.SetReadDeadline(time.Time{}) // the last request's deadline may have passed
	return quiet(c.conn)
}

// try is one attempt; the status is 0 when no status line arrived.
func (c *http1Conn) try(req http1Request, keep *statusSet, deadline time.Time) (responseHead, error) {
	if c.conn == nil {
		if err := c.dial(deadline); err != nil {
			return responseHead{}, err
		}
	}
	c.conn.SetDeadline(deadline)
	c.wbuf = appendRequest(c.wbuf[:0], req, c.host)
	if _, err := c.conn.Write(c.wbuf); err != nil {
		c.close()
		return responseHead{}, err
	}
	h, err := readResponse(c.br, req.method, keep, &c.kept)
	if err != nil || h.closeAfter {
		c.close()
	} else {
		c.idle = time.Now()
	}
	return h, err
}

func (c *http1Conn) dial(deadline time.Time) error {
	conn, err := (&net.Dialer{Deadline: deadline, KeepAlive: 30 * time.Second}).Dial("tcp", c.addr)
	if err != nil {
		return err
	}
	c.conn = conn
	if c.br == nil {
		c.br = bufio.NewReaderSize(conn, http1ReadBuffer)
	} else {
		c.br.Reset(conn)
	}
	return nil
}

func (c *http1Conn) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
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
	if req.body != nil || !req.bodyless {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(req.body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, req.body...)
}

// readResponse reads one answer to a request with method: its head (a
// status of 0 when no status line arrived), with closeAfter set when the
// connection must close after it. The body is read to its end; when keep
// has the status, kept gets its first maxBodyBytes. Interim 1xx answers are
// skipped.
func readResponse(br *bufio.Reader, method string, keep *statusSet, kept *limitedWriter) (h responseHead, err error) {
	kept.w.Reset()
	for {
		if h, err = readHead(br); err != nil {
			h.closeAfter = true
			return h, err
		}
		if h.status >= 200 || h.status == 101 {
			break
		}
	}
	if h.encoded && h.contentLength >= 0 {
		h.closeAfter = true // framed two ways: read it as chunked, then trust the connection no more
	}
	var sink *limitedWriter // nil: discard
	if keep.has(h.status) {
		kept.left, sink = maxBodyBytes, kept
	}
	switch {
	case h.status == 101:
		h.closeAfter = true // the connection now speaks another protocol
	case method == "HEAD" || h.status == 204 || h.status == 304:
	case h.chunked:
		err = readChunked(br, sink)
	case h.contentLength >= 0 && !h.encoded:
		err = copyBody(br, sink, h.contentLength)
	default: // also a Transfer-Encoding that does not end in chunked (RFC 9112 §6.3)
		_, err = io.Copy(sink.orDiscard(), br)
		h.closeAfter = true
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	h.closeAfter = h.closeAfter || err != nil
	return h, err
}

// answer is what a worker needs of a response besides its body.
type answer struct {
	status     int
	retryAfter string // the Retry-After header, if any
}

// copyBody moves n bytes of body from br to sink (nil: discards them).
func copyBody(br *bufio.Reader, sink *limitedWriter, n int64) error {
	if sink == nil {
		for n > 0 {
			d, err := br.Discard(int(min(n, 1<<30)))
			if err != nil {
				return err
			}
			n -= int64(d)
		}
		return nil
	}
	_, err := io.CopyN(sink, br, n)
	return err
}

// responseHead is what an answer's status line and headers say.
type responseHead struct {
	status        int
	contentLength int64 // -1: not given
	encoded       bool  // a Transfer-Encoding was given: it overrides Content-Length
	chunked       bool  // ... and ends in chunked
	closeAfter    bool
	location      string
	retryAfter    string
}

func readHead(br *bufio.Reader) (h responseHead, err error) {
	h = responseHead{contentLength: -1}
	line, err := readLine(br)
	if err != nil {
		return h, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return h, fmt.Errorf("%w: status line %q", errMalformed, truncate(line))
	}
	http10 := line[7] == '0'
	var sawClose, sawKeepAlive bool
	defer func() {
		// HTTP/1.0 closes unless it says keep-alive, and always with a
		// Transfer-Encoding (RFC 9112 §6.1); "close" closes in any version.
		h.closeAfter = sawClose || http10 && (!sawKeepAlive || h.encoded)
	}()
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil || code < 100 || code > 999 || (len(line) > 12 && line[12] != ' ') {
		return h, fmt.Errorf("%w: status line %q", errMalformed, truncate(line))
	}
	h.status = code
	for n := 0; ; n++ {
		line, err := readLine(br)
		if err != nil {
			return h, err
		}
		if len(line) == 0 {
			return h, nil
		}
		if n == http1MaxHeaders {
			return h, fmt.Errorf("%w: more than %d header lines", errMalformed, http1MaxHeaders)
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return h, fmt.Errorf("%w: header line %q", errMalformed, truncate(line))
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseDigits(value)
			if !ok || (h.contentLength >= 0 && n != h.contentLength) {
				return h, fmt.Errorf("%w: Content-Length %q", errMalformed, truncate(value))
			}
			h.contentLength = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			h.encoded = true
			h.chunked = bytes.EqualFold(lastToken(value), []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			for rest := value; len(rest) > 0; {
				var token []byte
				token, rest, _ = bytes.Cut(rest, []byte(","))
				token = bytes.TrimSpace(token)
				sawClose = sawClose || bytes.EqualFold(token, []byte("close"))
				sawKeepAlive = sawKeepAlive || bytes.EqualFold(token, []byte("keep-alive"))
			}
		case bytes.EqualFold(name, []byte("Location")):
			h.location = string(value)
		case bytes.EqualFold(name, []byte("Retry-After")):
			h.retryAfter = string(value)
		}
	}
}

// parseDigits reads a non-negative decimal of digits only (no sign, no
// spaces), as Content-Length must be.
func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func lastToken(value []byte) []byte {
	if i := bytes.LastIndexByte(value, ','); i >= 0 {
		value = value[i+1:]
	}
	return bytes.TrimSpace(value)
}

// readChunked moves a chunked body to sink (nil: discards it) and reads its
// trailer.
func readChunked(br *bufio.Reader, sink *limitedWriter) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i] // a chunk extension
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("%w: chunk size %q", errMalformed, truncate(line))
		}
		if size == 0 {
			for { // the trailer, up to an empty line
				line, err := readLine(br)
				if err != nil || len(line) == 0 {
					return err
				}
			}
		}
		if err := copyBody(br, sink, size); err != nil {
			return err
		}
		if line, err := readLine(br); err != nil || len(line) != 0 {
			return cmpErr(err, fmt.Errorf("%w: no CRLF after a chunk", errMalformed))
		}
	}
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// readLine returns the next line without its CRLF (or LF). The slice is
// valid until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%w: a line longer than %d bytes", errMalformed, http1ReadBuffer)
	}
	if errors.Is(err, io.EOF) && len(line) > 0 {
		return nil, io.ErrUnexpectedEOF // part of a line, then the end
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// limitedWriter keeps the first left bytes written to it and drops the rest.
type limitedWriter struct {
	w    *bytes.Buffer
	left int
}

// orDiscard is l as a Writer, or io.Discard when l is nil.
func (l *limitedWriter) orDiscard() io.Writer {
	if l == nil {
		return io.Discard
	}
	return l
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.left > 0 {
		n := min(len(p), l.left)
		l.w.Write(p[:n])
		l.left -= n
	}
	return len(p), nil
}
