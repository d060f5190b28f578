package runner

import (
	"net/http"
	"slices"
)

// Class is the outcome class of one request (DESIGN §4.4). Every request
// gets exactly one. Dropped arrivals are not requests and have no Class.
type Class uint8

const (
	ClassOK          Class = iota // 2xx, or a status the step expects
	ClassClientError              // 4xx, and any other status that is not ok (1xx, an unfollowed 3xx)
	ClassLockTimeout              // a response the lock-timeout rule matches
	ClassUnavailable              // any other 503
	ClassServerError              // any other 5xx
	ClassTransport                // no HTTP response: see TransportKind
	NumClasses       = iota
)

var classNames = [NumClasses]string{"ok", "client_error", "lock_timeout", "unavailable", "server_error", "transport"}

// String returns the class's name as reports and the result JSON spell it.
func (c Class) String() string { return classNames[c] }

// LockRule tells a storage-lock timeout from other failures: a response with
// Status whose body contains any of Substrings, compared without regard to
// ASCII case. The zero LockRule matches nothing.
type LockRule struct {
	Status     int
	Substrings []string
}

// DefaultLockRule is the seed service's: a 503 whose body mentions
// "temporarily busy" or "storage lock timeout".
func DefaultLockRule() LockRule {
	return LockRule{Status: http.StatusServiceUnavailable, Substrings: []string{"temporarily busy", "storage lock timeout"}}
}

// Matches reports whether a response with status and body is a lock timeout.
// It does not allocate.
func (r LockRule) Matches(status int, body []byte) bool {
	if status != r.Status {
		return false
	}
	for _, s := range r.Substrings {
		if containsFold(body, s) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains substr, ignoring ASCII case.
func containsFold(s []byte, substr string) bool {
next:
	for i := 0; i+len(substr) <= len(s); i++ {
		for j := range len(substr) {
			if lowerASCII(s[i+j]) != lowerASCII(substr[j]) {
				continue next
			}
		}
		return true
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Classify returns the class of a response with status and body to a step
// that expects the statuses in expect (beyond 2xx).
func Classify(status int, body []byte, expect []int, rule LockRule) Class {
	switch {
	case status >= 200 && status < 300, slices.Contains(expect, status):
		return ClassOK
	case rule.Matches(status, body):
		return ClassLockTimeout
	case status == http.StatusServiceUnavailable:
		return ClassUnavailable
	case status >= 500:
		return ClassServerError
	default:
		return ClassClientError
	}
}
