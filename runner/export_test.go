package runner

import "time"

// SetFirstRetryWait replaces the first wait of the retry back-off for the
// test's length, so that a test sees a back-off of many steps quickly.
func SetFirstRetryWait(t interface{ Cleanup(func()) }, d time.Duration) {
	saved := firstRetryWait
	firstRetryWait = d
	t.Cleanup(func() { firstRetryWait = saved })
}
