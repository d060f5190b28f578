package logscan

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// quotedEnd returns the index just past the closing quote of the quoted
// string that starts at s[0] == '"', or -1 when it is not closed.
func quotedEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// unquote returns the text of q, a closed quoted string ("..."), with its
// escapes undone. It reads the escapes of the three writers of such
// strings: JSON (\uXXXX, surrogate pairs), Go's strconv.Quote as slog's
// text handler and logfmt write it (\xNN, \uXXXX, \UXXXXXXXX, \a \v) and
// Rust's Debug as tracing-subscriber writes it (\u{...}, \0, \'). An
// escape none of them writes is kept as written.
func unquote(q string) string {
	s := q[1 : len(q)-1]
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '"', '\\', '/', '\'':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'a':
			b.WriteByte('\a')
		case 'v':
			b.WriteByte('\v')
		case '0':
			b.WriteByte(0)
		case 'x':
			if n, ok := hexAt(s, i+1, 2); ok {
				b.WriteByte(byte(n))
				i += 2
			} else {
				b.WriteString(`\x`)
			}
		case 'u', 'U':
			r, used := unicodeEscape(s, i)
			if used == 0 {
				b.WriteByte('\\')
				b.WriteByte(e)
				continue
			}
			b.WriteRune(r)
			i += used
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

// unicodeEscape reads the escape whose letter (u or U) is at s[i]: \u{X...}
// (Rust), \uXXXX with a following low surrogate (JSON), or \UXXXXXXXX (Go).
// It returns the rune and how many bytes after the letter it used (0 when
// the escape is malformed).
func unicodeEscape(s string, i int) (rune, int) {
	if s[i] == 'U' {
		if n, ok := hexAt(s, i+1, 8); ok && n <= utf8.MaxRune {
			return rune(n), 8
		}
		return 0, 0
	}
	if i+1 < len(s) && s[i+1] == '{' {
		end := strings.IndexByte(s[i+1:], '}')
		if end < 2 || end > 7 {
			return 0, 0
		}
		n, err := strconv.ParseUint(s[i+2:i+1+end], 16, 32)
		if err != nil || n > utf8.MaxRune {
			return 0, 0
		}
		return rune(n), end + 1
	}
	n, ok := hexAt(s, i+1, 4)
	if !ok {
		return 0, 0
	}
	r := rune(n)
	if utf16.IsSurrogate(r) && i+6 < len(s) && s[i+5] == '\\' && s[i+6] == 'u' {
		if lo, ok := hexAt(s, i+7, 4); ok {
			if pair := utf16.DecodeRune(r, rune(lo)); pair != utf8.RuneError {
				return pair, 10
			}
		}
	}
	return r, 4
}

// hexAt reads n hex digits at s[i:].
func hexAt(s string, i, n int) (uint64, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var v uint64
	for _, c := range []byte(s[i : i+n]) {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint64(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint64(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint64(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
