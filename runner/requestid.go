package runner

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
)

// newRequestIDPrefix returns the part of a run's request IDs that sets
// them apart from another run's, or another shard's: 8 random hex digits.
func newRequestIDPrefix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// requestIDs makes one worker's request IDs: PREFIX-WORKER-N, N counting
// the worker's attempts from 1, such as "3f2a9c1e-12-345". Each is unique
// within the run and a plain token (letters, digits, '-') of at most 50
// characters, as servers that take a caller's request ID as theirs (the
// reference API: at most 64 of A-Za-z0-9._-) accept.
type requestIDs struct {
	prefix []byte // PREFIX-WORKER-
	n      int64
}

func newRequestIDs(runPrefix string, worker int) requestIDs {
	prefix := append([]byte(runPrefix), '-')
	prefix = strconv.AppendInt(prefix, int64(worker), 10)
	return requestIDs{prefix: append(prefix, '-')}
}

// next returns the next ID.
func (r *requestIDs) next() string {
	r.n++
	return string(strconv.AppendInt(r.prefix, r.n, 10))
}
