package runner

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
)

// scriptedConn is a net.Conn whose reads return, in turn, the pieces of
// its script: some bytes, or an error.
type scriptedConn struct {
	net.Conn
	script []scriptedRead
}

type scriptedRead struct {
	data []byte
	err  error
}

func (c *scriptedConn) Read(p []byte) (int, error) {
	if len(c.script) == 0 {
		return 0, io.EOF
	}
	step := &c.script[0]
	if step.err != nil {
		c.script = c.script[1:]
		return 0, step.err
	}
	n := copy(p, step.data)
	if step.data = step.data[n:]; len(step.data) == 0 {
		c.script = c.script[1:]
	}
	return n, nil
}

// TestRecordConnTimeoutInHeader: a read deadline that passes after the first
// bytes of a record's header consumes nothing (crypto/tls reads again after
// a timeout), so that the next read hands over the whole record and the one
// after it the next, each whole. Any other failure in the middle of a header
// hands over the bytes before it, then the failure.
func TestRecordConnTimeoutInHeader(t *testing.T) {
	first := []byte{23, 3, 3, 0, 3, 'a', 'b', 'c'}
	second := []byte{23, 3, 3, 0, 2, 'd', 'e'}
	var r recordConn
	r.reset(&scriptedConn{script: []scriptedRead{
		{data: first[:2]}, {err: os.ErrDeadlineExceeded}, {data: append(first[2:], second...)},
	}})
	p := make([]byte, 64)
	if n, err := r.Read(p); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the read that timed out in a header: %d bytes (%q), %v; want 0 and the timeout", n, p[:n], err)
	}
	for _, want := range [][]byte{first, second} {
		if n, err := r.Read(p); err != nil || !bytes.Equal(p[:n], want) {
			t.Fatalf("after the timeout: %q, %v; want the record %q", p[:n], err, want)
		}
	}

	r.reset(&scriptedConn{script: []scriptedRead{{data: first[:2]}}}) // then the end of the stream
	if n, err := r.Read(p); err != nil || !bytes.Equal(p[:n], first[:2]) {
		t.Fatalf("a header cut short: %q, %v; want its 2 bytes", p[:n], err)
	}
	if n, err := r.Read(p); n != 0 || err != io.EOF {
		t.Errorf("after a header cut short: %d bytes, %v; want the failure", n, err)
	}
}
