package logscan

import "strings"

// LockPairLines is how many lines after a trace ID's first lock timeout
// its other lock-timeout lines are paired with it: a service writes the
// structured record and the bare warning of one request close together.
// A record and a warning of one trace ID farther apart count as two lock
// timeouts. Only the trace IDs of the lock timeouts of the last
// LockPairLines lines are kept, so memory does not grow with the log.
const LockPairLines = 10_000

// lockPairs pairs the structured records and the bare warnings of lock
// timeouts by trace ID, within LockPairLines lines, and adds each closed
// trace ID's lock timeouts to a LockTimeouts.
type lockPairs struct {
	open  map[string]*lockPair
	queue []*lockPair // the open pairs, oldest first
}

// lockPair is one trace ID's lock-timeout lines within the window.
type lockPair struct {
	id                   string
	firstLine            int64
	structured, warnings int64
}

func newLockPairs() lockPairs { return lockPairs{open: map[string]*lockPair{}} }

// add notes a lock timeout of trace ID id, logged at line (as a structured
// record when structured, else as a warning).
func (p *lockPairs) add(id string, line int64, structured bool) {
	pair := p.open[id]
	if pair == nil {
		pair = &lockPair{id: strings.Clone(id), firstLine: line} // not to hold the line the ID is in
		p.open[pair.id] = pair
		p.queue = append(p.queue, pair)
	}
	if structured {
		pair.structured++
	} else {
		pair.warnings++
	}
}

// closeBefore closes the pairs opened LockPairLines lines or more before
// line, adding their lock timeouts to lt.
func (p *lockPairs) closeBefore(line int64, lt *LockTimeouts) {
	for len(p.queue) > 0 && p.queue[0].firstLine+LockPairLines <= line {
		p.closeFirst(lt)
	}
}

// closeAll closes every pair, at the end of the log.
func (p *lockPairs) closeAll(lt *LockTimeouts) {
	for len(p.queue) > 0 {
		p.closeFirst(lt)
	}
}

// closeFirst closes the oldest pair: its lock timeouts are as many as the
// more of its records and its warnings (each request logs at most one of
// each), and as many as the fewer were logged both ways.
func (p *lockPairs) closeFirst(lt *LockTimeouts) {
	pair := p.queue[0]
	p.queue[0] = nil
	p.queue = p.queue[1:]
	delete(p.open, pair.id)
	lt.Total += max(pair.structured, pair.warnings)
	lt.Matched += min(pair.structured, pair.warnings)
}
