package runner

import (
	"math/rand/v2"
	"testing"
	"time"
)

// FuzzRetryWait: any Retry-After header, after any number of retries,
// gives a wait between 0 and the cap; without a readable header, one
// within the back-off's bounds.
func FuzzRetryWait(f *testing.F) {
	for _, s := range []string{"", "1", "120", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999", " 3 ", "soon"} {
		f.Add(s, 0, int64(10*time.Second))
	}
	f.Add("", 70, int64(1<<62))
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, header string, retried int, maxWait int64) {
		if retried < 0 || retried > 100 || maxWait <= 0 {
			return // Retry.Validate refuses such policies
		}
		most := time.Duration(maxWait)
		wait := retryWait(header, retried, most, now, rand.Int64N)
		if wait < 0 || wait > most {
			t.Fatalf("retryWait(%q, %d, %s) = %s, outside 0..%s", header, retried, most, wait, most)
		}
		if _, ok := retryAfter(header, most, now); !ok {
			if low, high := backoffBounds(retried, most); wait < low || wait > high {
				t.Fatalf("retryWait(%q, %d, %s) = %s, outside the back-off's %s..%s", header, retried, most, wait, low, high)
			}
		}
	})
}

// backoffBounds are the bounds of the wait before retry retried+1 without
// Retry-After, computed apart from the code: d/2 to d, d being
// firstRetryWait doubled retried times, at most most.
func backoffBounds(retried int, most time.Duration) (low, high time.Duration) {
	high = min(firstRetryWait, most)
	for range retried {
		if high >= most/2 {
			high = most
			break
		}
		high *= 2
	}
	return high - high/2, high
}

// TestRetryAfter: a readable Retry-After is honoured up to the cap; a
// missing or unreadable one is not ok.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	type result struct {
		wait time.Duration
		ok   bool
	}
	for header, want := range map[string]result{
		"":                              {0, false},
		"2":                             {2 * time.Second, true},
		" 2 ":                           {2 * time.Second, true},
		"0":                             {0, true},
		"600":                           {10 * time.Second, true},
		"99999999999999999999":          {10 * time.Second, true},
		"-99999999999999999999":         {0, false},
		"-1":                            {0, false},
		"soon":                          {0, false},
		"1.5":                           {0, false},
		"Sun, 22 Nov 2026 00:00:03 GMT": {3 * time.Second, true},
		"Sat, 21 Nov 2026 00:00:00 GMT": {0, true},
	} {
		if wait, ok := retryAfter(header, 10*time.Second, now); wait != want.wait || ok != want.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", header, wait, ok, want.wait, want.ok)
		}
	}
}

// TestRetryWaitBacksOff: without Retry-After, the waits before successive
// retries lie in [d/2, d] for d = 1 s, 2 s, 4 s, ... capped by the
// policy's max wait, at both ends of the jitter and for random draws; with
// a Retry-After, the wait is the header's whatever the retry.
func TestRetryWaitBacksOff(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	lowest := func(int64) int64 { return 0 }
	highest := func(n int64) int64 { return n - 1 }
	cases := []struct {
		maxWait   time.Duration
		low, high []time.Duration // by retries before
	}{
		{10 * time.Second,
			[]time.Duration{500 * ms, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second},
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}},
		{300 * ms, // below the first wait: capped from the start
			[]time.Duration{150 * ms, 150 * ms},
			[]time.Duration{300 * ms, 300 * ms}},
	}
	for _, tc := range cases {
		for retried := range tc.low {
			low := retryWait("", retried, tc.maxWait, now, lowest)
			high := retryWait("soon", retried, tc.maxWait, now, highest)
			if low != tc.low[retried] || high != tc.high[retried] {
				t.Errorf("max wait %s, after %d retries: waits %s to %s, want %s to %s", tc.maxWait, retried, low, high, tc.low[retried], tc.high[retried])
			}
			for range 100 {
				if w := retryWait("", retried, tc.maxWait, now, rand.Int64N); w < low || w > high {
					t.Fatalf("max wait %s, after %d retries: a wait of %s, outside %s to %s", tc.maxWait, retried, w, low, high)
				}
			}
		}
	}
	if w := retryWait("3", 5, 10*time.Second, now, lowest); w != 3*time.Second {
		t.Errorf("Retry-After: 3 after 5 retries waits %s, want 3s", w)
	}
}

// TestRetryWaitsSpread: jitter spreads the waits of clients throttled
// together: 100 draws of the first wait are not all alike.
func TestRetryWaitsSpread(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 100 {
		seen[retryWait("", 0, 10*time.Second, time.Time{}, rand.Int64N)] = true
	}
	if len(seen) < 50 {
		t.Errorf("100 first waits took %d values; want them spread over 0.5-1 s", len(seen))
	}
}

// TestBackoffScheduleHuge: a schedule whose cap is near the largest
// duration doubles up to it without overflowing.
func TestBackoffScheduleHuge(t *testing.T) {
	s := backoffSchedule{first: time.Second, most: time.Duration(1<<63 - 1)}
	prev := time.Duration(0)
	for n := range 80 {
		w := s.wait(n)
		if w < prev || w > s.most {
			t.Fatalf("wait %d = %s after %s; want growing up to %s", n, w, prev, s.most)
		}
		prev = w
	}
	if prev != s.most {
		t.Errorf("the 80th wait is %s, want the cap %s", prev, s.most)
	}
}
