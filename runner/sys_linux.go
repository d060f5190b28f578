package runner

import (
	"net"
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

// quiet reports whether conn is open with nothing to read, with one
// non-blocking read: a connection the server closed reads end of file.
func quiet(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	nothing := false
	var b [1]byte
	err = raw.Read(func(fd uintptr) bool {
		_, errno := syscall.Read(int(fd), b[:])
		nothing = errno == syscall.EAGAIN
		return true // never wait: one look is enough
	})
	return err == nil && nothing
}

// peerReset reports whether a reset arrived on conn, which a read that
// found the end of file leaves unsaid: the server's socket was closed with
// data of ours unread, or before it arrived. Call it before closing conn.
func peerReset(conn net.Conn) bool {
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
	return pending == int(syscall.ECONNRESET) || pending == int(syscall.EPIPE)
}
