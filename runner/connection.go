package runner

import (
	"fmt"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Connection is the set-up of one connection a worker made: how long its
// TCP connect took and, over TLS, its handshake, and whether that handshake
// resumed an earlier session (no certificate exchanged).
type Connection struct {
	Connect   time.Duration
	Handshake time.Duration // zero without TLS
	TLS       bool
	Resumed   bool
}

// setup is how long the connection took to make, all steps together.
func (c Connection) setup() time.Duration { return c.Connect + c.Handshake }

// ConnectionStats is the set-up of the connections made for an endpoint's
// requests, one value per connection (not per request): the connect and
// TLS handshake times in microseconds, of the latency geometry.
type ConnectionStats struct {
	Connect   *hdrhistogram.Histogram // TCP connect time, one per connection made
	Handshake *hdrhistogram.Histogram // TLS handshake time, one per connection made over TLS
	Resumed   int64                   // handshakes that resumed an earlier session
}

// NewConnectionStats returns empty connection statistics.
func NewConnectionStats() *ConnectionStats {
	return &ConnectionStats{Connect: NewLatencyHistogram(), Handshake: NewLatencyHistogram()}
}

// Made is the number of connections made.
func (c *ConnectionStats) Made() int64 { return c.Connect.TotalCount() }

// Handshakes is the number of TLS handshakes made.
func (c *ConnectionStats) Handshakes() int64 { return c.Handshake.TotalCount() }

// record adds one connection.
func (c *ConnectionStats) record(conn Connection) {
	c.Connect.RecordValue(clampMicros(conn.Connect))
	if conn.TLS {
		c.Handshake.RecordValue(clampMicros(conn.Handshake))
		if conn.Resumed {
			c.Resumed++
		}
	}
}

// merge adds other's connections into c.
func (c *ConnectionStats) merge(other *ConnectionStats) error {
	c.Resumed += other.Resumed
	if dropped := c.Connect.Merge(other.Connect) + c.Handshake.Merge(other.Handshake); dropped != 0 {
		return fmt.Errorf("merging connection time histograms dropped %d values", dropped)
	}
	return nil
}

// connLog holds the set-up of the connections made for a worker's
// requests until the worker records them with its request. It is safe for
// concurrent use: net/http dials on goroutines of its own.
type connLog struct {
	mu   sync.Mutex
	made []Connection
}

func (l *connLog) add(c Connection) {
	l.mu.Lock()
	l.made = append(l.made, c)
	l.mu.Unlock()
}

// take appends the connections logged to dst, empties the log, and
// returns dst.
func (l *connLog) take(dst []Connection) []Connection {
	l.mu.Lock()
	dst = append(dst, l.made...)
	l.made = l.made[:0]
	l.mu.Unlock()
	return dst
}
