package slo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/runner"
)

// Verdict is an SLO judged against a result.
type Verdict struct {
	SLO    SLO
	Actual float64 // in SLO.Unit; 0 when there were no samples
	Pass   bool
	// Reason explains the verdict: "412.3ms < 500ms", "3 is not == 0", "no samples".
	Reason string
	// Limit marks a baseline's limit (BaselineVerdicts), counted apart
	// from the SLOs.
	Limit bool
	// NoSamples marks an SLO whose scope had no requests: it failed, and
	// Actual means nothing.
	NoSamples bool
}

// Judge evaluates every SLO against r, in order.
func Judge(r *runner.Result, slos []SLO) []Verdict {
	verdicts := make([]Verdict, len(slos))
	for i, s := range slos {
		verdicts[i] = s.Evaluate(r)
	}
	return verdicts
}

// Passed reports whether every verdict passed.
func Passed(verdicts []Verdict) bool {
	for _, v := range verdicts {
		if !v.Pass {
			return false
		}
	}
	return true
}

// Evaluate judges s against r. An SLO whose scope had no requests, or whose
// metric r does not count (see counted), fails with the reason "no
// samples".
func (s SLO) Evaluate(r *runner.Result) Verdict {
	if s.server != nil {
		return s.evaluateServer(r)
	}
	stats := r.Total
	if s.Scope != "" {
		stats = r.Endpoint(s.Scope)
	}
	if stats == nil || stats.Requests() == 0 || !s.counted(r, stats) {
		return Verdict{SLO: s, Reason: "no samples", NoSamples: true}
	}
	return s.verdict(s.actual(r, stats))
}

// verdict compares actual with s's threshold.
func (s SLO) verdict(actual float64) Verdict {
	v := Verdict{SLO: s, Actual: actual, Pass: s.Op.holds(actual, s.Threshold)}
	if v.Pass {
		v.Reason = fmt.Sprintf("%s %s %s", s.Format(actual), s.Op, s.Format(s.Threshold))
	} else {
		v.Reason = fmt.Sprintf("%s is not %s %s", s.Format(actual), s.Op, s.Format(s.Threshold))
	}
	return v
}

// counted reports whether r counts the metric for stats: a result from a
// file older than the drop causes, the iterations or the retries and first
// attempts (or merged with one) has zeros there that were never measured.
func (s SLO) counted(r *runner.Result, stats *runner.EndpointStats) bool {
	switch {
	case s.firstAttempt || s.Metric == "retries":
		return stats.AttemptsKnown()
	case s.Metric == "dropped_no_worker", s.Metric == "dropped_behind":
		return r.DropCausesKnown()
	case s.Metric == "iterations", s.Metric == "iteration_rate":
		return r.IterationsKnown()
	}
	return true
}

// actual is the measured value of the metric, in s.Unit; a first_attempt.
// metric reads the first attempts of stats alone.
func (s SLO) actual(r *runner.Result, stats *runner.EndpointStats) float64 {
	if s.firstAttempt {
		stats = firstAttemptsOf(stats)
	}
	switch s.kind {
	case kindLatency:
		return format.Milliseconds(s.latency(stats))
	case kindRate:
		if s.Unit == UnitIterationsPerSecond {
			return r.IterationRate()
		}
		return r.RPS(stats)
	case kindErrorRate:
		return format.Percent(stats.Errors(), stats.Requests())
	}
	count := s.count(r, stats)
	switch {
	case s.Unit == UnitPercent && slices.Contains(droppedMetrics, s.Metric):
		return format.Percent(count, r.Arrivals) // dropped arrivals are never requests; none in the closed model
	case s.Unit == UnitPercent:
		return format.Percent(count, stats.Requests())
	}
	return float64(count)
}

// firstAttemptsOf returns stats' first attempts as statistics of their own,
// for the metrics that their classes answer (see firstAttemptMetrics): only
// its classes are set.
func firstAttemptsOf(stats *runner.EndpointStats) *runner.EndpointStats {
	return &runner.EndpointStats{Name: stats.Name, Classes: stats.FirstAttempt}
}

func (s SLO) latency(stats *runner.EndpointStats) time.Duration {
	switch s.Metric {
	case "min":
		return stats.Min()
	case "mean":
		return stats.Mean()
	case "max":
		return stats.Max()
	default:
		return stats.Percentile(s.percent)
	}
}

func (s SLO) count(r *runner.Result, stats *runner.EndpointStats) int64 {
	if s.class != "" {
		i := slices.Index(r.Classes(), s.class)
		if i < 0 {
			return 0 // a class this run did not have
		}
		return stats.Classes[i]
	}
	switch strings.TrimPrefix(s.Metric, firstAttemptPrefix) {
	case "requests":
		return stats.Requests()
	case "errors":
		return stats.Errors()
	case "lock_timeouts":
		return stats.LockTimeouts()
	case "status_5xx":
		return stats.StatusRange(500, 599)
	case "transport_errors":
		return stats.TransportErrors()
	case "dropped":
		return r.Dropped
	case "dropped_no_worker":
		return r.DroppedNoWorker
	case "dropped_behind":
		return r.DroppedBehind
	case "iterations":
		return r.Iterations
	case "retries":
		return stats.Retries
	default:
		return stats.Status(s.status)
	}
}

// Format writes a value in s's unit the way a person reads it.
func (s SLO) Format(v float64) string {
	switch s.Unit {
	case UnitMilliseconds:
		return format.Number(v, 3) + "ms"
	case UnitPercent:
		return format.Number(v, 3) + "%"
	case UnitPerSecond, UnitIterationsPerSecond:
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + string(s.Unit)
	default:
		return format.Number(v, 3)
	}
}
