package runner

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Load is how hard and how long a run drives the target.
//
// In the closed model (Open false) Concurrency workers each run iterations
// back to back, resting Pause between two. In the open model (Open true)
// iterations arrive on a schedule at Rate per second, whatever the target
// does; each arrival goes to a free worker, a new one while there are fewer
// than MaxWorkers, or is dropped.
//
// Stages ramp the target: the worker count in the closed model (from
// Concurrency), the rate in the open model (from Rate). With stages and no
// Duration, the run lasts as long as the stages.
//
// The run ends when Iterations iterations have started (or arrived) or
// Duration has passed, whichever comes first; zero means no bound of that
// kind, and one of the two must be set (or stages).
type Load struct {
	Open        bool
	Concurrency int
	Rate        float64 // arrivals per second
	MaxWorkers  int
	Stages      []Stage
	Iterations  int64
	Duration    time.Duration
	Pause       time.Duration
	// Shard, when not whole, is the part of the load this run takes; the
	// numbers above stay the whole load's (see Shard).
	Shard Shard
}

// Model names the load model: "open", "serial" for one steady worker, or
// "closed".
func (l Load) Model() string {
	switch {
	case l.Open:
		return "open"
	case l.Concurrency <= 1 && len(l.Stages) == 0:
		return "serial"
	default:
		return "closed"
	}
}

// Length is how long the run lasts if no iteration bound ends it first: the
// Duration, or else the stages' length; zero when neither bounds it.
func (l Load) Length() time.Duration {
	if l.Duration > 0 {
		return l.Duration
	}
	return l.profile().length()
}

// withinSchedule is span cut where the open model's schedule ends by the
// load alone: at its length, or at the time of the arrival past the
// iteration bound when that comes first.
func (l Load) withinSchedule(span time.Duration) time.Duration {
	if length := l.Length(); length > 0 {
		span = min(span, length)
	}
	if l.Iterations > 0 {
		if at, due := l.profile().arrivalTime(l.Iterations); due {
			span = min(span, at)
		}
	}
	return span
}

// PoolCap is the open model's cap on this run's workers: its shard's share
// of MaxWorkers, at least 1.
func (l Load) PoolCap() int { return int(max(l.Shard.Share(int64(l.MaxWorkers)), 1)) }

// profile is the target over time: workers or rate.
func (l Load) profile() profile {
	start := float64(l.Concurrency)
	if l.Open {
		start = l.Rate
	}
	return profile{start: start, stages: l.Stages}
}

// LoadField names one of Load's settings, by its key in a scenario file's
// load block.
type LoadField string

// Load's settings, as LoadProblem names them.
const (
	LoadRate        LoadField = "rate"
	LoadMaxWorkers  LoadField = "max_workers"
	LoadConcurrency LoadField = "concurrency"
	LoadStages      LoadField = "stages"
	LoadIterations  LoadField = "iterations"
	LoadDuration    LoadField = "duration"
	LoadPause       LoadField = "pause"
	LoadShard       LoadField = "shard"
)

// LoadProblem is one reason a Load cannot run: the setting at fault, and a
// message that names it.
type LoadProblem struct {
	Field   LoadField
	Message string
}

// Problems lists why l cannot run, none when it can. name spells a setting
// in the messages the way the caller's user sets it: a flag, a file's key.
func (l Load) Problems(name func(LoadField) string) []LoadProblem {
	var found []LoadProblem
	add := func(field LoadField, format string, args ...any) {
		found = append(found, LoadProblem{field, name(field) + " " + fmt.Sprintf(format, args...)})
	}
	switch {
	case l.Open && (l.Rate < 0 || l.Rate != l.Rate):
		add(LoadRate, "must be 0 or more, got %g", l.Rate)
	case l.Open && l.Rate == 0 && len(l.Stages) == 0:
		add(LoadRate, "must be more than 0 without stages")
	case l.Open && l.MaxWorkers < 1:
		add(LoadMaxWorkers, "must be at least 1, got %d", l.MaxWorkers)
	case l.Open && l.Pause != 0:
		add(LoadPause, "applies to the closed model only; the open model's arrivals are scheduled")
	case !l.Open && len(l.Stages) == 0 && l.Concurrency < 1:
		add(LoadConcurrency, "must be at least 1, got %d", l.Concurrency)
	case !l.Open && l.Concurrency < 0:
		add(LoadConcurrency, "must be 0 or more with stages, got %d", l.Concurrency)
	}
	switch {
	case l.Concurrency > MaxWorkers:
		add(LoadConcurrency, "is %d; at most %d", l.Concurrency, MaxWorkers)
	case l.Open && l.MaxWorkers > MaxWorkers:
		add(LoadMaxWorkers, "is %d; at most %d", l.MaxWorkers, MaxWorkers)
	case l.Open && l.Rate > MaxRate:
		add(LoadRate, "is %s/s; at most %d/s", decimal(l.Rate), MaxRate)
	}
	if l.Iterations < 0 {
		add(LoadIterations, "must be 0 (no limit) or more, got %d", l.Iterations)
	}
	if l.Duration < 0 {
		add(LoadDuration, "must be 0 (no limit) or more, got %s", l.Duration)
	}
	if l.Iterations == 0 && l.Length() <= 0 {
		found = append(found, LoadProblem{LoadIterations, fmt.Sprintf("the run needs an end: set %s, %s or %s",
			name(LoadIterations), name(LoadDuration), name(LoadStages))})
	}
	if l.Pause < 0 {
		add(LoadPause, "must be 0 or more, got %s", l.Pause)
	}
	if !l.Shard.Whole() {
		if err := l.Shard.Check(); err != nil {
			add(LoadShard, "%v", err)
		} else if peak := l.peakWorkers(); !l.Open && l.Shard.Share(int64(peak)) == 0 {
			add(LoadShard, "%s of a closed load of %d worker%s at most has none: run at most %d shard%s, or more workers",
				l.Shard, peak, plural(peak), peak, plural(peak))
		}
	}
	var length time.Duration
	tooLong := false
	for i, st := range l.Stages {
		length += st.Duration
		tooLong = tooLong || length > maxArrivalTime || length < 0
		switch {
		case st.Duration <= 0 || st.Target < 0 || st.Target != st.Target:
			add(LoadStages, "stage %d (%s) needs a positive duration and a target of 0 or more", i+1, st)
		case !l.Open && st.Target > MaxWorkers:
			add(LoadStages, "stage %d (%s): a target of %s workers; at most %d", i+1, st, decimal(st.Target), MaxWorkers)
		case l.Open && st.Target > MaxRate:
			add(LoadStages, "stage %d (%s): a rate of %s/s; at most %d/s", i+1, st, decimal(st.Target), MaxRate)
		}
	}
	if tooLong {
		add(LoadStages, "last more than %s in all", maxArrivalTime)
	}
	return found
}

// peakWorkers is the most workers the closed model's profile asks for.
func (l Load) peakWorkers() int {
	peak := float64(l.Concurrency)
	for _, st := range l.Stages {
		peak = max(peak, st.Target)
	}
	return int(math.Round(peak))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Bounds on a load, far above what one process can send, so that a typing
// mistake is refused before it can exhaust memory or overflow a count.
const (
	// MaxWorkers caps the closed model's workers (Concurrency, and a
	// stage's target) and the open model's MaxWorkers.
	MaxWorkers = 100_000
	// MaxRate caps the open model's rate and its stages' targets, in
	// arrivals per second.
	MaxRate = 10_000_000
)

// Check reports a load that cannot run, one line per problem, naming the
// settings with name.
func (l Load) Check(name func(LoadField) string) error {
	var errs []error
	for _, p := range l.Problems(name) {
		errs = append(errs, errors.New(p.Message))
	}
	return errors.Join(errs...)
}

// Validate is Check naming each setting by its LoadField.
func (l Load) Validate() error {
	return l.Check(func(f LoadField) string { return string(f) })
}

// maxDefaultWorkers caps DefaultMaxWorkers.
const maxDefaultWorkers = 10_000

// DefaultMaxWorkers is the open model's worker limit when none is given:
// enough for the peak rate with every request taking the whole timeout
// (rate × timeout), so that only a target slower than the timeout could make
// arrivals drop; at least 1, at most 10,000. It is a cap, not a size: the
// pool starts empty and grows with the target's latency, overshooting it
// on a busy machine (see dispatcher), so a fast target gets fewer workers
// and connections than the cap.
func DefaultMaxWorkers(l Load, timeout time.Duration) int {
	peak := l.Rate
	for _, st := range l.Stages {
		peak = max(peak, st.Target)
	}
	return int(min(max(math.Ceil(peak*timeout.Seconds()), 1), maxDefaultWorkers))
}

// ParseRate reads a rate as "R" or "R/s" (per second) or "R/m" (per minute)
// and returns it per second.
func ParseRate(s string) (float64, error) {
	number, per := s, time.Second
	if n, unit, ok := strings.Cut(s, "/"); ok {
		number = n
		switch unit {
		case "s":
		case "m":
			per = time.Minute
		default:
			return 0, fmt.Errorf("rate %q: the unit after / must be s or m", s)
		}
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(number), 64)
	switch {
	case err != nil || math.IsInf(r, 0) || math.IsNaN(r):
		return 0, fmt.Errorf("rate %q is not a number of arrivals such as 100, 100/s or 600/m", s)
	case r < 0:
		return 0, fmt.Errorf("rate %q is below 0: give a number of arrivals such as 100, 100/s or 600/m", s)
	}
	return r / per.Seconds(), nil
}

// WorkerLimit is the most workers the load can have at once.
func (l Load) WorkerLimit() int {
	if l.Open {
		return l.MaxWorkers
	}
	peak := float64(l.Concurrency)
	for _, st := range l.Stages {
		peak = max(peak, st.Target)
	}
	return int(peak + 0.5)
}
