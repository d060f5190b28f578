//go:build !linux

package runner

import "time"

// alarm sleeps a goroutine with a Go timer off Linux.
type alarm struct{}

func newAlarm() *alarm { return &alarm{} }

func (a *alarm) sleep(d time.Duration) { time.Sleep(d) }

func (a *alarm) close() {}
