package runner_test

import (
	"testing"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// TestGeneratorLimited: an open run is the generator's when more than 0.1%
// of its arrivals, and more than one, were dropped behind the schedule, or
// its p99 lateness is above LateBound, more than one arrival's; a closed
// run never is.
func TestGeneratorLimited(t *testing.T) {
	late := func(d time.Duration) *runner.Result {
		r := &runner.Result{Load: runner.Load{Open: true, Rate: 100}, Arrivals: 1000, Lateness: runner.NewLatencyHistogram()}
		for range 100 {
			r.Lateness.RecordValue(d.Microseconds())
		}
		return r
	}
	behind := func(n int64) *runner.Result { r := late(time.Microsecond); r.DroppedBehind = n; return r }
	short := func(arrivals, n int64) *runner.Result { r := behind(n); r.Arrivals = arrivals; return r }
	lateFew := func(n int) *runner.Result { // of 60 arrivals, n late by twice the bound
		r := &runner.Result{Load: runner.Load{Open: true, Rate: 20}, Arrivals: 60, Lateness: runner.NewLatencyHistogram()}
		for i := range 60 {
			late := int64(50)
			if i < n {
				late = 2 * runner.LateBound.Microseconds()
			}
			r.Lateness.RecordValue(late)
		}
		return r
	}
	closed := behind(500)
	closed.Load = runner.Load{Concurrency: 1, Iterations: 1000}
	for name, tc := range map[string]struct {
		r    *runner.Result
		want bool
	}{
		"on time":                   {late(50 * time.Microsecond), false},
		"late, within the bound":    {late(runner.LateBound), false},
		"late by twice the bound":   {late(2 * runner.LateBound), true},
		"1 of 60 late":              {lateFew(1), false},
		"2 of 60 late":              {lateFew(2), true},
		"1 of 1000 dropped behind":  {behind(1), false},
		"2 of 1000 dropped behind":  {behind(2), true},
		"1 of 400 dropped behind":   {short(400, 1), false},
		"2 of 400 dropped behind":   {short(400, 2), true},
		"closed":                    {closed, false},
		"older result, no lateness": {&runner.Result{Load: runner.Load{Open: true, Rate: 100}, Arrivals: 1000}, false},
	} {
		if got := tc.r.GeneratorLimited(); got != tc.want {
			t.Errorf("%s: generator limited %v, want %v", name, got, tc.want)
		}
	}
}
