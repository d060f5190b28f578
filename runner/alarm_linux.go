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
// and nanosleep holds its thread, which with one core is the thread the
// workers need; the timerfd does neither: the poller wakes when it fires,
// whatever else it waits for. An alarm is for one goroutine at a time. One
// that could not be made sleeps with a Go timer.
type alarm struct {
	raw    syscall.RawConn // the timerfd, registered with the poller; nil: none
	file   *os.File
	spec   unix.ItimerSpec
	armed  bool    // in the current sleep
	failed bool    // the current sleep's timer could not be armed or read
	buf    [8]byte // the count of expirations a read returns
	// expired is a.readExpired, made once: RawConn.Read calls it first to
	// arm the timer (readiness is reset just before), then to read it out.
	expired func(fd uintptr) bool
}

// newAlarm makes an alarm; close it when done.
func newAlarm() *alarm {
	a := &alarm{}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return a
	}
	a.file = os.NewFile(uintptr(fd), "timerfd")
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
	until := time.Now().Add(d)
	if a.raw != nil {
		a.spec.Value = unix.NsecToTimespec(int64(d))
		a.armed, a.failed = false, false
		if a.raw.Read(a.expired) == nil && !a.failed {
			return
		}
	}
	time.Sleep(time.Until(until))
}

// readExpired arms the timer on its first call of a sleep and waits (false);
// later it reads the timer out once it has expired. On an error it gives up
// (true), marking the sleep failed.
func (a *alarm) readExpired(fd uintptr) bool {
	if !a.armed {
		if unix.TimerfdSettime(int(fd), 0, &a.spec, nil) != nil {
			a.failed = true
			return true
		}
		a.armed = true
		return false
	}
	switch _, err := unix.Read(int(fd), a.buf[:]); err {
	case nil:
		return true
	case unix.EAGAIN, unix.EINTR:
		return false
	}
	a.failed = true
	return true
}

// close releases the timer.
func (a *alarm) close() {
	if a.file != nil {
		a.file.Close()
	}
}
