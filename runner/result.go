package runner

import (
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/servermetrics"
)

// Result is what a run measured. Run returns it complete; nothing changes it
// afterwards, and readers must not either.
type Result struct {
	Scenario string
	// Target is the base URL, with any password in it redacted.
	Target  string
	Started time.Time
	Ended   time.Time
	// Parts are the runs a merge is made of, by start (see MergeResults);
	// nil for a single run.
	Parts []Part
	Load  Load
	// Interrupted is set when the run was stopped before its end.
	Interrupted bool
	// TLSUnverified is set when the target's certificate was not verified
	// (an https:// target, and Plan.TLSConfig.InsecureSkipVerify); for a
	// merge, when it was not in some part.
	TLSUnverified bool
	// ClassNames names the run's outcome classes, by Class: the built-in
	// ones, then the scenario's own.
	ClassNames []string
	// Endpoints holds one entry per endpoint name, in the order the steps
	// first name them.
	Endpoints []*EndpointStats
	// Total merges all endpoints; its Name is "total".
	Total *EndpointStats
	// Arrivals counts the iterations the open model's schedule made due,
	// Dropped those of them that sent nothing: DroppedNoWorker found every
	// worker busy and the pool at its limit (the target is slow for the
	// rate, or MaxWorkers too small); DroppedBehind the generator could not
	// send in time (see BehindBound: this machine is too small for the
	// rate). Dropped is their sum; a result read from a file older than
	// the two has them zero.
	Arrivals        int64
	Dropped         int64
	DroppedNoWorker int64
	DroppedBehind   int64
	// Iterations counts the iterations started: those that sent a request,
	// in either model.
	Iterations int64
	// Lateness is the open model's generator lateness, in microseconds as
	// the latency histograms: for each arrival but those the dispatcher
	// dropped at once for being over BehindBound late, how long after its
	// intended time it reached it.
	// The response times of the sent requests include it.
	// Nil in the closed model and in a result older than it.
	Lateness *hdrhistogram.Histogram
	// ProtocolEvents counts answers a client could not place: bytes a
	// server sent beyond an answer's framing (a 204 with a body), or on an
	// idle connection. The fast client counts the connections it drops for
	// them; over https://, net/http's log lines (see ProtocolLog).
	ProtocolEvents int64
	// HTTP2 is set when the requests went over HTTP/2 (Plan.HTTP2): then
	// several streams share a connection.
	HTTP2 bool
	// PeakWorkers is the most workers that ran at once.
	PeakWorkers int
	// Identity is the plan's; for a merge, the runs' when they all share it,
	// else the zero Identity.
	Identity Identity
	// CPUs is how many cores the run could use at once (GOMAXPROCS), of
	// MachineCPUs, the cores of its machine. Both are zero when unknown (a
	// result file older than them); a merge sums them over its runs.
	CPUs, MachineCPUs int
	// Series is the run over time: per endpoint, requests and latency per
	// interval.
	Series Series
	// Setup is what the setup phase before the run did (Plan.Setup); nil
	// when there was none, in a merge, and in a result older than it.
	Setup *SetupReport
	// Session is what the users' sessions did (Plan.Session); nil without
	// one and in a result older than it; a merge adds its results' up.
	Session *SessionReport
	// Server is what the servers did during the run by their own metrics
	// (Plan.ServerMetrics); nil when none were read. A merge has it when
	// every run has it, the views summed.
	Server *servermetrics.View
}

// Classes returns the names of the run's outcome classes, by Class: its
// ClassNames, or the built-in ones when it has none.
func (r *Result) Classes() []string {
	if len(r.ClassNames) == 0 {
		return BuiltinClassNames()
	}
	return r.ClassNames
}

// ClassName names class c of this run: a built-in name, or the
// scenario's name for its own class.
func (r *Result) ClassName(c Class) string {
	if classes := r.Classes(); int(c) < len(classes) {
		return classes[c]
	}
	return c.String()
}

// Duration is the wall time from the first request to the last response.
func (r *Result) Duration() time.Duration { return r.Ended.Sub(r.Started) }

// Part is one of the runs a merged Result is made of.
type Part struct {
	Started, Ended time.Time
	PeakWorkers    int
	Requests       int64
	Shard          Shard // the part of the load the run took; zero: the whole
}

// Same reports whether p and o are one run: the same start and end (to the
// nanosecond) and requests.
func (p Part) Same(o Part) bool {
	return p.Started.Equal(o.Started) && p.Ended.Equal(o.Ended) && p.Requests == o.Requests
}

// Runs returns the runs r is made of: its Parts, or r itself as one.
func (r *Result) Runs() []Part {
	if len(r.Parts) > 0 {
		return r.Parts
	}
	return []Part{{Started: r.Started, Ended: r.Ended, PeakWorkers: r.PeakWorkers, Requests: r.Total.Requests(), Shard: r.Load.Shard}}
}

// ActiveTime is how long the run was running: its Duration, or for a merge
// the time within it that some part was running. Rates are over it.
func (r *Result) ActiveTime() time.Duration {
	if len(r.Parts) == 0 {
		return r.Duration()
	}
	return activeTime(r.Parts)
}

// Endpoint returns the statistics of the endpoint called name, or nil.
func (r *Result) Endpoint(name string) *EndpointStats {
	for _, e := range r.Endpoints {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// TargetRate is the open model's rate as the load asked for it, averaged
// over the run: the arrivals its profile schedules for its runs, over their
// schedule (see schedule), per second; zero in the closed model. For a
// merge it is that of all its runs together, each run taken as of the
// first's load: the sum for runs at once, the rate for runs one after
// another, the whole load's for its shards.
func (r *Result) TargetRate() float64 {
	if !r.Load.Open {
		return 0
	}
	due, window := r.schedule()
	if window <= 0 {
		return 0
	}
	return due / window.Seconds()
}

// schedule returns, in the open model, the arrivals r's load scheduled for
// its runs (each run's share, a shard's) over their schedules, and the
// time within which some run was on its schedule: the window the target
// rate and the achieved rate of iterations are over, which leaves out the
// wait for the last answers. A run's schedule lasts until its next
// arrival after those it counts was due (see scheduleSpan); a merge's
// runs, whose arrivals are not counted apart, last their span, cut at the
// load's own end.
func (r *Result) schedule() (due float64, window time.Duration) {
	scheduled := []Part{{Started: r.Started, Ended: r.Started.Add(r.scheduleSpan()), Shard: r.Load.Shard}}
	if len(r.Parts) > 0 {
		scheduled = slices.Clone(r.Parts)
		for i, p := range scheduled {
			scheduled[i].Ended = p.Started.Add(r.Load.withinSchedule(p.Ended.Sub(p.Started)))
		}
	}
	for _, p := range scheduled {
		due += r.Load.profile().due(p.Ended.Sub(p.Started)) * p.Shard.fraction()
	}
	return due, activeTime(scheduled)
}

// scheduleSpan is how long a run's schedule lasted: until the arrival
// after the last it counts was due (after an interrupt, the first it did
// not reach; after -n, the one past the bound; one slot of the rate for a
// run too short for a second; for a shard, the first of the round after
// its last), so that each arrival counts for its slot;
// the load's length when no arrival was to come (a ramp down to zero), and
// without arrivals, the run's span cut at the load's own end.
func (r *Result) scheduleSpan() time.Duration {
	if r.Arrivals > 0 {
		// A shard's schedule lasts whole rounds of its shards' turns.
		if next, ok := r.Load.profile().arrivalTime(r.Arrivals * r.Load.Shard.count()); ok {
			return next
		}
		if length := r.Load.Length(); length > 0 {
			return length
		}
	}
	return r.Load.withinSchedule(r.Ended.Sub(r.Started))
}

// IterationsKnown reports whether r counts its iterations: a result read
// from a file older than the count has none for its requests.
func (r *Result) IterationsKnown() bool { return r.Iterations > 0 || r.Total.Requests() == 0 }

// DropCausesKnown reports whether r counts its drops by cause: a result read
// from a file older than the causes has none for its drops.
func (r *Result) DropCausesKnown() bool {
	return r.Dropped == 0 || r.DroppedNoWorker+r.DroppedBehind > 0
}

// GeneratorLimited reports whether the open model's generator, not the
// target, limited the run: it dropped more than 0.1% of the arrivals, and
// more than one, for being behind its schedule, or it sent its arrivals
// more than LateBound late at p99, and more than one of them. The response
// times of such a run include the generator's lateness. A single stall of
// the machine that drops a few arrivals, or makes one late in a short run,
// does not make it so.
func (r *Result) GeneratorLimited() bool {
	if !r.Load.Open {
		return false
	}
	return r.DroppedBehind > max(r.Arrivals/1000, 1) || r.Lateness != nil && Micros(r.Lateness.ValueAtQuantile(99)) > LateBound &&
		countAbove(r.Lateness, LateBound) > 1
}

// countAbove counts the values of h, in microseconds, above bound.
func countAbove(h *hdrhistogram.Histogram, bound time.Duration) int64 {
	var n int64
	for _, bar := range h.Distribution() {
		if Micros(bar.From) > bound {
			n += bar.Count
		}
	}
	return n
}

// IterationRate is the achieved rate of iterations started, per second of
// the run's active time; in the open model, per second of its schedule
// (see schedule), the rate to compare with TargetRate.
func (r *Result) IterationRate() float64 {
	secs := r.ActiveTime().Seconds()
	if r.Load.Open {
		_, window := r.schedule()
		secs = window.Seconds()
	}
	if secs <= 0 {
		return 0
	}
	return float64(r.Iterations) / secs
}

// RPS is the achieved rate of s's requests that reached the server (see
// EndpointStats.Reached) over the run's active time: failed connection
// attempts are not requests the target served, and against a dead target
// their rate would be loadgate's.
func (r *Result) RPS(s *EndpointStats) float64 {
	secs := r.ActiveTime().Seconds()
	if secs <= 0 {
		return 0
	}
	return float64(s.Reached()) / secs
}

// TotalOf merges endpoints into one EndpointStats named "total"; it fails
// only for endpoints of different histogram geometry.
func TotalOf(endpoints []*EndpointStats) (*EndpointStats, error) {
	total := NewEndpointStats("total")
	for _, e := range endpoints {
		if err := total.Merge(e); err != nil {
			return nil, err
		}
	}
	return total, nil
}
