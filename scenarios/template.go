package scenarios

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/loadgate/loadgate/runner"
)

// A template is text with references such as {{user.username}}, {{seq}}
// or {{token}}, compiled once and rendered for every request. The names:
//
//	seq           the iteration's sequence number, unique within the run
//	worker        the index of the worker running the iteration
//	run_id        an identifier unique to the run
//	n             the index of the user being registered (users.register only)
//	user.FIELD    a field of the iteration's user (a CSV column, or
//	              username, password and email)
//	env.NAME      the environment variable NAME, read when the file loads
//	NAME          a variable an earlier step extracted
//	session.NAME  a variable the user's session extracted
//
// Spaces inside the braces are allowed: {{ seq }}.
type template struct {
	parts []part
}

// part is literal text, or a reference rendered with an escape.
type part struct {
	literal string
	ref     *ref
	escape  escape
}

// refKind says what a reference reads.
type refKind uint8

const (
	refSeq refKind = iota
	refWorker
	refRunID
	refIndex   // n: the user being registered
	refUser    // a user field, by index
	refVar     // an extracted variable, by index
	refConst   // a value known when the file loads (env.NAME)
	refSession // a session variable, by index, in an iteration's step
)

type ref struct {
	kind  refKind
	index int
	value string // of a refConst
}

// escape says how a rendered value is written into its text.
type escape uint8

const (
	escapeNone  escape = iota // headers and raw bodies: as it is
	escapeJSON                // inside a JSON string
	escapePath                // a URL path segment
	escapeQuery               // a URL query value
)

// renderContext is what a reference can read.
type renderContext struct {
	it    runner.Iteration
	user  []string
	runID string
	index int // n
}

// lexTemplate splits s into literal text and reference names; offset is the
// byte offset of the problem in s when err is not nil.
func lexTemplate(s string) (literals []string, names []string, offset int, err error) {
	rest, at := s, 0
	for {
		open := strings.Index(rest, "{{")
		if open < 0 {
			if i := strings.Index(rest, "}}"); i >= 0 {
				return nil, nil, at + i, fmt.Errorf(`"}}" without "{{"`)
			}
			return append(literals, rest), names, 0, nil
		}
		closeAt := strings.Index(rest[open+2:], "}}")
		if closeAt < 0 {
			return nil, nil, at + open, fmt.Errorf(`"{{" without "}}"`)
		}
		if i := strings.Index(rest[:open], "}}"); i >= 0 {
			return nil, nil, at + i, fmt.Errorf(`"}}" without "{{"`)
		}
		name := strings.TrimSpace(rest[open+2 : open+2+closeAt])
		if !validName(name) {
			return nil, nil, at + open, fmt.Errorf("%q is not a variable name: use letters, digits, _ and dots, as in {{user.username}}", name)
		}
		literals, names = append(literals, rest[:open]), append(names, name)
		next := open + 2 + closeAt + 2
		rest, at = rest[next:], at+next
	}
}

// validName reports whether s is a dotted name of identifiers: user.username.
func validName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, word := range strings.Split(s, ".") {
		if word == "" || !isIdentStart(word[0]) {
			return false
		}
		for i := 1; i < len(word); i++ {
			if !isIdentStart(word[i]) && (word[i] < '0' || word[i] > '9') {
				return false
			}
		}
	}
	return true
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// render appends the template rendered for c to dst.
func (t *template) render(dst []byte, c *renderContext) []byte {
	for _, p := range t.parts {
		if p.ref == nil {
			dst = append(dst, p.literal...)
			continue
		}
		switch p.ref.kind {
		case refSeq:
			dst = strconv.AppendInt(dst, c.it.Seq, 10)
		case refWorker:
			dst = strconv.AppendInt(dst, int64(c.it.Worker), 10)
		case refIndex:
			dst = strconv.AppendInt(dst, int64(c.index), 10)
		case refRunID:
			dst = appendEscaped(dst, c.runID, p.escape)
		case refUser:
			dst = appendEscaped(dst, fieldOf(c.user, p.ref.index), p.escape)
		case refVar:
			dst = appendEscaped(dst, fieldOf(c.it.Vars, p.ref.index), p.escape)
		case refConst:
			dst = appendEscaped(dst, p.ref.value, p.escape)
		case refSession:
			dst = appendEscaped(dst, fieldOf(c.it.Session, p.ref.index), p.escape)
		}
	}
	return dst
}

// string renders the template for c as a string.
func (t *template) string(c *renderContext) string { return string(t.render(nil, c)) }

// static reports whether the template has no references, and its text.
func (t *template) static() (string, bool) {
	var b strings.Builder
	for _, p := range t.parts {
		switch {
		case p.ref == nil:
			b.WriteString(p.literal)
		case p.ref.kind == refConst:
			b.Write(appendEscaped(nil, p.ref.value, p.escape))
		default:
			return "", false
		}
	}
	return b.String(), true
}

func fieldOf(values []string, i int) string {
	if i < len(values) {
		return values[i]
	}
	return ""
}

// appendEscaped appends v to dst as esc says.
func appendEscaped(dst []byte, v string, esc escape) []byte {
	switch esc {
	case escapeJSON:
		return appendJSONString(dst, v)
	case escapePath:
		return append(dst, url.PathEscape(v)...)
	case escapeQuery:
		return append(dst, url.QueryEscape(v)...)
	}
	return append(dst, v...)
}

// appendJSONString appends v escaped for the inside of a JSON string.
func appendJSONString(dst []byte, v string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, v[i:i+size]...)
		}
		i += size
	}
	return dst
}

// scope is what the templates of one place in a file may name.
type scope struct {
	userFields []string       // the users' fields; nil when there are no users
	vars       map[string]int // variables extracted by earlier steps, by index
	later      map[string]bool
	index      bool // n is defined (registering users)
	used       map[int]bool
	// session holds the session's variables, "session.NAME" by index, for
	// an iteration's steps; sessionUsed marks those used. inSession is set
	// in the session's own steps, whose session variables are in vars.
	session     map[string]int
	sessionUsed map[int]bool
	inSession   bool
}

// compileTemplate compiles s, whose references are written with esc. An
// error comes with the byte offset in s of the part it is about.
func compileTemplate(s string, esc escape, sc *scope) (*template, int, error) {
	literals, names, offset, err := lexTemplate(s)
	if err != nil {
		return nil, offset, err
	}
	var b templateBuilder
	at := 0
	for i, lit := range literals {
		b.literal(lit)
		at += len(lit)
		if i == len(names) {
			break
		}
		r, err := sc.resolve(names[i])
		if err != nil {
			return nil, at, err
		}
		b.ref(part{ref: r, escape: esc})
		at += strings.Index(s[at:], "}}") + 2
	}
	return b.template(), 0, nil
}

// templateBuilder builds a template, gathering literal text in one buffer
// so that a long body builds in linear time.
type templateBuilder struct {
	parts []part
	lit   strings.Builder
	size  int // bytes of literal text so far
}

func (b *templateBuilder) literal(s string) {
	b.lit.WriteString(s)
	b.size += len(s)
}

func (b *templateBuilder) ref(p part) {
	b.flush()
	b.parts = append(b.parts, p)
}

// add appends t's parts, its literals passed through escapeLiteral (nil:
// as they are).
func (b *templateBuilder) add(t *template, escapeLiteral func(string) string) {
	for _, p := range t.parts {
		switch {
		case p.ref != nil:
			b.ref(p)
		case escapeLiteral != nil:
			b.literal(escapeLiteral(p.literal))
		default:
			b.literal(p.literal)
		}
	}
}

func (b *templateBuilder) flush() {
	if b.lit.Len() > 0 {
		b.parts = append(b.parts, part{literal: b.lit.String()})
		b.lit.Reset()
	}
}

func (b *templateBuilder) template() *template {
	b.flush()
	return &template{parts: b.parts}
}

// resolve returns the reference name makes.
func (sc *scope) resolve(name string) (*ref, error) {
	registering := "registering users (users.register) happens before any iteration: use n, run_id, env.NAME"
	switch {
	case (name == "seq" || name == "worker") && sc.index:
		return nil, fmt.Errorf("{{%s}} is not defined here: %s", name, registering)
	case (name == "seq" || name == "worker") && sc.inSession:
		return nil, fmt.Errorf("{{%s}} is not defined here: a session belongs to a user, not to an iteration: use user.FIELD, run_id, env.NAME or session.NAME", name)
	case name == "seq":
		return &ref{kind: refSeq}, nil
	case name == "worker":
		return &ref{kind: refWorker}, nil
	case name == "run_id":
		return &ref{kind: refRunID}, nil
	case name == "n":
		if !sc.index {
			return nil, fmt.Errorf("{{n}} is the index of a user being registered; it is defined in users.register only")
		}
		return &ref{kind: refIndex}, nil
	case strings.HasPrefix(name, "env."):
		v, ok := os.LookupEnv(strings.TrimPrefix(name, "env."))
		if !ok {
			return nil, fmt.Errorf("{{%s}}: environment variable %s is not set", name, strings.TrimPrefix(name, "env."))
		}
		return &ref{kind: refConst, value: v}, nil
	case strings.HasPrefix(name, "user."):
		field := strings.TrimPrefix(name, "user.")
		if sc.userFields == nil && sc.index {
			return nil, fmt.Errorf("{{%s}} is not defined here: %s", name, registering)
		}
		if sc.userFields == nil {
			return nil, fmt.Errorf("{{%s}}: the scenario has no users (see users:)", name)
		}
		i := slices.Index(sc.userFields, field)
		if len(sc.userFields) == 0 {
			return nil, fmt.Errorf("{{%s}}: the users have no fields (see the problem with users:)", name)
		}
		if i < 0 {
			return nil, fmt.Errorf("{{%s}}: users have no field %q; they have %s", name, field, strings.Join(sc.userFields, ", "))
		}
		return &ref{kind: refUser, index: i}, nil
	}
	if i, ok := sc.vars[name]; ok {
		if sc.used != nil {
			sc.used[i] = true
		}
		return &ref{kind: refVar, index: i}, nil
	}
	if i, ok := sc.session[name]; ok {
		sc.sessionUsed[i] = true
		return &ref{kind: refSession, index: i}, nil
	}
	if sc.later[name] && sc.inSession {
		return nil, fmt.Errorf("{{%s}} is not defined here: a session step extracts it only later, or this one does (a step's extractions are for the steps after it)", name)
	}
	if sc.later[name] {
		return nil, fmt.Errorf("{{%s}} is not defined here: a step extracts it only later, or only when a weighted step is chosen", name)
	}
	if strings.HasPrefix(name, "session.") {
		if sc.session == nil && !sc.inSession {
			return nil, fmt.Errorf("{{%s}}: the scenario has no session (see session:)", name)
		}
		return nil, fmt.Errorf("{{%s}}: no session step extracts %s", name, strings.TrimPrefix(name, "session."))
	}
	return nil, fmt.Errorf("undefined template variable {{%s}}: use seq, worker, run_id, user.FIELD, env.NAME or a variable an earlier step extracts", name)
}
