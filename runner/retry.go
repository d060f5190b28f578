package runner

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// firstRetryWait is the longest wait before the first retry of an answer
// without a readable Retry-After; each further retry of the same request
// may wait twice as long (see retryWait). One second, the fixed wait it
// replaced: measured against a login limited to 2 a sliding 3 s, a serial
// client was refused no more often than with that fixed wait, and 4
// clients at once half as often (a first wait of 500 ms was refused more
// often than the fixed wait by the serial client). A variable so that
// tests can shrink it.
var firstRetryWait = time.Second

// retryWait is how long to wait before sending again a request whose
// answer had the Retry-After header header, after retried retries of it
// (0 before the first). A readable Retry-After is honoured, up to maxWait.
// Without one, the wait backs off with jitter: drawn evenly from [d/2, d],
// d being firstRetryWait doubled retried times and at most maxWait (0.5-1
// s, 1-2 s, 2-4 s, ...), so that clients throttled together neither come
// back together nor keep coming back at the pace that was refused. random
// is as jittered's.
func retryWait(header string, retried int, maxWait time.Duration, now time.Time, random func(int64) int64) time.Duration {
	if wait, ok := retryAfter(header, maxWait, now); ok {
		return wait
	}
	schedule := backoffSchedule{first: min(firstRetryWait, maxWait), most: maxWait}
	return jittered(schedule.wait(retried), random)
}

// retryAfter reads a Retry-After header (seconds or an HTTP date) as a wait,
// at most maxWait; ok is false when the header is missing or unreadable.
func retryAfter(header string, maxWait time.Duration, now time.Time) (wait time.Duration, ok bool) {
	header = strings.TrimSpace(header)
	if secs, err := strconv.Atoi(header); err == nil && secs >= 0 {
		wait = time.Duration(min(secs, int(maxWait/time.Second)+1)) * time.Second // no overflow
	} else if errors.Is(err, strconv.ErrRange) && header[0] != '-' {
		wait = maxWait // more seconds than an int holds
	} else if at, err := http.ParseTime(header); err == nil {
		wait = max(at.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(wait, maxWait), true
}
