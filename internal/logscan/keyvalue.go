package logscan

import (
	"strings"
	"unicode/utf8"
)

// The keys that carry a record's time, level and message in key=value and
// JSON formats (slog: time level msg; logfmt: ts lvl; tracing JSON:
// timestamp level message; railway: timestamp level message).
func isTimeKey(k string) bool {
	return k == "time" || k == "ts" || k == "timestamp" || k == "@timestamp" || k == "t"
}
func isLevelKey(k string) bool   { return k == "level" || k == "lvl" || k == "severity" }
func isMessageKey(k string) bool { return k == "msg" || k == "message" }

// setMeta takes key's value as the record's time, level or message when
// the key names one and the record has none yet (the first wins: a
// flattened event field named level does not replace the level). It
// reports whether it took it.
func (r *Record) setMeta(key, value string) bool {
	switch {
	case isMessageKey(key) && r.Message == "":
		r.Message = value
		return true
	case isLevelKey(key) && r.Level == LevelNone:
		l, ok := parseLevel(value)
		r.Level = l
		return ok
	case isTimeKey(key) && r.Time.IsZero():
		t, ok := parseTime(value)
		r.Time = t
		return ok
	}
	return false
}

// parseKeyValue reads a line of key=value pairs separated by spaces, as
// slog's text handler and logfmt write them: a value is quoted (Go
// quoting) or runs to the next space. Every token must be a pair whose key
// is a name (see isKey), there must be two pairs or a time, level or
// message (a lone "Xq=7$V9" is no record), and the line must be printable
// UTF-8 (as both write it: they quote a value with a control character),
// else the line is not of this format; random bytes are not.
func parseKeyValue(s string, r *Record) bool {
	s = strings.TrimRight(s, " \t\r")
	if !printable(s) {
		return false
	}
	n, meta := 0, false
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			i++
			continue
		}
		eq := keyEnd(s, i)
		if eq == i || eq == len(s) || s[eq] != '=' || !isKey(s[i:eq]) {
			return false
		}
		key := s[i:eq]
		value, next, ok := strictValue(s, eq+1)
		if !ok {
			return false
		}
		if r.setMeta(key, value) {
			meta = true
		} else {
			r.Fields = append(r.Fields, Field{key, value})
		}
		n++
		i = next
	}
	r.Format = FormatKeyValue
	return n >= 2 || meta
}

// isKey reports whether k is a key of slog's text or logfmt as services
// write them: a letter, '_' or '@' first, then letters, digits and
// "_.-@" (http.status_code, @timestamp, x-request-id).
func isKey(k string) bool {
	if k == "" || !isIdentStart(k[0]) && k[0] != '@' {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isIdentByte(k[i]) && k[i] != '-' && k[i] != '@' {
			return false
		}
	}
	return true
}

// printable reports whether s is valid UTF-8 without control characters
// (a tab allowed).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf {
			return printableUTF8(s[i:])
		} else if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// printableUTF8 is printable for text that is not all ASCII, decoded.
func printableUTF8(s string) bool {
	for _, c := range s {
		if c < 0x20 && c != '\t' || c >= 0x7f && c < 0xa0 {
			return false
		}
	}
	return utf8.ValidString(s)
}

// keyEnd returns the end of the key that starts at s[i]: the first space,
// '=' or quote.
func keyEnd(s string, i int) int {
	for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '"' {
		i++
	}
	return i
}

// strictValue reads the value at s[i:]: quoted, or to the next space. It
// returns the value, where the next pair may start, and false when a quote
// is not closed or is followed by anything but a space.
func strictValue(s string, i int) (string, int, bool) {
	if i < len(s) && s[i] == '"' {
		end := quotedEnd(s[i:])
		if end < 0 || i+end < len(s) && s[i+end] != ' ' {
			return "", 0, false
		}
		return unquote(s[i : i+end]), i + end, true
	}
	j := i
	for j < len(s) && s[j] != ' ' {
		j++
	}
	return s[i:j], j, true
}

// isIdentStart and isIdentByte say what a field name of tracing text is
// made of: a Rust identifier, dotted for names such as http.method.
func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentByte(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' || c == '.' }

// fieldAt reports whether a field, ident=, starts at s[i].
func fieldAt(s string, i int) bool {
	if i >= len(s) || !isIdentStart(s[i]) {
		return false
	}
	for i++; i < len(s) && isIdentByte(s[i]); i++ {
	}
	return i < len(s) && s[i] == '='
}

// nextFieldStart returns the first index at or after from where a field
// starts after a space (or at from itself when atStart), else len(s).
func nextFieldStart(s string, from int, atStart bool) int {
	if atStart && fieldAt(s, from) {
		return from
	}
	for i := from; i < len(s); i++ {
		if s[i] == ' ' && fieldAt(s, i+1) {
			return i + 1
		}
	}
	return len(s)
}

// messageAndFields splits the end of a tracing-subscriber (or railway) text
// line into its message and its fields: the message is the text before the
// first " name=" (tracing writes the message first, bare); each field's
// value is quoted (a string literal, Rust Debug quoting) or bare (a %
// Display value or a number) and then runs to the next " name=", spaces
// and all. A message that itself holds " name=" is read as ending there.
func messageAndFields(s string, dst []Field) (string, []Field) {
	s = strings.TrimRight(s, " \t\r")
	start := nextFieldStart(s, 0, true)
	message := strings.TrimRight(s[:start], " ")
	return message, appendLenientFields(s[start:], dst)
}

// appendLenientFields reads s, which starts with a field, as fields whose
// bare values run to the next " name=" (see messageAndFields), and appends
// them to dst. Some(v) is read as v and None as no field, as tracing
// writes an Option.
func appendLenientFields(s string, dst []Field) []Field {
	for i := 0; i < len(s); {
		eq := strings.IndexByte(s[i:], '=') + i
		key := s[i:eq]
		v := eq + 1
		var value string
		next := nextFieldStart(s, v, false)
		if v < len(s) && s[v] == '"' {
			if end := quotedEnd(s[v:]); end > 0 && (v+end == len(s) || s[v+end] == ' ') {
				value, next = unquote(s[v:v+end]), nextFieldStart(s, v+end, false)
				dst = appendOption(dst, key, value, true)
				i = next
				continue
			}
		}
		value = strings.TrimRight(s[v:next], " ")
		dst = appendOption(dst, key, value, false)
		i = next
	}
	return dst
}

// appendOption appends key=value, reading an Option as tracing's Debug
// writes it: Some(v) is v (unquoted when v is a string), None no field.
func appendOption(dst []Field, key, value string, quoted bool) []Field {
	if !quoted {
		switch {
		case value == "None":
			return dst
		case strings.HasPrefix(value, "Some(") && strings.HasSuffix(value, ")"):
			value = value[len("Some(") : len(value)-1]
			if len(value) >= 2 && value[0] == '"' && quotedEnd(value) == len(value) {
				value = unquote(value)
			}
		}
	}
	return append(dst, Field{key, value})
}
