package runner

import (
	"fmt"
	"net/http"
	"slices"
)

// Class is the outcome class of one request (docs/contracts.md §4). Every
// request gets exactly one. Dropped arrivals are not requests and have no Class.
// Classes from NumBuiltinClasses up are a scenario's own (Classifier.Custom).
type Class uint8

const (
	ClassOK            Class = iota // 2xx, or a status the step expects
	ClassClientError                // 4xx, and any other status that is not ok and not a 5xx (1xx, an unfollowed 3xx, below 100, 600 and up)
	ClassLockTimeout                // a response the lock-timeout rule matches
	ClassUnavailable                // any other 503
	ClassServerError                // any other 5xx: 500-599
	ClassTransport                  // no HTTP response: see TransportKind
	ClassExtractFailed              // an ok response without a value the step extracts
	NumBuiltinClasses  = iota
)

// MaxClasses bounds the classes of a run, built-in and custom.
const MaxClasses = 16

var builtinClassNames = [NumBuiltinClasses]string{"ok", "client_error", "lock_timeout", "unavailable", "server_error", "transport", "extract_failed"}

// String returns a built-in class's name as reports and the result JSON
// spell it; a custom class's name is in its Classifier.
func (c Class) String() string {
	if c < NumBuiltinClasses {
		return builtinClassNames[c]
	}
	return fmt.Sprintf("custom class %d", c-NumBuiltinClasses)
}

// BuiltinClassNames returns the names of the built-in classes, in Class order.
func BuiltinClassNames() []string { return builtinClassNames[:] }

// BodyMatcher tells whether a response body matches. A *regexp.Regexp is one.
type BodyMatcher interface {
	Match(body []byte) bool
}

// Rule matches responses with Status whose body Body matches (any body when
// Body is nil). The zero Rule matches nothing.
type Rule struct {
	Status int
	Body   BodyMatcher
}

// Matches reports whether a response with status and body matches r.
func (r Rule) Matches(status int, body []byte) bool {
	return status == r.Status && status != 0 && (r.Body == nil || r.Body.Match(body))
}

// Substrings matches a body that contains any of its strings, compared
// without regard to ASCII case. It does not allocate.
type Substrings []string

// Match implements BodyMatcher.
func (s Substrings) Match(body []byte) bool {
	for _, sub := range s {
		if containsFold(body, sub) {
			return true
		}
	}
	return false
}

// ClassRule is a custom class: the responses its Rule matches.
type ClassRule struct {
	Name string
	Rule Rule
}

// Classifier gives each response its outcome class. A step's own classes
// are tried first (Step.Classes), then the custom rules, in order, then
// Lock, then the status alone decides, with what the step expects. The
// zero Classifier tells no lock timeouts apart. A custom class with the
// zero Rule is matched by the steps' own rules alone.
type Classifier struct {
	Lock   Rule
	Custom []ClassRule
}

// DefaultClassifier is the seed service's: a lock timeout is a 503 whose body
// mentions "temporarily busy" or "storage lock timeout".
func DefaultClassifier() Classifier {
	return Classifier{Lock: Rule{Status: http.StatusServiceUnavailable, Body: Substrings{"temporarily busy", "storage lock timeout"}}}
}

// StepClass is a class of one step's own: the answers to the step that Rule
// matches are of Class, one of the custom classes of the run's Classifier.
type StepClass struct {
	Class Class
	Rule  Rule
}

// Classify returns the class of a response with status and body to a step
// whose own classes are own and that accepts the answers expect matches
// (beyond 2xx). own is tried first, then c's custom rules, then c.Lock, then
// 2xx and expect; it does not allocate unless a body matcher does.
func (c Classifier) Classify(status int, body []byte, own []StepClass, expect []Rule) Class {
	for _, r := range own {
		if r.Rule.Matches(status, body) {
			return r.Class
		}
	}
	for i, r := range c.Custom {
		if r.Rule.Matches(status, body) {
			return Class(NumBuiltinClasses + i)
		}
	}
	switch {
	case c.Lock.Matches(status, body):
		return ClassLockTimeout
	case status >= 200 && status < 300, matchesAny(expect, status, body):
		return ClassOK
	case status == http.StatusServiceUnavailable:
		return ClassUnavailable
	case status >= 500 && status <= 599:
		return ClassServerError
	default:
		return ClassClientError
	}
}

// matchesAny reports whether a rule of rules matches status and body.
func matchesAny(rules []Rule, status int, body []byte) bool {
	for _, r := range rules {
		if r.Matches(status, body) {
			return true
		}
	}
	return false
}

// Names returns the names of c's classes, in Class order: the built-in ones,
// then the custom ones.
func (c Classifier) Names() []string {
	names := slices.Clone(BuiltinClassNames())
	for _, r := range c.Custom {
		names = append(names, r.Name)
	}
	return names
}

// Validate reports custom classes that are too many, unnamed or named twice.
func (c Classifier) Validate() error {
	if n := len(c.Custom); n > MaxClasses-NumBuiltinClasses {
		return fmt.Errorf("%d custom classes; at most %d are allowed", n, MaxClasses-NumBuiltinClasses)
	}
	names := BuiltinClassNames()
	for _, r := range c.Custom {
		if r.Name == "" || slices.Contains(names, r.Name) {
			return fmt.Errorf("custom class %q: a class needs a name of its own", r.Name)
		}
		names = append(names, r.Name)
	}
	return nil
}

// bodyStatuses adds to set the statuses whose body a rule of c reads.
func (c Classifier) bodyStatuses(set *statusSet) {
	set.addBodyRule(c.Lock)
	for _, r := range c.Custom {
		set.addBodyRule(r.Rule)
	}
}

// addBodyRule adds r's status when r reads the body.
func (s *statusSet) addBodyRule(r Rule) {
	if r.Body != nil {
		s.add(r.Status)
	}
}

// statusSet is a set of status codes below maxStatus.
type statusSet [maxStatus/64 + 1]uint64

func (s *statusSet) add(status int) {
	if status >= 0 && status < maxStatus {
		s[status/64] |= 1 << (status % 64)
	}
}

// has reports whether s has status; a nil set has none.
func (s *statusSet) has(status int) bool {
	return s != nil && status >= 0 && status < maxStatus && s[status/64]&(1<<(status%64)) != 0
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
