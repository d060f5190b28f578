package logscan

import (
	"strings"
	"time"
)

// A platform's wrapping of an application's line, taken off before the
// line is read:
//
//	CRI node file (/var/log/pods/...):  2026-11-28T12:00:00.123456789Z stdout F the line
//	                                    (P instead of F: a part, continued by the next)
//	Docker json-file:                   {"log":"the line\n","stream":"stdout","time":"2026-...Z"}
//	                                    (no "\n" at the end of log: a part of a long line)
//
// kubectl logs --timestamps ("2026-11-28T12:00:00.123456789Z the line")
// is read with the line itself (see parseLine), as it cannot be told from
// a line that starts with its own time until what follows is read.
type unwrapped struct {
	line    string
	time    time.Time
	partial bool // the line continues in the next one
	wrapped bool // a platform's wrapping was found
}

// unwrap takes a CRI or Docker json-file wrapping off line, if it has one.
func unwrap(line string) unwrapped {
	if strings.HasPrefix(line, `{"log":`) {
		if u, ok := unwrapDocker(line); ok {
			return u
		}
		return unwrapped{line: line}
	}
	if t, rest, ok := leadingTime(line); ok {
		if stream, tag, text, ok := criFields(rest); ok && (stream == "stdout" || stream == "stderr") {
			return unwrapped{line: text, time: t, partial: tag == "P", wrapped: true}
		}
	}
	return unwrapped{line: line}
}

// criFields splits "stdout F text" (the text may be empty).
func criFields(s string) (stream, tag, text string, ok bool) {
	sp := strings.IndexByte(s, ' ')
	if sp < 0 {
		return "", "", "", false
	}
	stream, s = s[:sp], s[sp+1:]
	if len(s) < 1 || s[0] != 'P' && s[0] != 'F' || len(s) > 1 && s[1] != ' ' {
		return "", "", "", false
	}
	tag = s[:1]
	if len(s) > 1 {
		text = s[2:]
	}
	return stream, tag, text, true
}

// unwrapDocker reads Docker's json-file envelope: its log, stream and time.
func unwrapDocker(line string) (unwrapped, bool) {
	var envelope Record
	if !parseJSON(line, &envelope) {
		return unwrapped{}, false
	}
	log, ok := envelope.Get("log")
	if _, hasStream := envelope.Get("stream"); !ok || !hasStream {
		return unwrapped{}, false
	}
	text, complete := strings.CutSuffix(log, "\n")
	return unwrapped{line: text, time: envelope.Time, partial: !complete, wrapped: true}, true
}
