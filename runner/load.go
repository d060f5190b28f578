package runner

import (
	"errors"
	"fmt"
	"time"
)

// Load is how hard and how long a run drives the target: Concurrency workers,
// each running iterations back to back (the closed model), until Iterations
// iterations have started or Duration has passed, whichever comes first.
// A zero Iterations or Duration means no bound of that kind; one of the two
// must be set.
type Load struct {
	Concurrency int
	Iterations  int64
	Duration    time.Duration
	// Pause is a worker's rest between two of its iterations.
	Pause time.Duration
}

// Model names the load model: "serial" for one worker, "closed" for more.
func (l Load) Model() string {
	if l.Concurrency <= 1 {
		return "serial"
	}
	return "closed"
}

// Validate reports a load that cannot run, naming the flag that sets each value.
func (l Load) Validate() error {
	var errs []error
	if l.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency (-c) must be at least 1, got %d", l.Concurrency))
	}
	if l.Iterations < 0 {
		errs = append(errs, fmt.Errorf("iterations (-n) must be 0 (no limit) or more, got %d", l.Iterations))
	}
	if l.Duration < 0 {
		errs = append(errs, fmt.Errorf("duration (-d) must be 0 (no limit) or more, got %s", l.Duration))
	}
	if l.Iterations == 0 && l.Duration == 0 {
		errs = append(errs, errors.New("the run needs an end: set iterations (-n) or a duration (-d)"))
	}
	if l.Pause < 0 {
		errs = append(errs, fmt.Errorf("pause (--pause) must be 0 or more, got %s", l.Pause))
	}
	return errors.Join(errs...)
}
