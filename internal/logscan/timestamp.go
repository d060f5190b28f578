package logscan

import (
	"strings"
	"time"
)

// parseTime reads an RFC 3339 time, with any fraction of a second: the
// form of every format here (tracing: 6 digits and Z; slog text:
// milliseconds and an offset; kubectl, CRI and Docker: nanoseconds).
func parseTime(s string) (time.Time, bool) {
	if !looksLikeTime(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// looksLikeTime is a cheap first test: "dddd-dd-ddT".
func looksLikeTime(s string) bool {
	return len(s) >= 20 && isDigit(s[0]) && isDigit(s[3]) && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == 't')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// leadingTime reads an RFC 3339 time at the start of s, followed by a
// space; it returns the time and what follows the space.
func leadingTime(s string) (time.Time, string, bool) {
	if !looksLikeTime(s) {
		return time.Time{}, "", false
	}
	sp := strings.IndexByte(s, ' ')
	if sp < 0 {
		return time.Time{}, "", false
	}
	t, ok := parseTime(s[:sp])
	if !ok {
		return time.Time{}, "", false
	}
	return t, s[sp+1:], true
}
