package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// The fast client reads answers as net/http's http.ReadResponse and
// Transport do, so that its verdict on the same bytes is net/http's, over
// TCP and over TLS (FuzzResponseParsers and FuzzResponseParsersOverTLS
// check it). The head's
// size is bounded by maxResponseHeaderBytes; http1body.go reads bodies.
const (
	http1ReadBuffer = 16 << 10 // the reader's buffer; a longer head line is put together in responseReader.long
	longLineKept    = 64 << 10 // a put-together line buffer larger than this is let go after the answer
)

var (
	errMalformed    = errors.New("malformed HTTP/1.1 response")
	errHeadTooLarge = fmt.Errorf("server response headers exceeded %d bytes", maxResponseHeaderBytes)
)

// responseReader reads a connection's answers. A head line longer than the
// buffer is put together in long: memory within an answer is bounded by
// maxResponseHeaderBytes, as net/http's is, and between answers by the
// buffer and longLineKept.
type responseReader struct {
	br       *bufio.Reader
	long     []byte // a head line longer than br's buffer
	folded   []byte // a header value continued on further lines (obsolete folding)
	lengthAt []byte // the first Content-Length value, to compare later ones with
	left     int    // head bytes the answer may still use
}

// responseHead is what an answer's status line and headers say.
type responseHead struct {
	status        int
	contentLength int64 // -1: not given
	chunked       bool
	closeAfter    bool
	location      string
	retryAfter    string
}

// headFields is what reading a head's header lines gathers besides the
// responseHead.
type headFields struct {
	major, minor    int
	transferLines   int    // Transfer-Encoding header lines
	chunkedOnly     bool   // ... and the last one says exactly "chunked"
	badTrailer      bool   // a Trailer header names a framing header
	close           bool   // a Connection header has "close"
	keepAlive       bool   // ... or "keep-alive"
	lengthConflicts bool   // two Content-Length headers differ
	badLength       bool   // a Content-Length that is not a length
	badLengthText   []byte // ... the first one
}

// read reads one answer to a request with method: its head (a status of 0
// when no status line arrived), with closeAfter set when the connection
// must close after it. The body is read to its end; when keep has the
// status, kept gets its first maxBodyBytes. Interim 1xx answers but 101 are
// skipped; their heads count towards maxResponseHeaderBytes.
func (r *responseReader) read(method string, keep *statusSet, kept *limitedWriter) (h responseHead, err error) {
	kept.w.Reset()
	r.left = maxResponseHeaderBytes
	defer func() {
		if cap(r.long) > longLineKept {
			r.long = nil
		}
		if cap(r.folded) > longLineKept {
			r.folded = nil
		}
	}()
	for {
		if h, err = r.head(); err != nil {
			h.closeAfter = true
			return h, err
		}
		if h.status < 100 || h.status >= 200 || h.status == 101 {
			break
		}
	}
	var sink *limitedWriter // nil: discard
	if keep.has(h.status) {
		kept.left, sink = maxBodyBytes, kept
	}
	switch {
	case h.status == 101:
		h.closeAfter = true // the connection now speaks another protocol
	case method == "HEAD" || h.status >= 100 && h.status < 200 || h.status == 204 || h.status == 304:
	case h.chunked:
		err = r.chunked(sink)
	case h.contentLength >= 0:
		err = copyBody(r.br, sink, h.contentLength)
	default:
		_, err = io.Copy(sink.orDiscard(), r.br)
		h.closeAfter = true
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	h.closeAfter = h.closeAfter || err != nil
	return h, err
}

// head reads a status line and its header lines.
func (r *responseReader) head() (h responseHead, err error) {
	h = responseHead{contentLength: -1}
	line, err := r.headLine()
	if err != nil {
		return h, err
	}
	var f headFields
	if h.status, f.major, f.minor, err = parseStatusLine(line); err != nil {
		return h, err
	}
	if err := r.fields(&h, &f); err != nil {
		return h, err
	}
	http11 := f.major > 1 || f.major == 1 && f.minor >= 1
	if http11 && f.transferLines > 0 { // HTTP/1.0 ignores Transfer-Encoding, as net/http does
		if f.transferLines > 1 || !f.chunkedOnly {
			return h, fmt.Errorf("%w: unsupported Transfer-Encoding", errMalformed)
		}
		h.chunked = true
		h.closeAfter = h.contentLength >= 0 // framed two ways: read it as chunked, then trust the connection no more
	}
	switch {
	case f.badLength:
		return h, fmt.Errorf("%w: Content-Length %q is not a length", errMalformed, f.badLengthText)
	case f.lengthConflicts:
		return h, fmt.Errorf("%w: conflicting Content-Length headers", errMalformed)
	case h.chunked && f.badTrailer:
		return h, fmt.Errorf("%w: a Trailer header names a framing header", errMalformed)
	}
	if f.major == 1 && f.minor == 0 {
		h.closeAfter = h.closeAfter || f.close || !f.keepAlive
	} else {
		h.closeAfter = h.closeAfter || f.close || f.major < 1
	}
	return h, nil
}

// parseStatusLine reads "HTTP/1.1 200 OK" as http.ReadResponse does: a
// version HTTP/x.y, spaces, a code of three characters that strconv.Atoi
// reads as a number not below zero, and anything after a space.
func parseStatusLine(line []byte) (status, major, minor int, err error) {
	proto, rest, _ := bytes.Cut(line, []byte(" ")) // no space: no code either
	code, _, _ := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	status, ok := parseStatusCode(code)
	if ok {
		switch {
		case string(proto) == "HTTP/1.1":
			major, minor = 1, 1
		case string(proto) == "HTTP/1.0":
			major, minor = 1, 0
		default:
			major, minor, ok = http.ParseHTTPVersion(string(proto))
		}
	}
	if !ok {
		return 0, 0, 0, fmt.Errorf("%w: status line %q", errMalformed, truncate(line))
	}
	return status, major, minor, nil
}

// parseStatusCode reads three characters as strconv.Atoi would, without
// allocating, and accepts a result not below zero ("-00" is 0).
func parseStatusCode(b []byte) (int, bool) {
	if len(b) != 3 {
		return 0, false
	}
	digits, negative := b, b[0] == '-'
	if negative || b[0] == '+' {
		digits = b[1:]
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, !negative || n == 0
}

// fields reads header lines up to the blank line that ends them, as
// net/textproto's ReadMIMEHeader does: each a name of token characters (and
// spaces, which make it no header we know), a colon and a value of visible
// characters, spaces and tabs, continued on lines that begin with a space
// or a tab. It gathers the headers that frame the answer into h and f; f
// nil reads a chunked body's trailer, whose headers mean nothing here.
func (r *responseReader) fields(h *responseHead, f *headFields) error {
	if b, err := r.br.Peek(1); err == nil && isOWS(b[0]) {
		return fmt.Errorf("%w: headers begin with a space", errMalformed)
	}
	for {
		line, err := r.headLine()
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		if bytes.IndexByte(line, ':') < 0 {
			return fmt.Errorf("%w: header line %q", errMalformed, truncate(line))
		}
		if r.mayContinue() {
			if line, err = r.unfold(line); err != nil {
				return err
			}
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		if !validFieldName(name) || !validFieldValue(value) {
			return fmt.Errorf("%w: header line %q", errMalformed, truncate(line))
		}
		if f != nil {
			r.field(name, trimOWS(value), h, f)
		}
	}
}

// mayContinue reports whether the next line may continue the one just
// read: it begins with a space or a tab, or has not arrived yet (and
// reading it would move the line just read within the buffer).
func (r *responseReader) mayContinue() bool {
	if r.br.Buffered() == 0 {
		return true
	}
	b, _ := r.br.Peek(1)
	return isOWS(b[0])
}

// unfold returns line, trimmed, with the lines that continue it, each
// trimmed and joined by a space (obsolete line folding).
func (r *responseReader) unfold(line []byte) ([]byte, error) {
	r.folded = append(r.folded[:0], trimOWS(line)...)
	for {
		b, err := r.br.Peek(1)
		if err != nil || !isOWS(b[0]) {
			return r.folded, nil
		}
		more, err := r.headLine()
		if err != nil {
			return nil, err
		}
		r.folded = append(append(r.folded, ' '), trimOWS(more)...)
	}
}

// field notes one header of an answer's head.
func (r *responseReader) field(name, value []byte, h *responseHead, f *headFields) {
	switch {
	case bytes.EqualFold(name, []byte("Content-Length")):
		if h.contentLength >= 0 || f.badLength {
			f.lengthConflicts = f.lengthConflicts || !bytes.Equal(value, r.lengthAt)
			return
		}
		n, err := strconv.ParseUint(string(value), 10, 63)
		if err != nil {
			f.badLength, f.badLengthText = true, bytes.Clone(truncate(value)) // a copy: the line goes with the next read
			return
		}
		h.contentLength, r.lengthAt = int64(n), append(r.lengthAt[:0], value...)
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		f.transferLines++
		f.chunkedOnly = bytes.EqualFold(value, []byte("chunked"))
	case bytes.EqualFold(name, []byte("Trailer")):
		for _, key := range bytes.Split(value, []byte(",")) {
			key = trimOWS(key)
			for _, framing := range []string{"Transfer-Encoding", "Trailer", "Content-Length"} {
				f.badTrailer = f.badTrailer || bytes.EqualFold(key, []byte(framing))
			}
		}
	case bytes.EqualFold(name, []byte("Connection")):
		for _, token := range bytes.Split(value, []byte(",")) {
			token = trimOWS(token)
			f.close = f.close || bytes.EqualFold(token, []byte("close"))
			f.keepAlive = f.keepAlive || bytes.EqualFold(token, []byte("keep-alive"))
		}
	case bytes.EqualFold(name, []byte("Location")):
		h.location = string(value)
	case bytes.EqualFold(name, []byte("Retry-After")):
		h.retryAfter = string(value)
	}
}

// headLine returns the next line of a head without its LF or CRLF, valid
// until the next read, and charges it to the head's size.
func (r *responseReader) headLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) && len(r.long) <= r.left {
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	if r.left -= len(line); r.left < 0 {
		return nil, errHeadTooLarge
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

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS trims spaces and tabs, as HTTP trims a header value.
func trimOWS(b []byte) []byte { return bytes.Trim(b, " \t") }

// validFieldName reports a non-empty name of token characters and spaces
// (net/textproto accepts a space before the colon, and then leaves the
// name as it is: it names no header we know).
func validFieldName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c != ' ' && !tokenChars[c] {
			return false
		}
	}
	return true
}

// tokenChars holds the bytes that may make up an HTTP token.
var tokenChars = func() (t [256]bool) {
	for c := range 128 {
		t[c] = IsToken(string(rune(c)))
	}
	return t
}()

// validFieldValue reports a value of visible characters, spaces, tabs and
// bytes from 0x80.
func validFieldValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
