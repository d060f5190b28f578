package runner

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Iteration identifies one iteration of a run: Seq counts iterations across
// all workers from 0, so it is unique within the run; Worker is the index of
// the worker that runs it. Vars holds the iteration's variables
// (Plan.Vars of them, empty when it starts), which steps' Extract set and
// later steps read; only the worker running the iteration touches them.
// With a Plan.Session, User is the iteration's user and Session that
// user's session variables, which nobody changes (a renewal makes new
// ones); without one, both are zero.
type Iteration struct {
	Seq     int64
	Worker  int
	Vars    []string
	User    int
	Session []string
}

// Step is one request of an iteration.
type Step struct {
	// Name labels the step's endpoint in reports and SLO scopes. Steps may
	// share a name; their requests are then counted together.
	Name   string
	Method string
	// Path is resolved against the plan's target: "/api/auth/login".
	Path   string
	Header http.Header
	// Vary, when not nil, returns what changes with the iteration: a path
	// that replaces Path, and headers added to Header.
	Vary func(Iteration) (path string, header http.Header)
	// Body returns the request body for an iteration; nil sends none. A body
	// is sent as application/json unless Header sets a Content-Type.
	Body func(Iteration) []byte
	// Expect lists statuses that count as ok besides 2xx (a 409 in a
	// register storm).
	Expect []int
	// Extract, when not nil, reads the body of an ok response into
	// it.Vars. When a value is missing it returns an error that names the
	// variable and where it was looked for ("token: $.token not found in
	// body"): the response is then of ClassExtractFailed, which ends the
	// iteration, and the error's text is its failure message. The text
	// should not vary from one request to the next (see Message).
	Extract func(it Iteration, body []byte) error
	// Skip, when not nil, reports whether an iteration leaves the step out
	// (one of a weighted mix that was not chosen).
	Skip func(Iteration) bool
	// Retry says whether a 503 or 429 is tried again; the zero Retry never.
	Retry Retry
}

// Retry is a step's retry policy: an answer of 503 or 429 is sent again,
// after the wait its Retry-After asks for (one second when it has none) but
// at most MaxWait, up to Max times. Every attempt is recorded as itself.
type Retry struct {
	Max     int
	MaxWait time.Duration
}

// retries reports whether an attempt answered with status is sent again
// after attempt retries.
func (r Retry) retries(status, attempt int) bool {
	return attempt < r.Max && (status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests)
}

// Plan is everything a run needs. An iteration runs the steps in order; a
// step whose request is not ok ends the iteration.
type Plan struct {
	Scenario string
	Target   *url.URL
	Steps    []Step
	Load     Load
	// Timeout bounds each request, from sending it to reading its body.
	Timeout time.Duration
	// Classifier gives responses their class; see DefaultClassifier.
	Classifier Classifier
	// Vars is how many variables an iteration has (see Iteration.Vars).
	Vars int
	// Progress, when not nil, is updated as requests complete.
	Progress *Progress
	// RawSinks receive a record of every request, and IntervalSinks each
	// second of the run, while it goes on; one sink may be in both.
	RawSinks      []RawSink
	IntervalSinks []IntervalSink
	// TLSConfig, when not nil, replaces the https:// client's TLS
	// settings (the system's roots by default): the user's options, made
	// by TLSOptions.Config. The run uses a copy, with its own ALPN
	// protocols, the target's host as ServerName when it names none, and a
	// session cache when it has none: the plan's stays as it is.
	TLSConfig *tls.Config
	// HTTP2 sends the requests over HTTP/2 through net/http (h2 over TLS,
	// h2c with prior knowledge for http://), many workers sharing a
	// connection; without it each worker has its own HTTP/1.1 connection.
	HTTP2 bool
	// ProtocolLog, when not nil, is where the process's log goes: its
	// entries during the run count as protocol events.
	ProtocolLog *ProtocolLog
	// Setup, when not nil, is the report of the setup phase that came
	// before the run (see Setup); the Result carries it.
	Setup *SetupReport
	// Session, when not nil, gives each user a session, opened before the
	// load and renewed during it (see Session).
	Session *Session
}

// Validate reports a plan that cannot run.
func (p Plan) Validate() error {
	var errs []error
	if err := CheckTarget(p.Target); err != nil {
		errs = append(errs, err)
	}
	if len(p.Steps) == 0 {
		errs = append(errs, errors.New("the plan has no steps"))
	}
	steps := p.Steps
	if p.Session != nil {
		if err := p.Session.validate(); err != nil {
			errs = append(errs, err)
		}
		steps = append(steps[:len(steps):len(steps)], p.Session.Steps...)
	}
	for i, s := range steps {
		if s.Name == "" {
			errs = append(errs, fmt.Errorf("step %d has no name", i+1))
		}
		if !IsToken(s.Method) {
			errs = append(errs, fmt.Errorf("step %q: invalid method %q", s.Name, s.Method))
		}
		if _, err := url.Parse(s.Path); err != nil {
			errs = append(errs, fmt.Errorf("step %q: invalid path %q: %v", s.Name, s.Path, err))
		}
		if s.Retry.Max < 0 || s.Retry.Max > 0 && s.Retry.MaxWait <= 0 {
			errs = append(errs, fmt.Errorf("step %q: retry needs a positive count and wait, got %d and %s", s.Name, s.Retry.Max, s.Retry.MaxWait))
		}
	}
	if err := p.Classifier.Validate(); err != nil {
		errs = append(errs, err)
	}
	if p.Vars < 0 {
		errs = append(errs, fmt.Errorf("negative variable count %d", p.Vars))
	}
	if err := CheckTimeout(p.Timeout, "timeout"); err != nil {
		errs = append(errs, err)
	}
	if err := p.Load.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// CheckTimeout reports a request timeout that is not positive; name is
// how the caller's user sets it (a flag, a file's key).
func CheckTimeout(d time.Duration, name string) error {
	if d <= 0 {
		return fmt.Errorf("%s must be positive, got %s", name, d)
	}
	return nil
}

// IsToken reports whether m is a non-empty HTTP token, as a method or a
// header name must be.
func IsToken(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}
