package runner

import (
	"errors"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxMessages is how many distinct failure messages an endpoint keeps for
// each outcome class (for each transport kind, in ClassTransport). The
// requests of a class beyond them are counted in its class alone.
const MaxMessages = 5

// Bounds on a message's text and on the part of a response body in one.
const (
	maxMessageBytes = 200
	maxExcerptBytes = 100
)

// Message says why requests failed: a failure message and how many
// requests of its class (and kind) had it. For a response, the message is
// its status and the start of its body: `503 {"error":"Service temporarily
// busy"}`.
// For a failed extraction, the variable and the path that failed; for
// ClassTransport, the error. A message is normalised (see
// appendNormalised), so that details that differ from one request to the
// next, such as the local port of a connection or a pointer, do not make
// every message distinct.
type Message struct {
	Class Class
	Kind  TransportKind // for ClassTransport only; zero otherwise
	Text  string
	Count int64
	// RequestID is the ID of the first request that failed with it (see
	// Plan.RequestIDHeader), to find it in the server's logs; "" without.
	RequestID string
}

// sameKey reports whether m and o are of one class and kind.
func (m Message) sameKey(o Message) bool { return m.Class == o.Class && m.Kind == o.Kind }

// countMessage counts one request of class and kind that failed with text
// (normalised already), whose ID was requestID. It keeps text, and the
// ID, when its class and kind have fewer than MaxMessages messages; once
// they have, it does not allocate.
func (s *EndpointStats) countMessage(class Class, kind TransportKind, text []byte, requestID string) {
	held := 0
	for i := range s.Messages {
		m := &s.Messages[i]
		if m.Class != class || m.Kind != kind {
			continue
		}
		if m.Text == string(text) {
			m.Count++
			return
		}
		held++
	}
	if held < MaxMessages {
		s.Messages = append(s.Messages, Message{Class: class, Kind: kind, Text: string(text), Count: 1, RequestID: requestID})
	}
}

// mergeMessages adds the counts of from into into, message by message,
// and returns the result, bounded as boundMessages says.
func mergeMessages(into, from []Message) []Message {
	for _, m := range from {
		i := slices.IndexFunc(into, func(o Message) bool { return o.sameKey(m) && o.Text == m.Text })
		if i >= 0 {
			into[i].Count += m.Count
		} else {
			into = append(into, m)
		}
	}
	return boundMessages(into)
}

// boundMessages keeps, of each class and kind's messages, the MaxMessages
// with the most requests (the earlier of two with as many), in their order.
func boundMessages(list []Message) []Message {
	var out []Message
	for i, m := range list {
		ahead := 0 // messages of m's class and kind that rank before it
		for j, o := range list {
			if o.sameKey(m) && (o.Count > m.Count || o.Count == m.Count && j < i) {
				ahead++
			}
		}
		if ahead < MaxMessages {
			out = append(out, m)
		}
	}
	return out
}

// TopMessages returns s's messages with the most requests first (the
// earlier of two with as many), at most n of them.
func (s *EndpointStats) TopMessages(n int) []Message {
	top := slices.Clone(s.Messages)
	slices.SortStableFunc(top, func(a, b Message) int {
		switch {
		case a.Count > b.Count:
			return -1
		case a.Count < b.Count:
			return 1
		}
		return 0
	})
	return top[:min(n, len(top))]
}

// appendStatusMessage appends the message of a response with status and
// the body kept of it (empty when none was read) to dst.
func appendStatusMessage(dst []byte, status int, body []byte) []byte {
	dst = strconv.AppendInt(dst, int64(status), 10)
	if len(body) == 0 {
		return dst
	}
	return appendNormalised(append(dst, ' '), body, maxExcerptBytes)
}

// appendErrorMessage appends the message of err to dst, with scratch as
// room to work in; it returns both, grown. A *url.Error's operation and URL
// are left out: they are the request's, and a path that varies would make
// every message distinct.
func appendErrorMessage(dst, scratch []byte, err error) ([]byte, []byte) {
	var u *url.Error
	if errors.As(err, &u) && u.Err != nil {
		err = u.Err
	}
	text := err.Error()
	if reason, ok := tlsReason(err); ok {
		text = reason
	}
	// A bare end of file says nothing to a reader: say whose it was.
	switch text {
	case io.EOF.Error():
		text = "the server closed the connection without answering (EOF)"
	case io.ErrUnexpectedEOF.Error():
		text = "the connection closed in the middle of the answer (unexpected EOF)"
	}
	// "read tcp 127.0.0.1:50412->127.0.0.1:8080: ..." names the local
	// address, whose port differs on every connection: leave it out.
	if arrow := strings.Index(text, "->"); arrow >= 0 {
		from := strings.LastIndexByte(text[:arrow], ' ') + 1
		scratch = append(append(scratch[:0], text[:from]...), text[arrow+2:]...)
	} else {
		scratch = append(scratch[:0], text...)
	}
	return appendNormalised(dst, scratch, maxMessageBytes), scratch
}

// appendNormalised appends to dst the first limit bytes or so of src, made
// into one line of valid UTF-8 (a run of spaces and control characters is
// one space; an invalid byte is "?") in which the numbers that tell one
// request from another are "#": a word of hexadecimal digits and hyphens,
// six or more of them, at least one a decimal digit (an identifier, a
// timestamp, a UUID), and the digits of "0x" and a hexadecimal number (a
// pointer). Shorter numbers (a status, a port) stay. A text cut short ends
// in "…". It allocates only to grow dst.
func appendNormalised(dst, src []byte, limit int) []byte {
	start := len(dst)
	space := false // a space is due before the next character
	for i := 0; i < len(src) && len(dst)-start <= limit; {
		c := src[i]
		if c <= ' ' || c == 0x7f {
			space = len(dst) > start
			i++
			continue
		}
		if space {
			dst, space = append(dst, ' '), false
		}
		if !isWordByte(c) {
			dst = append(dst, c)
			i++
			continue
		}
		j := i
		for j < len(src) && isWordByte(src[j]) {
			j++
		}
		dst = appendWord(dst, src[i:j], limit+1-(len(dst)-start))
		i = j
	}
	if len(dst)-start > limit {
		cut := start + limit
		for cut > start && !utf8.RuneStart(dst[cut]) {
			cut--
		}
		dst = append(dst[:cut], "…"...)
	}
	fixUTF8(dst[start:])
	return dst
}

// appendWord appends word, or "#" for a number that tells requests apart
// (see appendNormalised); of a word it keeps, no more than room bytes.
func appendWord(dst, word []byte, room int) []byte {
	if len(word) > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X') && allHex(word[2:]) {
		return append(dst, "0x#"...)
	}
	if len(word) >= 6 && allHex(word) && slices.ContainsFunc(word, isDigit) {
		return append(dst, '#')
	}
	return append(dst, word[:min(len(word), room)]...)
}

// fixUTF8 replaces each byte of b that is not part of valid UTF-8 with "?",
// in place.
func fixUTF8(b []byte) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			b[i] = '?'
		}
		i += size
	}
}

func isWordByte(c byte) bool {
	return isDigit(c) || c == '-' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// allHex reports whether b is hexadecimal digits and hyphens only.
func allHex(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) && c != '-' && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
