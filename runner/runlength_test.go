package runner_test

import (
	"testing"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// TestExtremeLoadsEndInTime: against a server that never answers, no rate,
// stage, pause or duration makes a run outlive its length plus its request
// timeout: the highest rate and a ramp to it (far beyond what this machine
// sends), a rate too low for a second arrival, and a pause of an hour. The
// margin is wide (a busy machine under the race detector); a run that waits
// for its schedule, its pause or its drops would take far longer.
func TestExtremeLoadsEndInTime(t *testing.T) {
	srv := startFaultServer(t, "http", func(c *faultConn) { c.next(); c.hang() })
	const length, timeout, margin = 300 * time.Millisecond, 300 * time.Millisecond, 5 * time.Second
	for name, load := range map[string]runner.Load{
		"the highest rate":       {Open: true, Rate: runner.MaxRate, MaxWorkers: 20, Duration: length},
		"a ramp to it":           {Open: true, Stages: []runner.Stage{{Duration: length, Target: runner.MaxRate}}, MaxWorkers: 20},
		"a rate of one arrival":  {Open: true, Rate: 1e-10, MaxWorkers: 1, Duration: length},
		"a pause of an hour":     {Concurrency: 4, Pause: time.Hour, Duration: length},
		"a ramp of workers, cut": {Stages: []runner.Stage{{Duration: length, Target: 20}, {Duration: time.Hour, Target: 20}}, Duration: length},
	} {
		t.Run(name, func(t *testing.T) {
			p := plan(srv.target, load, runner.Step{Name: "get", Method: "GET", Path: "/"})
			p.Timeout = timeout
			res := mustRun(t, t.Context(), p)
			if took := res.Duration(); took > load.Length()+timeout+margin {
				t.Errorf("the run took %s; its length is %s and its timeout %s", took, load.Length(), timeout)
			}
			if res.Total.Requests() == 0 || res.Total.Requests() != res.Total.Transport[runner.TransportTimeout] {
				t.Errorf("%d requests, %d timed out; want some, all timed out", res.Total.Requests(), res.Total.Transport[runner.TransportTimeout])
			}
			if load.Open && res.Total.Requests()+res.Dropped != res.Arrivals {
				t.Errorf("%d arrivals, %d requests, %d dropped", res.Arrivals, res.Total.Requests(), res.Dropped)
			}
		})
	}
}
