package slo

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/internal/logscan"
)

// ParseLogs parses an SLO on a service's log (loadgate logs --slo), in the
// grammar of Parse with the metrics a log gives (docs/contracts.md §3):
//
//	slo     = metric op value
//	metric  = "requests" | "errors" | "lock_timeouts" | "status_5xx" | "status_" code   counts
//	        | "storage_lock_timeout"          the same as lock_timeouts
//	        | "errors." kind                  errors of one error_kind: errors.auth_error
//	        | "error_rate"                    errors as a percentage of requests
//	        | timing "." latency              timing = "lock_acquire" | "lock_hold" | "error_latency"
//	latency = "p" number | "min" | "mean" | "max"
//
// A count takes a number or a percentage of requests; a latency a
// duration. lock_acquire and lock_hold are the lock wait and hold times
// the service logs (wait_ms, hold_ms); error_latency the duration_ms of
// its error records.
func ParseLogs(expr string) (SLO, error) {
	return parseWith(expr, (*SLO).setLogMetric)
}

// logTimings are the scopes of a log's latency metrics.
var logTimings = []string{"lock_acquire", "lock_hold", "error_latency"}

var logCounts = []string{"requests", "errors", "lock_timeouts", "status_5xx"}

var errorKindRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func (s *SLO) setLogMetric(lhs string) error {
	if scope, latency, ok := strings.Cut(lhs, "."); ok && slices.Contains(logTimings, scope) {
		if s.readMetric(latency, nil) && s.kind == kindLatency {
			s.Scope = scope
			return nil
		}
		return fmt.Errorf("%q after %s. is not a latency: want p<percentile>, min, mean or max", latency, scope)
	}
	if kind, ok := strings.CutPrefix(lhs, "errors."); ok {
		if !errorKindRE.MatchString(kind) {
			return fmt.Errorf("%q is not an error kind such as storage_lock_timeout or auth_error", kind)
		}
		s.Metric, s.kind, s.Unit, s.class = lhs, kindCount, UnitCount, kind
		return nil
	}
	name := lhs
	if name == logscan.KindLockTimeout {
		name = "lock_timeouts"
	}
	if (slices.Contains(logCounts, name) || name == "error_rate" || statusRE.MatchString(name)) && s.readMetric(name, nil) {
		s.Metric = lhs
		return nil
	}
	return fmt.Errorf("unknown metric %q for a log: want requests, errors, error_rate, lock_timeouts (or storage_lock_timeout), "+
		"status_5xx, status_<code>, errors.<error_kind>, or lock_acquire., lock_hold. or error_latency. then p<percentile>, min, mean or max", lhs)
}

// JudgeLogs evaluates every SLO (from ParseLogs) against a log's summary,
// in order. A latency with no values, and a percentage or error_rate of a
// log without requests, fail with "no samples"; a count of none is 0.
func JudgeLogs(sum *logscan.Summary, slos []SLO) []Verdict {
	verdicts := make([]Verdict, len(slos))
	for i, s := range slos {
		actual, ok := s.logActual(sum)
		if !ok {
			verdicts[i] = Verdict{SLO: s, Reason: "no samples", NoSamples: true}
			continue
		}
		verdicts[i] = s.verdict(actual)
	}
	return verdicts
}

func (s SLO) logActual(sum *logscan.Summary) (float64, bool) {
	if s.kind == kindLatency {
		h := map[string]*hdrhistogram.Histogram{"lock_acquire": sum.LockAcquire, "lock_hold": sum.LockHold,
			"error_latency": sum.ErrorLatency}[s.Scope]
		if h.TotalCount() == 0 {
			return 0, false
		}
		var us int64
		switch s.Metric {
		case "min":
			us = h.Min()
		case "mean":
			us = int64(h.Mean())
		case "max":
			us = h.Max()
		default:
			us = h.ValueAtQuantile(s.percent)
		}
		return float64(us) / 1000, true
	}
	var count int64
	switch {
	case s.kind == kindErrorRate || s.Metric == "errors":
		count = sum.Errors
	case s.class != "":
		count = sum.ByKind[s.class]
	case s.Metric == "requests":
		count = sum.Requests
	case s.Metric == "lock_timeouts", s.Metric == logscan.KindLockTimeout:
		count = sum.LockTimeouts.Total
	case s.Metric == "status_5xx":
		for status, n := range sum.ByStatus {
			if status >= 500 && status <= 599 {
				count += n
			}
		}
	default:
		count = sum.ByStatus[s.status]
	}
	if s.Unit == UnitPercent {
		if sum.Requests == 0 {
			return 0, false
		}
		return format.Percent(count, sum.Requests), true
	}
	return float64(count), true
}
