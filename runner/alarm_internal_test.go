package runner

import (
	"testing"
	"time"
)

// TestAlarmSleeps: an alarm sleeps at least what it is asked, again and
// again (each sleep arms the timer anew and reads it out), and returns at
// once for nothing.
func TestAlarmSleeps(t *testing.T) {
	for _, a := range []*alarm{newAlarm(), {}} {
		for _, d := range []time.Duration{3 * time.Millisecond, 0, -time.Second, 200 * time.Microsecond, 3 * time.Millisecond} {
			start := time.Now()
			a.sleep(d)
			if took := time.Since(start); took < d {
				t.Errorf("alarm %+v: a sleep of %v took %v", a.raw != nil, d, took)
			}
		}
		a.close()
	}
}
