package runner

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/servermetrics"
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
	// Expect lists the answers that count as ok besides 2xx: a Rule
	// without a Body accepts its status (a 409 in a register storm), one
	// with a Body only the answers of its status whose body it matches (a
	// 400 whose error code says "duplicate").
	Expect []Rule
	// Classes are the step's own classes, tried before the Classifier's
	// (a 200 without a token, of a login step). Each Class is one of the
	// Classifier's custom classes.
	Classes []StepClass
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
	// Retry says which answers are tried again; the zero Retry none.
	Retry Retry
}

// Retry is a step's retry policy: an answer that is not ok and whose
// status is in On (429 and 503 when On is nil) is sent again, up to Max
// times, after the wait its Retry-After asks for or, without a readable one,
// after a back-off with jitter (see retryWait); never after more than
// MaxWait. Every attempt is recorded as itself.
type Retry struct {
	Max     int
	MaxWait time.Duration
	On      []int
}

// defaultRetryStatuses are the statuses a Retry retries when its On is nil.
var defaultRetryStatuses = []int{http.StatusTooManyRequests, http.StatusServiceUnavailable}

// statuses returns the statuses r retries.
func (r Retry) statuses() []int {
	if r.On == nil {
		return defaultRetryStatuses
	}
	return r.On
}

// retries reports whether an attempt answered with status is sent again
// after attempt retries.
func (r Retry) retries(status, attempt int) bool {
	return attempt < r.Max && slices.Contains(r.statuses(), status)
}

// Validate reports a policy that cannot work for a step expecting expect:
// a negative count, no wait, or in On a status that is not one (100 to
// 999) or that is ok (a 2xx or an expected status), which is never retried.
// The default statuses are not checked against expect: a step that expects
// a 429 simply never retries it.
func (r Retry) Validate(expect []Rule) error {
	if r.Max < 0 || r.Max > 0 && r.MaxWait <= 0 {
		return fmt.Errorf("retry needs a positive count and wait, got %d and %s", r.Max, r.MaxWait)
	}
	for _, status := range r.On {
		switch {
		case status < 100 || status > 999:
			return fmt.Errorf("retry on %d: a status is 100 to 999", status)
		case status >= 200 && status <= 299 || slices.ContainsFunc(expect, func(e Rule) bool { return e.Status == status && e.Body == nil }):
			return fmt.Errorf("retry on %d: the status is ok for the step (a 2xx or expected), and an ok answer is never retried", status)
		}
	}
	return nil
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
	// ServerMetrics are where the servers' own metrics are read: once as
	// the load begins and once after its last answer (see Result.Server).
	ServerMetrics []servermetrics.Source
	// ServerNames map the names the server's view is read through to
	// another service's metrics (servermetrics.ParseNames); nil: the
	// reference API's.
	ServerNames map[string]string
	// Identity names the run and what it runs, for the result (and for the
	// merge of shards); the runner only passes it on.
	Identity Identity
	// RequestIDHeader, when not empty, is a header every attempt carries
	// with a value of its own (see requestIDs), so that a failed request
	// can be found in the server's logs; RawRecord and Message carry it.
	RequestIDHeader string
}

// Identity names a run: the shards of one run share it.
type Identity struct {
	// RunID is the run's identifier; PlanDigest a digest of what it runs
	// (scenario, load, SLOs, target), so that results of different plans
	// are never taken for parts of one run.
	RunID, PlanDigest string
	// StartAt is the time the load begins (run --start-at), once the
	// sessions are open; zero: at once. A load that would begin later than
	// MaxLate after it does not begin: Run returns a *LateError.
	StartAt time.Time
	MaxLate time.Duration
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
		for _, c := range s.Classes {
			if c.Class < NumBuiltinClasses || int(c.Class) >= NumBuiltinClasses+len(p.Classifier.Custom) {
				errs = append(errs, fmt.Errorf("step %q: class %d is not one of the classifier's custom classes", s.Name, c.Class))
			}
		}
		if err := s.Retry.Validate(s.Expect); err != nil {
			errs = append(errs, fmt.Errorf("step %q: %w", s.Name, err))
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
