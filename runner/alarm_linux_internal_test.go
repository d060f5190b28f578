package runner

import "testing"

// TestAlarmHasATimerfd: on Linux an alarm is a timerfd in the poller, not
// the Go timer it falls back to.
func TestAlarmHasATimerfd(t *testing.T) {
	a := newAlarm()
	defer a.close()
	if a.raw == nil {
		t.Fatal("newAlarm made no timerfd")
	}
	a.sleep(1)
	if !a.armed || a.failed {
		t.Errorf("a sleep left the timer armed %v, failed %v; want armed, not failed", a.armed, a.failed)
	}
}
