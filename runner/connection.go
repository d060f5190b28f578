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

// connRecorder is where a connector notes the connections it makes.
type connRecorder interface{ add(Connection) }

// connLog holds the connections made for the request a worker is sending,
// and how much of the request's time went into setting them up (left out of
// its latency). It is the worker's own, for its goroutine alone: the
// connections an exchange makes on it are added here directly; those
// net/http makes on its own goroutines come through a dialLog.
type connLog struct {
	made  []Connection
	setup time.Duration
}

// add notes a connection made on the worker's goroutine for its request,
// which waited for all of its set-up.
func (l *connLog) add(c Connection) {
	l.made = append(l.made, c)
	l.setup += c.setup()
}

// reset empties the log for the next request.
func (l *connLog) reset() {
	l.made = l.made[:0]
	l.setup = 0
}

// dialLog holds the connections net/http dialled for a worker's requests,
// on goroutines of its own, until the worker's exchange moves them into its
// connLog. It is safe for concurrent use.
type dialLog struct {
	mu   sync.Mutex
	made []Connection
}

func (l *dialLog) add(c Connection) {
	l.mu.Lock()
	l.made = append(l.made, c)
	l.mu.Unlock()
}

// moveTo appends the connections logged to dst's, but not their set-up
// time: a request of net/http's may not have waited for a connection its
// worker's request had dialled (see keptConn.setupWait). It empties l.
func (l *dialLog) moveTo(dst *connLog) {
	l.mu.Lock()
	dst.made = append(dst.made, l.made...)
	l.made = l.made[:0]
	l.mu.Unlock()
}
