package report

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/loadgate/loadgate/runner"
)

// messageLabel names a message's class, and its kind for transport:
// "lock_timeout", "transport/tls".
func messageLabel(r *runner.Result, m runner.Message) string {
	if m.Class == runner.ClassTransport {
		return r.ClassName(m.Class) + "/" + m.Kind.String()
	}
	return r.ClassName(m.Class)
}

// summaryMessages is how many of the total's messages the summary shows.
const summaryMessages = 2

// textMessages writes the total's most frequent failure messages, under
// "why", each with the request ID of its first request when the run sent
// IDs ("(first: request 3f2a9c1e-4-17)").
func textMessages(p *printer, r *runner.Result) {
	for i, m := range r.Total.TopMessages(summaryMessages) {
		label := ""
		if i == 0 {
			label = "why"
		}
		text := strconv.FormatInt(m.Count, 10) + " " + messageLabel(r, m) + ": " + m.Text
		if m.RequestID != "" {
			text += " (first: request " + m.RequestID + ")"
		}
		wrapLabelled(p, label, text)
	}
}

// wrapLabelled writes text after label, as the summary's lines of the
// totals are ("total      ..."), wrapped to fit 80 columns, each further
// line indented two more.
func wrapLabelled(p *printer, label, text string) {
	for i, line := range wrapWords(text, 80-13) {
		if i == 0 {
			p.line("%-10s %s", label, line)
		} else {
			p.line("             %s", line)
		}
	}
}

// wrapWords breaks s into lines of at most width runes, at spaces where it
// can; a word longer than width is cut.
func wrapWords(s string, width int) []string {
	var lines []string
	for utf8.RuneCountInString(s) > width {
		cut := runeOffset(s, width)
		if space := strings.LastIndexByte(s[:cut+1], ' '); space > 0 {
			cut = space
		}
		lines = append(lines, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return append(lines, s)
}

// runeOffset is the byte offset of s's rune n, or len(s) when s is shorter.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
