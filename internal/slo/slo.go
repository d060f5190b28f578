// Package slo is the SLO language (docs/contracts.md §3): it parses SLO
// expressions and baseline limits once, before a run, into values, and
// judges a runner.Result against them. It renders nothing but the one-line
// reason of each verdict; the reports render the verdicts.
package slo

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// Parse parses one SLO expression. The grammar (docs/contracts.md §3):
//
//	slo     = [ scope "." ] metric op value
//	scope   = an endpoint name of the scenario: "login", "register", ...
//	metric  = "p" number                 latency percentile, 0 < number <= 100: p50 p95 p99.9
//	        | "min" | "mean" | "max"     latency
//	        | "rps"                      achieved requests per second (of those that reached the server)
//	        | "iteration_rate"           achieved iterations per second (started)
//	        | "requests" | "errors" | "lock_timeouts" | "status_503" | "status_5xx"
//	        | "status_" 3-digit code | "transport_errors"                 counts
//	        | "dropped" | "dropped_no_worker" | "dropped_behind"        open-model arrivals dropped
//	        | "iterations"               iterations started
//	        | "retries"                  attempts that were retries (count or percentage of requests)
//	        | "error_rate"               errors compared as a percentage of requests
//	        | class                      requests of an outcome class (count or percentage):
//	                                     ok, client_error, unavailable, server_error, transport,
//	                                     extract_failed, lock_timeout, or one of the classes given
//	        | "first_attempt." counted   the same of first attempts alone, as a client that
//	                                     never retries saw them; a percentage is of first attempts
//	counted = "error_rate" | "requests" | "errors" | "lock_timeouts" | "transport_errors" | class
//	op      = "<" | "<=" | ">" | ">=" | "=="
//	value   = duration ("800us", "250ms", "1.2s") for latency metrics
//	        | number for counts and rates
//	        | percentage ("0.5%") for a count metric: that count / requests
//	          (of arrivals for the dropped ones, which are never requests;
//	          none for iterations)
//
// Spaces around the parts are allowed. A malformed expression gives an
// *Error that quotes it and points at the bad part. classes are a
// scenario's own outcome classes (runner.Classifier.Custom), each a metric
// too. Whether a scope names a real endpoint is checked later, by
// CheckScopes.
func Parse(expr string, classes ...string) (SLO, error) {
	return parseWith(expr, func(s *SLO, lhs string) error {
		if rest, ok := strings.CutPrefix(lhs, serverPrefix); ok {
			return s.setServerMetric(rest)
		}
		return s.setMetric(lhs, classes)
	})
}

// parseWith parses expr, reading "[scope.]metric" with setMetric (the
// metrics of a run's result, or those of a log: ParseLogs).
func parseWith(expr string, setMetric func(s *SLO, lhs string) error) (SLO, error) {
	opAt := strings.IndexAny(expr, "<>=")
	if opAt < 0 {
		return SLO{}, sloError(expr, len(expr), "no comparison: use one of < <= > >= ==, as in p95<500ms")
	}
	op, opLen, err := parseOp(expr[opAt:])
	if err != nil {
		return SLO{}, sloError(expr, opAt, err.Error())
	}
	slo := SLO{Expr: expr, Op: op}
	lhs := strings.TrimSpace(expr[:opAt])
	if lhs == "" {
		return SLO{}, sloError(expr, 0, "no metric before "+op.String())
	}
	if err := setMetric(&slo, lhs); err != nil {
		at := strings.Index(expr, lhs)
		var unknown *unknownMetricError
		if errors.As(err, &unknown) && unknown.scope != "" {
			e := sloError(expr, at+len(unknown.scope)+1, err.Error())
			e.Scope = unknown.scope
			return SLO{}, e
		}
		return SLO{}, sloError(expr, at, err.Error())
	}
	valueAt := opAt + opLen
	value := strings.TrimSpace(expr[valueAt:])
	if value != "" {
		valueAt = strings.Index(expr[valueAt:], value) + valueAt
	}
	if err := slo.setThreshold(value); err != nil {
		return SLO{}, sloError(expr, valueAt, err.Error())
	}
	return slo, nil
}

// SLO is one parsed SLO expression.
type SLO struct {
	Expr  string
	Scope string // an endpoint name; "" for all endpoints
	// Metric is the metric as written after the scope: "p95", "error_rate".
	Metric    string
	Op        Op
	Threshold float64 // in Unit
	Unit      Unit
	kind      metricKind
	percent   float64 // the percentile of a "p" metric
	status    int     // the code of a "status_NNN" metric
	class     string  // the outcome class of a class metric
	// firstAttempt marks a "first_attempt." metric: it counts first
	// attempts alone.
	firstAttempt bool
	// server, when not nil, makes the metric a "server." one, read from
	// the server's own view of the run.
	server *serverMetric
}

// Unit is the unit of an SLO's threshold and of the actual value it is
// compared with.
type Unit string

const (
	UnitMilliseconds Unit = "ms"
	UnitCount        Unit = "count"
	UnitPercent      Unit = "%"
	UnitPerSecond    Unit = "req/s"
	// UnitIterationsPerSecond is iteration_rate's.
	UnitIterationsPerSecond Unit = "iter/s"
)

type metricKind uint8

const (
	kindLatency metricKind = iota
	kindRate
	kindCount
	kindErrorRate
)

// Error is a malformed SLO expression.
type Error struct {
	Expr   string
	Column int // 1-based position of the bad part
	Msg    string
	// Scope is, for an unknown metric, the scope the expression seems to
	// have ("session" in "session.retriez<1"); "" otherwise.
	Scope string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid SLO %q: %s (column %d)", e.Expr, e.Msg, e.Column)
}

func sloError(expr string, offset int, msg string) *Error {
	return &Error{Expr: expr, Column: offset + 1, Msg: msg}
}

// Op is a comparison operator.
type Op uint8

const (
	OpLess Op = iota
	OpLessEqual
	OpGreater
	OpGreaterEqual
	OpEqual
)

var opNames = [...]string{"<", "<=", ">", ">=", "=="}

func (o Op) String() string { return opNames[o] }

// holds reports whether "actual op threshold" is true.
func (o Op) holds(actual, threshold float64) bool {
	switch o {
	case OpLess:
		return actual < threshold
	case OpLessEqual:
		return actual <= threshold
	case OpGreater:
		return actual > threshold
	case OpGreaterEqual:
		return actual >= threshold
	default:
		return actual == threshold
	}
}

// parseOp reads the operator at the start of s; it returns its length.
func parseOp(s string) (Op, int, error) {
	for _, op := range []Op{OpLessEqual, OpGreaterEqual, OpEqual, OpLess, OpGreater} {
		if strings.HasPrefix(s, op.String()) {
			return op, len(op.String()), nil
		}
	}
	return 0, 0, fmt.Errorf("%q is not an operator: use one of < <= > >= ==", s[:1])
}

var (
	percentileRE = regexp.MustCompile(`^p([0-9]+(\.[0-9]+)?)$`)
	statusRE     = regexp.MustCompile(`^status_([1-9][0-9][0-9])$`)
	countMetrics = []string{"requests", "errors", "lock_timeouts", "status_5xx", "transport_errors",
		"dropped", "dropped_no_worker", "dropped_behind", "iterations", "retries"}
	// firstAttemptMetrics, and every class, are the metrics that
	// first_attempt. takes: those the first attempts' classes answer.
	firstAttemptMetrics = []string{"error_rate", "requests", "errors", "lock_timeouts", "transport_errors"}
	// runMetrics count the whole run, not requests of one endpoint: they
	// take no scope, and a baseline compares them in total only.
	runMetrics = []string{"dropped", "dropped_no_worker", "dropped_behind", "iterations", "iteration_rate"}
	// droppedMetrics take a percentage of arrivals, not of requests.
	droppedMetrics = []string{"dropped", "dropped_no_worker", "dropped_behind"}
)

// CountsDrops reports whether s judges the open model's dropped arrivals,
// in all or by cause.
func (s SLO) CountsDrops() bool { return slices.Contains(droppedMetrics, s.Metric) }

// countsRun reports whether s's metric counts the whole run (runMetrics).
func (s SLO) countsRun() bool { return slices.Contains(runMetrics, s.Metric) }

// firstAttemptPrefix starts a metric of first attempts alone.
const firstAttemptPrefix = "first_attempt."

// setMetric reads "[scope.]metric". A metric alone is tried first, then each
// dot from the left as the end of a scope, so "p99.9" and "login.p99.9" both
// work. An unknown metric is an *unknownMetricError.
func (s *SLO) setMetric(lhs string, classes []string) error {
	if s.readMetric(lhs, classes) {
		return nil
	}
	for i := strings.IndexByte(lhs, '.'); i >= 0; i = nextDot(lhs, i) {
		if i > 0 && !isFirstAttemptScope(lhs[:i]) && s.readMetric(lhs[i+1:], classes) {
			s.Scope = lhs[:i]
			return nil
		}
	}
	return newUnknownMetric(lhs, classes)
}

// isFirstAttemptScope reports whether scope ends with "first_attempt",
// which starts a metric and never ends a scope: "first_attempt.p95" is a
// metric first attempts do not have, not p95 of a step "first_attempt".
func isFirstAttemptScope(scope string) bool {
	return scope == "first_attempt" || strings.HasSuffix(scope, ".first_attempt")
}

// unknownMetricError is a metric the language does not have, apart from
// the scope written before it.
type unknownMetricError struct {
	scope, metric string
	classes       []string
}

// newUnknownMetric splits lhs, which holds no metric, into the scope and
// the metric its writer seems to have meant: a first_attempt. metric
// starts at "first_attempt.", any other after the first dot, unless lhs
// starts as a percentile does ("p99.9x").
func newUnknownMetric(lhs string, classes []string) *unknownMetricError {
	e := &unknownMetricError{metric: lhs, classes: classes}
	if i := strings.Index(lhs, firstAttemptPrefix); i == 0 || i > 0 && lhs[i-1] == '.' {
		e.scope, e.metric = strings.TrimSuffix(lhs[:i], "."), lhs[i:]
	} else if i := strings.IndexByte(lhs, '.'); i > 0 && !percentileStartRE.MatchString(lhs) {
		e.scope, e.metric = lhs[:i], lhs[i+1:]
	}
	return e
}

var percentileStartRE = regexp.MustCompile(`^p[0-9]+\.`)

func (e *unknownMetricError) Error() string {
	scope := ""
	if e.scope != "" {
		scope = fmt.Sprintf(" (after the scope %q)", e.scope)
	}
	if e.metric == "" {
		return fmt.Sprintf("no metric after the scope %q", e.scope+".")
	}
	classes := strings.Join(append(slices.Clone(runner.BuiltinClassNames()), e.classes...), ", ")
	if e.metric == firstAttemptPrefix+"retries" {
		return fmt.Sprintf("%s%s: a first attempt is never a retry; for the retries, write retries", e.metric, scope)
	}
	if rest, ok := strings.CutPrefix(e.metric, firstAttemptPrefix); ok && IsMetric(rest) {
		return fmt.Sprintf("%s%s: first attempts are counted by class only, not timed and not by status: "+
			"first_attempt. takes error_rate, requests, errors, lock_timeouts, transport_errors or an outcome class (%s); "+
			"for %s, write it without first_attempt. (it then covers every attempt)", e.metric, scope, classes, rest)
	}
	return fmt.Sprintf("unknown metric %q%s: want p<percentile>, min, mean, max, rps, requests, errors, error_rate, "+
		"lock_timeouts, status_503, status_5xx, status_<code>, transport_errors, dropped, dropped_no_worker, dropped_behind, "+
		"iterations, iteration_rate, retries, an outcome class (%s) or first_attempt.<metric>, optionally after an endpoint and a dot",
		e.metric, scope, classes)
}

func nextDot(s string, after int) int {
	j := strings.IndexByte(s[after+1:], '.')
	if j < 0 {
		return -1
	}
	return after + 1 + j
}

// readMetric sets the metric from name and reports whether it is one.
func (s *SLO) readMetric(name string, classes []string) bool {
	s.kind, s.Unit, s.percent, s.status, s.class, s.firstAttempt = 0, "", 0, 0, "", false
	if rest, ok := strings.CutPrefix(name, firstAttemptPrefix); ok {
		if !s.readMetric(rest, classes) || s.class == "" && !slices.Contains(firstAttemptMetrics, rest) {
			return false
		}
		s.Metric, s.firstAttempt = name, true
		return true
	}
	switch {
	case name == "min", name == "mean", name == "max":
		s.kind, s.Unit = kindLatency, UnitMilliseconds
	case percentileRE.MatchString(name):
		p, _ := strconv.ParseFloat(name[1:], 64)
		if p <= 0 || p > 100 {
			return false
		}
		s.kind, s.Unit, s.percent = kindLatency, UnitMilliseconds, p
	case name == "rps":
		s.kind, s.Unit = kindRate, UnitPerSecond
	case name == "iteration_rate":
		s.kind, s.Unit = kindRate, UnitIterationsPerSecond
	case name == "error_rate":
		s.kind, s.Unit = kindErrorRate, UnitPercent
	case statusRE.MatchString(name):
		s.kind, s.Unit = kindCount, UnitCount
		s.status, _ = strconv.Atoi(name[len("status_"):])
	case slices.Contains(countMetrics, name):
		s.kind, s.Unit = kindCount, UnitCount
	case slices.Contains(runner.BuiltinClassNames(), name), slices.Contains(classes, name):
		s.kind, s.Unit, s.class = kindCount, UnitCount, name
	default:
		return false
	}
	s.Metric = name
	return true
}

// IsMetric reports whether name is a metric of the language without a
// scope, a built-in outcome class included: a scenario's own class may not
// take such a name.
func IsMetric(name string) bool {
	var s SLO
	return s.readMetric(name, nil)
}

// setThreshold reads the value in the form the metric takes.
func (s *SLO) setThreshold(value string) error {
	if value == "" {
		return fmt.Errorf("no value after %s", s.Op)
	}
	switch s.kind {
	case kindLatency:
		if _, err := strconv.ParseFloat(value, 64); err == nil {
			return fmt.Errorf("latency %q needs a unit, as in %sms", value, value)
		}
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration such as 800us, 250ms or 1.2s", value)
		}
		s.Threshold = float64(d) / float64(time.Millisecond)
	case kindRate:
		what := "a number of requests per second"
		if s.Unit == UnitIterationsPerSecond {
			what = "a number of iterations per second"
		}
		if strings.HasSuffix(value, "%") {
			return fmt.Errorf("%s takes %s, not a percentage", s.Metric, what)
		}
		return s.setNumber(value, what)
	case kindErrorRate:
		if !strings.HasSuffix(value, "%") {
			return fmt.Errorf("%s takes a percentage, as in 0.5%%, not %q", s.Metric, value)
		}
		return s.setPercent(value)
	case kindCount:
		if s.Metric == "iterations" {
			if strings.HasSuffix(value, "%") {
				return fmt.Errorf("iterations takes a number of iterations, not a percentage")
			}
			return s.setNumber(value, "a number of iterations")
		}
		if strings.HasSuffix(value, "%") {
			return s.setPercent(value)
		}
		return s.setNumber(value, "a count or a percentage such as 1%")
	}
	return nil
}

func (s *SLO) setNumber(value, want string) error {
	n, err := strconv.ParseFloat(value, 64)
	if err != nil || n < 0 || n != n || n > 1e15 {
		return fmt.Errorf("%s takes %s, not %q", s.Metric, want, value)
	}
	s.Threshold = n
	return nil
}

func (s *SLO) setPercent(value string) error {
	n, err := strconv.ParseFloat(strings.TrimSuffix(value, "%"), 64)
	if err != nil || n < 0 || n > 100 || n != n {
		return fmt.Errorf("%q is not a percentage between 0%% and 100%%", value)
	}
	s.Threshold, s.Unit = n, UnitPercent
	return nil
}

// standardScopes are the reference API's endpoints, valid scopes in every
// scenario (docs/contracts.md §3); one the scenario does not use has no
// samples.
var standardScopes = []string{"login", "register", "profile"}

// CheckScopes reports an SLO whose scope is neither a standard endpoint nor
// one of the scenario's endpoints, or that scopes a metric of the whole run
// (dropped and its causes, iterations and iteration_rate count iterations,
// not requests of one endpoint).
func CheckScopes(slos []SLO, endpoints []string) error {
	known := slices.Clone(standardScopes)
	for _, e := range endpoints {
		if !slices.Contains(known, e) {
			known = append(known, e)
		}
	}
	for _, s := range slos {
		switch {
		case s.Scope == "":
		case s.countsRun():
			return fmt.Errorf("invalid SLO %q: %s counts iterations of the whole run, not requests of one endpoint; remove %q",
				s.Expr, s.Metric, s.Scope+".")
		case !slices.Contains(known, s.Scope):
			return fmt.Errorf("invalid SLO %q: unknown endpoint %q; the scopes here are %s",
				s.Expr, s.Scope, strings.Join(known, ", "))
		}
	}
	return nil
}
