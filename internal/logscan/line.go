package logscan

import (
	"strings"
	"time"
)

// parseLine reads one application line, without ANSI escapes and without a
// platform's wrapping, into r (reset). It reports whether the line was of
// a known format. A line that starts with a time and goes on in none of
// the formats that start with one is taken as kubectl --timestamps': the
// time, then the line, which is read again (once).
func parseLine(s string, r *Record) bool {
	return parseLineDepth(s, r, 0)
}

func parseLineDepth(s string, r *Record, depth int) bool {
	s = strings.TrimRight(s, "\r\n")
	if len(s) == 0 {
		return false
	}
	if s[0] == '{' {
		return parseJSON(s, r)
	}
	if t, rest, ok := leadingTime(s); ok {
		switch {
		case len(rest) > 0 && rest[0] == '[':
			if parseRailwayText(t, rest, r) {
				return true
			}
		case startsWithTracingLevel(rest):
			return parseTracingText(s, r)
		}
		if depth > 0 {
			return false
		}
		r.reset()
		if !parseLineDepth(rest, r, depth+1) {
			return false
		}
		if r.Time.IsZero() {
			r.Time = t
		}
		return true
	}
	if startsWithTracingLevel(s) {
		return parseTracingText(s, r)
	}
	r.reset()
	return parseKeyValue(s, r)
}

// startsWithTracingLevel reports whether s starts with a level as
// tracing-subscriber writes it after the time: "TRACE ", "DEBUG ",
// " INFO ", " WARN ", "ERROR " (padded to five), or unpadded.
func startsWithTracingLevel(s string) bool {
	s = strings.TrimLeft(s, " ")
	sp := strings.IndexByte(s, ' ')
	if sp < 0 {
		return false
	}
	_, ok := tracingLevel(s[:sp])
	return ok
}

// parseRailwayText reads the rest of a line of railway logs' text output
// for a structured log, after its time:
//
//	[INFO] request failed endpoint=login status=503 trace_id="ab12"
//
// the level in brackets (INFO, ERRO, WARN, DBUG, or another as written),
// the message and the attributes, written key=value with the value as
// railway holds it (a string JSON-quoted). A log line without attributes
// railway prints as the application wrote it, without time or level; that
// line is read in its own format.
func parseRailwayText(t time.Time, rest string, r *Record) bool {
	end := strings.IndexByte(rest, ']')
	if end < 0 || end+1 < len(rest) && rest[end+1] != ' ' {
		return false
	}
	level, ok := parseLevel(rest[1:end])
	if !ok {
		return false
	}
	r.Time, r.Level, r.Format = t, level, FormatRailwayText
	if end+2 <= len(rest) {
		r.Message, r.Fields = messageAndFields(rest[end+2:], r.Fields)
	}
	return true
}
