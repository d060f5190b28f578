package logscan

import "strings"

// parseTracingText reads a line of tracing-subscriber's default ("full")
// text format, its ANSI colours already removed:
//
//	2026-11-28T12:00:00.123456Z  WARN request{trace_id=ab12 method="POST"}:lock: auth_api::store: storage lock timeout - returning 503 op="login"
//
// an optional timestamp (RFC 3339), the level padded to five characters,
// the spans from the root with their fields in braces, each followed by a
// colon, then a space; the target and a colon; the message and the fields
// (see messageAndFields). The span fields go to Context, the event's to
// Fields. ok is false when the line does not have the level where this
// format writes it.
func parseTracingText(s string, r *Record) bool {
	rest := s
	if t, after, ok := leadingTime(s); ok {
		r.Time, rest = t, after
	}
	rest = strings.TrimLeft(rest, " ")
	sp := strings.IndexByte(rest, ' ')
	if sp < 0 {
		return false
	}
	level, ok := tracingLevel(rest[:sp])
	if !ok {
		return false
	}
	r.Level, r.Format = level, FormatTracingText
	rest = rest[sp+1:]
	// The spans (a chain of name{fields}: segments) and the target, each a
	// chain that ends with ": ". A chain with braces or several segments is
	// the spans; a single bare one is the target, and ends the prefix.
	for range 2 {
		end, spans, ok := chainEnd(rest)
		if !ok {
			break
		}
		if spans {
			r.Context = appendSpanFields(rest[:end], r.Context)
		}
		rest = rest[end+2:]
		if !spans {
			break
		}
	}
	r.Message, r.Fields = messageAndFields(rest, r.Fields)
	return true
}

// tracingLevel reads a level as tracing writes it: upper case, one of five.
func tracingLevel(s string) (Level, bool) {
	switch s {
	case "TRACE":
		return LevelTrace, true
	case "DEBUG":
		return LevelDebug, true
	case "INFO":
		return LevelInfo, true
	case "WARN":
		return LevelWarn, true
	case "ERROR":
		return LevelError, true
	}
	return LevelNone, false
}

// chainEnd reads a chain of segments at the start of s, each a name (a
// path with ::) with optional {fields} and a colon, the last colon
// followed by a space. It returns the index of that last colon, whether
// the chain is spans (braces, or more than one segment), and false when s
// does not start with a chain.
func chainEnd(s string) (end int, spans, ok bool) {
	i, segments := 0, 0
	for {
		start := i
		for i < len(s) && (isIdentByte(s[i]) || s[i] == '-' || s[i] == ':' && i+1 < len(s) && s[i+1] == ':' || s[i] == ':' && i > 0 && s[i-1] == ':') {
			i++
		}
		if i == start {
			return 0, false, false
		}
		if i < len(s) && s[i] == '{' {
			close := braceEnd(s, i)
			if close < 0 {
				return 0, false, false
			}
			i, spans = close+1, true
		}
		if i >= len(s) || s[i] != ':' {
			return 0, false, false
		}
		segments++
		if i+1 < len(s) && s[i+1] == ' ' {
			return i, spans || segments > 1, true
		}
		i++
	}
}

// braceEnd returns the index of the brace that closes the one at s[open],
// skipping quoted strings and nested braces.
func braceEnd(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '"':
			end := quotedEnd(s[i:])
			if end < 0 {
				return -1
			}
			i += end - 1
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// appendSpanFields appends the fields in the braces of a chain of spans.
func appendSpanFields(chain string, dst []Field) []Field {
	for i := 0; i < len(chain); i++ {
		if chain[i] != '{' {
			continue
		}
		close := braceEnd(chain, i)
		if close < 0 {
			break
		}
		inner := chain[i+1 : close]
		if start := nextFieldStart(inner, 0, true); start < len(inner) {
			dst = appendLenientFields(inner[start:], dst)
		}
		i = close
	}
	return dst
}
