//go:build !linux

package runner

import (
	"net"
	"time"
)

// nanosleep sleeps for d; off Linux it is time.Sleep.
func nanosleep(d time.Duration) { time.Sleep(d) }

// closeProbe cannot look without blocking off Linux; it trusts the
// connection.
type closeProbe struct{}

func (p *closeProbe) attach(net.Conn) {}

func (p *closeProbe) quiet() (open, unasked bool) { return true, false }

// closedBeforeRequest cannot tell off Linux; it says no.
func closedBeforeRequest(net.Conn) bool { return false }

// readArrived cannot read without waiting off Linux: it reads nothing.
func readArrived(net.Conn, []byte) (int, error) { return 0, errNotArrived }
