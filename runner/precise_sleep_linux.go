package runner

import (
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
