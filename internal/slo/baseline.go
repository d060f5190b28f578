package slo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/runner"
)

// Limit is how far one metric may move from a baseline before it is a
// regression: `p95=10%` (10% slower), `p99=50ms` (50 ms slower),
// `error_rate=0.1%` (0.1 percentage points more errors), `rps=5%` (5% less
// throughput), `errors=3` (3 more).
type Limit struct {
	Expr   string
	metric SLO // the metric alone; its Threshold is unused
	// Relative limits are a percentage of the baseline's value; others are
	// in the metric's unit (percentage points for a rate in %).
	Relative bool
	Value    float64
}

// Metric is the limit's metric alone, as an SLO whose threshold is unused.
func (l Limit) Metric() SLO { return l.metric }

// ParseLimits parses a comma-separated list of limits such as
// "p95=10%,error_rate=0.1%". A metric is any SLO metric (scope excluded).
// For a latency, a count or rps, "N%" is relative to the baseline and a
// plain value (a duration for latency) absolute; for error_rate and other
// percentages, "N%" is in percentage points.
func ParseLimits(s string) ([]Limit, error) {
	var limits []Limit
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		metric, value, ok := strings.Cut(part, "=")
		metric, value = strings.TrimSpace(metric), strings.TrimSpace(value)
		if !ok || metric == "" || value == "" {
			return nil, fmt.Errorf("limit %q: write metric=limit, as in p95=10%% or error_rate=0.1%%", part)
		}
		l := Limit{Expr: part}
		if err := l.metric.setMetric(metric, nil); err != nil || l.metric.Scope != "" {
			return nil, fmt.Errorf("limit %q: %q is not a metric such as p95, max, error_rate, rps or errors", part, metric)
		}
		if err := l.setValue(value); err != nil {
			return nil, fmt.Errorf("limit %q: %v", part, err)
		}
		limits = append(limits, l)
	}
	return limits, nil
}

func (l *Limit) setValue(value string) error {
	number := strings.TrimSuffix(value, "%")
	percent := number != value
	var v float64
	var err error
	switch {
	case percent:
		v, err = strconv.ParseFloat(number, 64)
		l.Relative = l.metric.kind != kindErrorRate && l.metric.Unit != UnitPercent
	case l.metric.kind == kindLatency:
		var d time.Duration
		if d, err = time.ParseDuration(value); err == nil {
			v = format.Milliseconds(d)
		}
	case l.metric.kind == kindErrorRate:
		return fmt.Errorf("%s takes percentage points, as in 0.1%%", l.metric.Metric)
	default:
		v, err = strconv.ParseFloat(value, 64)
	}
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%q is not a limit: use a percentage (10%%)%s", value, map[bool]string{true: " or a duration (50ms)", false: " or a number"}[l.metric.kind == kindLatency])
	}
	l.Value = v
	return nil
}

// Delta is one metric of one endpoint compared with the baseline.
type Delta struct {
	Endpoint string
	Limit    Limit
	Old, New float64 // in the metric's unit
	// Regressed is set when the change is worse than the limit allows;
	// Missing when one of the two runs has no requests there or does not
	// count the metric (a file older than it).
	Regressed, Missing bool
}

// Compare compares now with a baseline endpoint by endpoint (and in total),
// for each limit. Throughput (rps), ok answers, requests and statuses below
// 400 regress downwards (iterations and iteration_rate too), everything
// else upwards; the metrics of the whole run (dropped and its causes,
// iterations, iteration_rate) are compared in total only.
func Compare(baseline, now *runner.Result, limits []Limit) []Delta {
	var deltas []Delta
	rows := append(append([]*runner.EndpointStats{}, now.Endpoints...), now.Total)
	for _, cur := range rows {
		old := baseline.Total
		if cur != now.Total {
			old = baseline.Endpoint(cur.Name)
		}
		for _, l := range limits {
			if l.metric.countsRun() && cur != now.Total {
				continue
			}
			d := Delta{Endpoint: cur.Name, Limit: l}
			if old == nil || old.Requests() == 0 || cur.Requests() == 0 || !l.metric.counted(baseline, old) || !l.metric.counted(now, cur) {
				d.Missing = true
			} else {
				d.Old, d.New = l.metric.actual(baseline, old), l.metric.actual(now, cur)
				d.Regressed = l.regressed(d.Old, d.New)
			}
			deltas = append(deltas, d)
		}
	}
	return deltas
}

// lowerIsWorse reports whether the metric regresses downwards.
func (s SLO) lowerIsWorse() bool {
	metric := strings.TrimPrefix(s.Metric, firstAttemptPrefix)
	return s.kind == kindRate || s.class == "ok" || metric == "requests" || metric == "iterations" || s.status > 0 && s.status < 400
}

// worse is how much worse now is than old, in the limit's terms: a
// percentage of old for a relative limit, else in the metric's unit.
// Negative when now is better.
func (l Limit) worse(old, now float64) float64 {
	w := now - old
	if l.metric.lowerIsWorse() {
		w = old - now
	}
	if !l.Relative {
		return w
	}
	if old == 0 && w != 0 {
		return math.Copysign(math.Inf(1), w) // any change from nothing is infinitely relative
	}
	if old == 0 {
		return 0
	}
	return 100 * w / old
}

// regressed reports whether moving from old to now breaks the limit.
func (l Limit) regressed(old, now float64) bool { return l.worse(old, now) > l.Value }

// Regressions counts the deltas that regressed.
func Regressions(deltas []Delta) int {
	n := 0
	for _, d := range deltas {
		if d.Regressed {
			n++
		}
	}
	return n
}

// Change writes how the value moved: relative for a relative limit,
// absolute otherwise.
func (d Delta) Change() string {
	m := d.Limit.metric
	diff := d.New - d.Old
	sign := "+"
	if diff < 0 {
		sign = "-"
	}
	switch {
	case d.Limit.Relative && d.Old == 0:
		return sign + m.Format(math.Abs(diff))
	case d.Limit.Relative:
		return sign + format.Number(math.Abs(100*diff/d.Old), 2) + "%"
	case m.Unit == UnitPercent:
		return sign + format.Number(math.Abs(diff), 3) + "pp"
	}
	return sign + m.Format(math.Abs(diff))
}

// Describe writes the limit as the worst change it allows.
func (l Limit) Describe() string {
	dir := "+"
	if l.metric.lowerIsWorse() {
		dir = "-"
	}
	switch {
	case l.Relative:
		return dir + format.Number(l.Value, 3) + "%"
	case l.metric.Unit == UnitPercent:
		return dir + format.Number(l.Value, 3) + "pp"
	}
	return dir + l.metric.Format(l.Value)
}

// BaselineVerdicts turns the deltas into verdicts, for the reports that list
// SLOs (JUnit, Markdown, HTML, annotations): "login.p95 against the
// baseline", whose actual value is the change for the worse and whose
// threshold is the limit. A delta of an endpoint missing from either run
// gives none.
func BaselineVerdicts(deltas []Delta) []Verdict {
	var out []Verdict
	for _, d := range deltas {
		if d.Missing {
			continue
		}
		l := d.Limit
		slo := SLO{Expr: d.Endpoint + "." + l.metric.Metric + " against the baseline", Op: OpLessEqual, Threshold: l.Value, Unit: l.metric.Unit}
		if l.Relative || l.metric.Unit == UnitPercent {
			slo.Unit = UnitPercent
		}
		out = append(out, Verdict{SLO: slo, Actual: l.worse(d.Old, d.New), Pass: !d.Regressed, Limit: true,
			Reason: fmt.Sprintf("%s, was %s (%s; limit %s)", l.metric.Format(d.New), l.metric.Format(d.Old), d.Change(), l.Describe())})
	}
	return out
}
