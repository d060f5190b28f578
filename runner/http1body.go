package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// net/http's limits on a chunked body, which the fast client keeps too.
const (
	chunkLineMax      = 4 << 10  // a chunk-size line, extensions included, is shorter than this
	chunkTrailerMax   = 4 << 10  // the trailer and its final blank line end within this many bytes
	chunkOverheadMax  = 16 << 10 // chunk framing (size lines, extensions) beyond 16 bytes plus twice the data a chunk carries
	chunkSizeMaxDigit = 16       // hex digits of a chunk size
)

// chunked moves a chunked body to sink (nil: discards it) and reads its
// trailer, with net/http's rules: lines end in CRLF, a size of at most 16
// hex digits, extensions after ';' ignored but bounded.
func (r *responseReader) chunked(sink *limitedWriter) error {
	var overhead int64
	for {
		line, err := r.chunkLine()
		if err != nil {
			return err
		}
		overhead += int64(len(line)) + 2
		digits, _, _ := bytes.Cut(bytes.TrimRight(line, " \t"), []byte(";"))
		size, ok := parseChunkSize(digits)
		if !ok {
			return fmt.Errorf("%w: chunk size %q", errMalformed, truncate(line))
		}
		if overhead = max(overhead-16-2*int64(size), 0); overhead > chunkOverheadMax {
			return fmt.Errorf("%w: chunked encoding contains too much non-data", errMalformed)
		}
		if size == 0 {
			return r.trailer()
		}
		if err := copyBody(r.br, sink, int64(min(size, 1<<62))); err != nil {
			return err
		}
		var crlf [2]byte
		if _, err := io.ReadFull(r.br, crlf[:]); err != nil {
			return err
		}
		if string(crlf[:]) != "\r\n" {
			return fmt.Errorf("%w: no CRLF after a chunk", errMalformed)
		}
	}
}

// chunkLine returns a chunk-size line without its CRLF.
func (r *responseReader) chunkLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmt.Errorf("%w: chunk-size line too long", errMalformed)
	case err != nil:
		return nil, err
	case len(line) < 2 || bytes.IndexByte(line, '\r') != len(line)-2:
		return nil, fmt.Errorf("%w: chunk-size line not ended by CRLF", errMalformed)
	case len(line)-2 >= chunkLineMax:
		return nil, fmt.Errorf("%w: chunk-size line too long", errMalformed)
	}
	return line[:len(line)-2], nil
}

// parseChunkSize reads 1 to 16 hex digits.
func parseChunkSize(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > chunkSizeMaxDigit {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(c)
	}
	return n, true
}

// trailer reads the header lines after a chunked body: none, or header
// lines whose blank line ends within chunkTrailerMax bytes.
func (r *responseReader) trailer() error {
	b, err := r.br.Peek(2)
	switch {
	case string(b) == "\r\n":
		_, err = r.br.Discard(2)
		return err
	case len(b) < 2:
		return cmpErr(err, io.ErrUnexpectedEOF)
	}
	for n := 4; !bytes.Contains(b, []byte("\r\n\r\n")); n = max(len(b)+1, r.br.Buffered()) {
		if err != nil || len(b) == chunkTrailerMax {
			return fmt.Errorf("%w: trailer too long or not ended", errMalformed)
		}
		b, err = r.br.Peek(min(n, chunkTrailerMax)) // waits for n bytes, no more
	}
	return r.fields(nil, nil)
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
