package runner

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestAlarmWaitsInThePoller: on Linux an alarm is a timerfd that the
// poller waits on, not the Go timer it falls back to: a wait through it
// arms the timer, waits for it to be readable, and reads it out.
func TestAlarmWaitsInThePoller(t *testing.T) {
	a := newAlarm()
	defer a.close()
	if a.raw == nil {
		t.Fatal("newAlarm made no timerfd")
	}
	a.spec.Value = unix.NsecToTimespec(1e6) // 1 ms
	if err := a.raw.Read(a.expired); err != nil || !a.armed || a.failed {
		t.Errorf("a wait on the timerfd: %v, armed %v, failed %v; want no error, armed, not failed", err, a.armed, a.failed)
	}
}
