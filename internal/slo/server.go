package slo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/loadgate/loadgate/runner"
)

// serverPrefix starts a metric of the server's own view of the run
// (runner.Result.Server), read from its metrics:
//
//	server.lock_wait.p<n>, server.lock_hold.p<n>   lock wait and hold percentiles
//	server.<endpoint>.p<n>                         handling time of an endpoint
//	server.lock_timeouts                           lock timeouts (count or % of requests)
//	server.requests, server.errors                 requests, those with an error kind
//	server.errors.<kind>                           those of one error kind
//	server.error_rate                              errors as a percentage of requests
const serverPrefix = "server."

// serverMetric is what a server. SLO reads.
type serverMetric struct {
	name  string // a servermetrics Name: NameLockWait, NameDuration, ...
	label string // narrows name to the series whose label is value
	value string
	// errors counts the requests with an error kind, any.
	errors bool
}

// setServerMetric reads the metric after "server.".
func (s *SLO) setServerMetric(rest string) error {
	s.Metric, s.kind, s.Unit = serverPrefix+rest, kindCount, UnitCount
	m := &serverMetric{}
	s.server = m
	head, tail, dotted := cutLastPercentile(rest)
	switch {
	case dotted:
		p, _ := strconv.ParseFloat(tail[1:], 64)
		s.kind, s.Unit, s.percent = kindLatency, UnitMilliseconds, p
		switch head {
		case servermetrics.NameLockWait, servermetrics.NameLockHold:
			m.name = head
		default:
			if !plainScope(head) {
				return fmt.Errorf("%q is not a server metric: want server.lock_wait.p<n>, server.lock_hold.p<n> or server.<endpoint>.p<n>", s.Metric)
			}
			m.name, m.label, m.value = servermetrics.NameDuration, servermetrics.LabelEndpoint, head
		}
	case rest == servermetrics.NameLockTimeouts:
		m.name = rest
	case rest == "requests":
		m.name = servermetrics.NameRequests
	case rest == "errors":
		m.name, m.errors = servermetrics.NameRequests, true
	case rest == "error_rate":
		m.name, m.errors = servermetrics.NameRequests, true
		s.kind, s.Unit = kindErrorRate, UnitPercent
	case strings.HasPrefix(rest, "errors.") && plainScope(rest[len("errors."):]):
		m.name, m.label, m.value = servermetrics.NameRequests, servermetrics.LabelErrorKind, rest[len("errors."):]
	default:
		return fmt.Errorf("unknown server metric %q: want server.lock_wait.p<n>, server.lock_hold.p<n>, server.<endpoint>.p<n>, "+
			"server.lock_timeouts, server.requests, server.errors, server.errors.<kind> or server.error_rate", s.Metric)
	}
	return nil
}

// cutLastPercentile splits "a.b.p99.9" into "a.b" and "p99.9" when it
// ends in a percentile.
func cutLastPercentile(s string) (head, p string, ok bool) {
	for i := strings.IndexByte(s, '.'); i > 0; i = nextDot(s, i) {
		if m := percentileRE.FindString(s[i+1:]); m == s[i+1:] && m != "" {
			v, _ := strconv.ParseFloat(m[1:], 64)
			return s[:i], m, v > 0 && v <= 100
		}
	}
	return s, "", false
}

// plainScope reports whether s names an endpoint or an error kind: letters,
// digits, - and _.
func plainScope(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// evaluateServer judges a server. SLO against r's server view. A
// percentile is the bucket that holds it: judged by the bucket's bound on
// the side that makes the verdict certain (its upper bound for < and <=,
// its lower bound for > and >=), so it is never wrong by more than the
// bucket, which the reason shows.
func (s SLO) evaluateServer(r *runner.Result) Verdict {
	v := r.Server
	noSamples := Verdict{SLO: s, Reason: "no samples", NoSamples: true}
	if v == nil || len(v.Series) == 0 {
		return noSamples
	}
	m := s.server
	sel := v.Selector(m.name)
	if m.label != "" {
		sel = sel.With(m.label, m.value)
	}
	var actual float64
	bracket := ""
	switch s.kind {
	case kindLatency:
		h := v.Histogram(sel)
		if h == nil {
			return noSamples
		}
		b, ok := h.Quantile(s.percent / 100)
		if !ok {
			return noSamples
		}
		bound := b.Upper
		if s.Op == OpGreater || s.Op == OpGreaterEqual {
			bound = b.Lower
		}
		actual = bound * 1000
		bracket = fmt.Sprintf(" (in %s)", bucketText(b))
	default:
		if !v.Has(sel.Name) {
			return noSamples
		}
		count, requests := s.serverCounts(v, sel)
		actual = count
		if s.Unit == UnitPercent {
			if requests == 0 {
				return noSamples
			}
			actual = count / requests * 100
		}
	}
	verdict := Verdict{SLO: s, Actual: actual, Pass: s.Op.holds(actual, s.Threshold)}
	if verdict.Pass {
		verdict.Reason = fmt.Sprintf("%s%s %s %s", s.Format(actual), bracket, s.Op, s.Format(s.Threshold))
	} else {
		verdict.Reason = fmt.Sprintf("%s%s is not %s %s", s.Format(actual), bracket, s.Op, s.Format(s.Threshold))
	}
	return verdict
}

// serverCounts returns the count a counting server. SLO reads through sel,
// and the server's requests, of which a percentage is taken.
func (s SLO) serverCounts(v *servermetrics.View, sel servermetrics.Selector) (count, requests float64) {
	requests, _ = v.Counter(v.Selector(servermetrics.NameRequests))
	if s.server.errors {
		ok, _ := v.Counter(sel.With(servermetrics.LabelErrorKind, ""))
		return requests - ok, requests
	}
	count, _ = v.Counter(sel)
	return count, requests
}

// bucketText writes a bucket's bounds: "(48.2ms, 52.6ms]", "(476ns, 519ns]".
func bucketText(b servermetrics.Bracket) string {
	upper := "+Inf"
	if !math.IsInf(b.Upper, 1) {
		upper = format.Bound(seconds(b.Upper))
	}
	return fmt.Sprintf("(%s, %s]", format.Bound(seconds(b.Lower)), upper)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
