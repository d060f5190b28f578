package runner

import "sync/atomic"

// ProtocolLog counts what net/http writes to the standard library's log
// while it serves a run's https:// requests: lines such as "Unsolicited
// response received on idle HTTP channel", about answers it could not
// place. They are protocol events of the run (Result.ProtocolEvents), not
// lines for a user's terminal. Only a program may point the process's log at
// one (log.SetOutput); it then hands the same ProtocolLog to its plans.
// It is safe for concurrent use.
type ProtocolLog struct {
	entries atomic.Int64
}

// Write counts one log entry: the log package writes each in one call.
func (l *ProtocolLog) Write(p []byte) (int, error) {
	l.entries.Add(1)
	return len(p), nil
}

// count is the entries so far; a nil ProtocolLog has none.
func (l *ProtocolLog) count() int64 {
	if l == nil {
		return 0
	}
	return l.entries.Load()
}
