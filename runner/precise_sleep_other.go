//go:build !linux

package runner

import "time"

// nanosleep sleeps for d; off Linux it is time.Sleep.
func nanosleep(d time.Duration) { time.Sleep(d) }
