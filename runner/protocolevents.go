package runner

import (
	"bytes"
	"io"
	"sync/atomic"
)

// ProtocolLog takes what is written to the standard library's log while a
// run goes on. It counts net/http's lines about answers it could not place
// ("Unsolicited response received on idle HTTP channel"): they are protocol
// events of the run (Result.ProtocolEvents), not lines for a user's
// terminal. Any other line goes to Other (nil: dropped), so that the log of
// something else in the process is not mistaken for the target's doing.
// Only a program may point the process's log at one (log.SetOutput); it
// then hands the same ProtocolLog to its plans. It is safe for concurrent
// use, when Other is.
type ProtocolLog struct {
	Other   io.Writer
	entries atomic.Int64
}

// unsolicited starts net/http's log line about an answer nobody asked for.
var unsolicited = []byte("Unsolicited response received on idle HTTP channel")

// Write takes one log entry: the log package writes each in one call.
func (l *ProtocolLog) Write(p []byte) (int, error) {
	switch {
	case bytes.Contains(p, unsolicited):
		l.entries.Add(1)
	case l.Other != nil:
		return l.Other.Write(p)
	}
	return len(p), nil
}

// count is the entries so far; a nil ProtocolLog has none.
func (l *ProtocolLog) count() int64 {
	if l == nil {
		return 0
	}
	return l.entries.Load()
}
