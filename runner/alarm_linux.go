package runner

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// alarm sleeps a goroutine for a short time with the kernel's
// high-resolution timer: a timerfd that the Go runtime's network poller
// waits on. A Go timer can wake up to a millisecond late when the process
// is otherwise idle (the poller's own timeout is in whole milliseconds),
// and nanosleep holds a thread, with one core the core the workers need; a
// timerfd does neither: the poller wakes when it fires, whatever else it
// waits for. An alarm is for one goroutine at a time. One that could not
// be made sleeps with a Go timer.
type alarm struct {
	fd    int
	raw   syscall.RawConn // fd, registered with the poller; nil: no timerfd
	file  *os.File
	spec  unix.ItimerSpec
	armed bool    // in the current sleep
	buf   [8]byte // the count of expirations a read returns
	// expired is a.expired, made once: RawConn.Read calls it first to arm
	// the timer (readiness is reset just before), then to read it out.
	expired func(fd uintptr) bool
}

// newAlarm makes an alarm; close it when done.
func newAlarm() *alarm {
	a := &alarm{}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return a
	}
	a.fd, a.file = fd, os.NewFile(uintptr(fd), "timerfd")
	if a.raw, err = a.file.SyscallConn(); err != nil {
		a.file.Close()
		a.raw, a.file = nil, nil
	}
	a.expired = a.readExpired
	return a
}

// sleep returns after d.
func (a *alarm) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	if a.raw != nil {
		a.spec.Value = unix.NsecToTimespec(int64(d))
		a.armed = false
		if a.raw.Read(a.expired) == nil && a.armed {
			return
		}
	}
	time.Sleep(d)
}

// readExpired arms the timer on its first call of a sleep and waits (false);
// later it reports whether the timer has expired, reading it out.
func (a *alarm) readExpired(fd uintptr) bool {
	if !a.armed {
		if unix.TimerfdSettime(int(fd), 0, &a.spec, nil) != nil {
			return true // not armed: sleep falls back to a Go timer
		}
		a.armed = true
		return false
	}
	_, err := unix.Read(int(fd), a.buf[:])
	return err != unix.EAGAIN && err != unix.EINTR
}

// close releases the timer.
func (a *alarm) close() {
	if a.file != nil {
		a.file.Close()
	}
}
