package runner

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
)

// tlsRecordHeader is the length of a TLS record's header: type, version,
// and the length of what follows.
const tlsRecordHeader = 5

// recordConn sits between a worker's TLS connection and the TCP connection
// beneath: it reads the socket in large pieces but hands crypto/tls no more
// than the rest of the current record. Bytes the server sent past the
// record that ended an answer thus stay in its buffer, where alive sees
// them (crypto/tls's own buffer cannot be looked into). Writes go straight
// to the TCP connection.
type recordConn struct {
	net.Conn
	src  socket // what br reads from: the same TCP connection
	br   *bufio.Reader
	left int // bytes of the current record still to hand over; 0: a header comes next
}

// socket is the TCP connection beneath a recordConn, as its buffer reads
// it: while arrivedOnly is set, a read takes only what has arrived, and
// fails with errNotArrived where it would wait.
type socket struct {
	net.Conn
	arrivedOnly bool
}

func (s *socket) Read(p []byte) (int, error) {
	if s.arrivedOnly {
		return readArrived(s.Conn, p)
	}
	return s.Conn.Read(p)
}

// errNotArrived is a read of a socket that would have waited for bytes
// to arrive. It is a timeout, so that crypto/tls reads on later.
var errNotArrived error = notArrivedError{}

type notArrivedError struct{}

func (notArrivedError) Error() string   { return "nothing more has arrived" }
func (notArrivedError) Timeout() bool   { return true }
func (notArrivedError) Temporary() bool { return true }

// reset makes r read from tcp, from the start of a record.
func (r *recordConn) reset(tcp net.Conn) {
	r.Conn, r.src.Conn, r.left = tcp, tcp, 0
	if r.br == nil {
		r.br = bufio.NewReaderSize(&r.src, http1ReadBuffer)
	} else {
		r.br.Reset(&r.src)
	}
}

func (r *recordConn) Read(p []byte) (int, error) {
	if r.left == 0 {
		h, err := r.br.Peek(tlsRecordHeader)
		switch {
		case err == nil:
			r.left = tlsRecordHeader + int(binary.BigEndian.Uint16(h[3:]))
		case len(h) == 0 || isTimeout(err):
			// Nothing is consumed: crypto/tls reads again after a
			// timeout, and the header's first bytes must still be there.
			return 0, err
		default:
			r.left = len(h) // what came before the failure, then the failure
		}
	}
	n, err := r.br.Read(p[:min(len(p), r.left)])
	r.left -= n
	return n, err
}

// isTimeout reports whether err is a timeout, after which a connection
// may be read again.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// buffered is the number of bytes read from the socket and not yet handed
// over.
func (r *recordConn) buffered() int { return r.br.Buffered() }
