package runner

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Stage is one leg of a ramp: over Duration, the target (a rate or a number
// of workers) moves linearly from the previous stage's target to Target.
type Stage struct {
	Duration time.Duration
	Target   float64
}

func (s Stage) String() string {
	return s.Duration.String() + ":" + decimal(s.Target)
}

// decimal writes x as a user would, without an exponent (10000001, not
// 1.0000001e+07), from a millionth to 1e21: past either, an exponent is
// the shorter way.
func decimal(x float64) string {
	if a := math.Abs(x); a == 0 || a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// StageStrings writes stages as ParseStages reads them, one string each;
// never nil.
func StageStrings(stages []Stage) []string {
	out := []string{}
	for _, st := range stages {
		out = append(out, st.String())
	}
	return out
}

// ParseStages reads stages written as "30s:100,1m:100,30s:0": comma-separated
// duration:target pairs.
func ParseStages(s string) ([]Stage, error) {
	var stages []Stage
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		durText, targetText, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("stage %d %q: want duration:target, as in 30s:100", i+1, part)
		}
		d, err := time.ParseDuration(strings.TrimSpace(durText))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("stage %d %q: %q is not a positive duration such as 30s or 1m", i+1, part, durText)
		}
		target, err := strconv.ParseFloat(strings.TrimSpace(targetText), 64)
		if err != nil || target < 0 || math.IsInf(target, 0) || math.IsNaN(target) {
			return nil, fmt.Errorf("stage %d %q: %q is not a target of 0 or more", i+1, part, targetText)
		}
		stages = append(stages, Stage{Duration: d, Target: target})
	}
	return stages, nil
}

// profile is a target over time: start, then each stage in turn; after the
// last stage the target stays where it ended.
type profile struct {
	start  float64
	stages []Stage
}

// length is the total duration of the stages.
func (p profile) length() time.Duration {
	var total time.Duration
	for _, st := range p.stages {
		total += st.Duration
	}
	return total
}

// at returns the target at elapsed time t.
func (p profile) at(t time.Duration) float64 {
	from := p.start
	for _, st := range p.stages {
		if t < st.Duration {
			return from + (st.Target-from)*t.Seconds()/st.Duration.Seconds()
		}
		t -= st.Duration
		from = st.Target
	}
	return from
}

// due returns how many arrivals are due by elapsed time t if the profile is
// a rate in arrivals per second: the integral of the rate from 0 to t.
func (p profile) due(t time.Duration) float64 {
	var total float64
	from := p.start
	for _, st := range p.stages {
		if t < st.Duration {
			now := from + (st.Target-from)*t.Seconds()/st.Duration.Seconds()
			return total + (from+now)/2*t.Seconds()
		}
		total += (from + st.Target) / 2 * st.Duration.Seconds()
		t -= st.Duration
		from = st.Target
	}
	return total + from*t.Seconds()
}

// arrivalTime returns when arrival k (counting from 0) is due if the
// profile is a rate in arrivals per second: the time at which the arrivals
// due so far, the integral of the rate, reach k. It reports false when the
// rate stays at zero before then, or when the time is past maxArrivalTime
// (a rate so low that its next arrival would never come). It is a pure
// function of k, so pacing is tested without sleeping.
func (p profile) arrivalTime(k int64) (time.Duration, bool) {
	want := float64(k)
	var elapsed float64 // seconds
	var due float64     // arrivals due before the current stage
	from := p.start
	at := math.Inf(1)
	for _, st := range p.stages {
		secs := st.Duration.Seconds()
		inStage := (from + st.Target) / 2 * secs
		if due+inStage > want {
			at = elapsed + solveRamp(from, st.Target, secs, want-due)
			break
		}
		due += inStage
		elapsed += secs
		from = st.Target
	}
	if math.IsInf(at, 1) && from > 0 {
		at = elapsed + (want-due)/from
	}
	if !(at < maxArrivalTime.Seconds()) {
		return 0, false
	}
	return seconds(at), true
}

// maxArrivalTime bounds the schedule: an arrival due later never comes.
const maxArrivalTime = 100 * 365 * 24 * time.Hour

// arrivalsBefore returns how many arrivals are due before elapsed time t:
// the k for which arrivalTime(k) is before t. It costs the same however many
// they are: it starts from the integral of the rate and corrects the
// rounding against arrivalTime.
func (p profile) arrivalsBefore(t time.Duration) int64 {
	if t <= 0 {
		return 0
	}
	before := func(k int64) bool {
		at, ok := p.arrivalTime(k)
		return ok && at < t
	}
	n := int64(math.Min(math.Ceil(p.due(t)), math.MaxInt64/2))
	for n > 0 && !before(n-1) {
		n--
	}
	for before(n) {
		n++
	}
	return n
}

// solveRamp returns the time τ into a stage whose rate moves linearly from
// r0 to r1 over secs at which n arrivals are due: r0·τ + (r1-r0)/(2·secs)·τ²
// = n, in the form that stays accurate when the quadratic term is tiny.
func solveRamp(r0, r1, secs, n float64) float64 {
	if n <= 0 {
		return 0
	}
	a := (r1 - r0) / (2 * secs)
	disc := max(r0*r0+4*a*n, 0)
	denominator := r0 + math.Sqrt(disc)
	if denominator <= 0 {
		return secs
	}
	return 2 * n / denominator
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
