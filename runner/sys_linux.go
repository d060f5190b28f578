package runner

import (
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// nanosleep blocks the calling thread for d with the kernel's high-resolution
// timer (tens of microseconds late at most), where a Go timer can wake up to
// a millisecond late when the process is otherwise idle.
func nanosleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}

// closeProbe tells, with one non-blocking look (a read that leaves what it
// finds in the socket, so that a TLS connection's records stay whole),
// whether the server has closed a connection or sent bytes on it unasked.
// Attached to each new TCP connection, it does not allocate per look.
type closeProbe struct {
	raw     syscall.RawConn
	look    func(fd uintptr) bool
	nothing bool // the read would have blocked
	sent    bool // the read found a byte
	b       [1]byte
}

func (p *closeProbe) attach(conn net.Conn) {
	p.raw = nil
	if sc, ok := conn.(syscall.Conn); ok {
		p.raw, _ = sc.SyscallConn()
	}
	if p.look == nil {
		p.look = func(fd uintptr) bool {
			n, _, err := syscall.Recvfrom(int(fd), p.b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			p.nothing, p.sent = err == syscall.EAGAIN, n > 0
			return true // never wait: one look is enough
		}
	}
}

// quiet reports whether the connection is open with nothing to read, and
// whether the server sent bytes nobody asked for.
func (p *closeProbe) quiet() (open, unasked bool) {
	if p.raw == nil {
		return false, false
	}
	p.nothing, p.sent = false, false
	err := p.raw.Read(p.look)
	return err == nil && p.nothing, err == nil && p.sent
}

// closedBeforeRequest reports, after a read of conn found the end of file,
// whether the server's socket was closed before our request could be read:
// its end of file came first, and then, our request arriving at a closed
// socket, a reset (the kernel keeps that as a broken pipe). A server that
// read the request and then reset the connection leaves a plain reset, or
// nothing. Call it before closing conn.
func closedBeforeRequest(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var pending int
	raw.Control(func(fd uintptr) {
		pending, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR)
	})
	return pending == int(syscall.EPIPE)
}

// readArrived reads into p what has arrived on conn's socket without
// waiting, failing with errNotArrived when nothing has.
func readArrived(conn net.Conn, p []byte) (int, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return 0, errNotArrived
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var readErr error
	if err := raw.Read(func(fd uintptr) bool {
		n, readErr = syscall.Read(int(fd), p)
		return true // never wait
	}); err != nil {
		return 0, err
	}
	switch {
	case readErr == syscall.EAGAIN || readErr == syscall.EINTR:
		return 0, errNotArrived
	case readErr != nil:
		return 0, os.NewSyscallError("read", readErr)
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}
