package runner

import (
	"fmt"
	"syscall"
	"testing"
	"time"

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

// BenchmarkAlarmWake: what one timed wake of an otherwise idle process
// costs it in CPU (user and system time over the wakes), and how late it
// wakes, on the alarm and on a Go timer, for gaps between wakes as the open
// model's at 30,000/s, 10,000/s and 1,000/s. This is the floor under the
// open model's cost at an idle rate: every arrival is at least one such
// wake.
func BenchmarkAlarmWake(b *testing.B) {
	cpu := func() time.Duration {
		var u syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &u)
		return time.Duration(u.Utime.Nano() + u.Stime.Nano())
	}
	for _, gap := range []time.Duration{33 * time.Microsecond, 100 * time.Microsecond, time.Millisecond} {
		for _, timer := range []string{"alarm", "go"} {
			b.Run(fmt.Sprintf("%s/%s", timer, gap), func(b *testing.B) {
				a := &alarm{} // a Go timer
				if timer == "alarm" {
					if a = newAlarm(); a.raw == nil {
						b.Fatal("newAlarm made no timerfd")
					}
				}
				defer a.close()
				var late time.Duration
				begin, used := time.Now(), cpu()
				b.ResetTimer()
				for i := 1; i <= b.N; i++ {
					at := begin.Add(time.Duration(i) * gap)
					a.sleep(time.Until(at))
					late += time.Since(at)
				}
				b.ReportMetric(float64((cpu()-used).Microseconds())/float64(b.N), "cpu-µs/wake")
				b.ReportMetric(float64(late.Microseconds())/float64(b.N), "late-µs/wake")
			})
		}
	}
}
