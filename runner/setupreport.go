package runner

import (
	"sync"
	"sync/atomic"
	"time"
)

// SetupReport is what a setup phase did (see Setup): its requests are not
// measured, but their count, their statuses and their retries are shown
// beside the run's.
type SetupReport struct {
	// Users is how many setup requests the phase had to make, one per user;
	// Done how many of them succeeded.
	Users, Done int
	Duration    time.Duration
	// Requests counts every attempt, retries included; Status the answers
	// by status; Transport the attempts without an answer.
	Requests  int64
	Status    map[int]int64
	Transport int64
	// Retries counts the attempts that were retries; Failures the requests
	// that did not succeed in the end (a failure stops the run).
	Retries  int64
	Failures int64
	// RemoteUsers is how many users the setup registered at a remote target
	// (not the embedded reference API), which stay there after the run:
	// those it registered, also when it failed or the run stopped;
	// NamePrefix is what their usernames start with. The caller sets
	// both: Setup does not know what its requests create.
	RemoteUsers int
	NamePrefix  string
}

// SetupProgress counts the setup requests done while a setup phase goes on.
// Setup writes it; anyone may read it at any time. The zero value is ready
// to use.
type SetupProgress struct {
	done atomic.Int64
}

// Done is how many setup requests have succeeded so far.
func (p *SetupProgress) Done() int64 {
	if p == nil {
		return 0
	}
	return p.done.Load()
}

// setupTally builds a SetupReport from a setup phase's concurrent requests.
type setupTally struct {
	mu       sync.Mutex
	report   SetupReport
	progress *SetupProgress // nil: nobody watches
}

// answered counts an attempt answered with status (0: no answer); retry is
// set when it was a retry.
func (t *setupTally) answered(status int, retry bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.report.Requests++
	if retry {
		t.report.Retries++
	}
	if status == 0 {
		t.report.Transport++
		return
	}
	if t.report.Status == nil {
		t.report.Status = map[int]int64{}
	}
	t.report.Status[status]++
}

// ended counts a request that succeeded, or failed for good.
func (t *setupTally) ended(ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !ok {
		t.report.Failures++
		return
	}
	t.report.Done++
	if t.progress != nil {
		t.progress.done.Add(1)
	}
}

// mergeSetups adds up the setup reports of merged results: nil when none
// has one. Durations add up, as the time spent in setups; the name prefix
// is kept when every report that registered remote users has the same.
func mergeSetups(results []*Result) *SetupReport {
	var out *SetupReport
	for _, r := range results {
		s := r.Setup
		if s == nil {
			continue
		}
		if out == nil {
			out = &SetupReport{NamePrefix: s.NamePrefix}
		}
		out.Users += s.Users
		out.Done += s.Done
		out.Duration += s.Duration
		out.Requests += s.Requests
		out.Transport += s.Transport
		out.Retries += s.Retries
		out.Failures += s.Failures
		out.RemoteUsers += s.RemoteUsers
		if s.NamePrefix != out.NamePrefix {
			out.NamePrefix = ""
		}
		for status, n := range s.Status {
			if out.Status == nil {
				out.Status = map[int]int64{}
			}
			out.Status[status] += n
		}
	}
	return out
}
