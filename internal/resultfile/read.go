package resultfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/runner"
)

// MaxBytes bounds a result file that Read accepts.
const MaxBytes = 256 << 20

// Saved is a result file read back: the run, and the SLO expressions it
// was judged by.
type Saved struct {
	Result *runner.Result
	SLOs   []string
}

// Read reads a result file that Encode wrote. A file of another schema,
// with histograms of another geometry, or that contradicts itself (counts
// that do not add up to its histogram) is refused with an error that says
// what is wrong.
func Read(data []byte) (*Saved, error) {
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("larger than %d MiB", MaxBytes>>20)
	}
	var in resultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("not a result file: %v", typeMistake(err))
	}
	if in.Schema != Schema {
		return nil, fmt.Errorf("schema %q; this loadgate reads %q", in.Schema, Schema)
	}
	if err := checkRequired(data); err != nil {
		return nil, err
	}
	switch {
	case in.Scenario == "":
		return nil, fmt.Errorf("the scenario is empty: a result names the scenario that ran")
	case strings.IndexFunc(in.Scenario, unicode.IsControl) >= 0:
		return nil, fmt.Errorf("the scenario %q holds a control character: a scenario's name is one line of text", in.Scenario)
	case in.EndedAt.Before(in.StartedAt):
		return nil, fmt.Errorf("ended_at %s is before started_at %s", in.EndedAt.Format(time.RFC3339Nano), in.StartedAt.Format(time.RFC3339Nano))
	case len(in.Endpoints) == 0:
		return nil, fmt.Errorf("endpoints is empty: a result has an endpoint for each step that ran")
	}
	// A file written by hand or by another tool may hold a password in its
	// target: it is never shown.
	r := &runner.Result{Scenario: in.Scenario, Target: runner.RedactTarget(in.Target), Started: in.StartedAt, Ended: in.EndedAt,
		Interrupted: in.Interrupted, TLSUnverified: in.TLSUnverified, ClassNames: in.ClassNames, Arrivals: in.Totals.Arrivals, Dropped: in.Totals.Dropped,
		DroppedNoWorker: in.Totals.DroppedNoWorker, DroppedBehind: in.Totals.DroppedBehind, Iterations: in.Totals.Iterations,
		Identity:    runner.Identity{RunID: in.RunID, PlanDigest: in.PlanDigest},
		PeakWorkers: in.Load.PeakWorkers, CPUs: in.Load.CPUs, MachineCPUs: in.Load.MachineCPUs, ProtocolEvents: in.Totals.ProtocolEvents, HTTP2: in.HTTP2}
	if len(r.ClassNames) == 0 {
		r.ClassNames = runner.BuiltinClassNames()
	}
	if len(r.ClassNames) > runner.MaxClasses || len(r.ClassNames) < runner.NumBuiltinClasses ||
		!slices.Equal(r.ClassNames[:runner.NumBuiltinClasses], runner.BuiltinClassNames()) {
		return nil, fmt.Errorf("class_names %v do not start with loadgate's classes %v", r.ClassNames, runner.BuiltinClassNames())
	}
	if c, m := in.Load.CPUs, in.Load.MachineCPUs; c < 0 || m < 0 || c > maxCPUs || m > maxCPUs || (c == 0) != (m == 0) {
		return nil, fmt.Errorf("load.cpus %d of load.machine_cpus %d: each 1 to %d, or both 0 (not known)", c, m, maxCPUs)
	}
	for name, value := range map[string]string{"run_id": in.RunID, "plan_digest": in.PlanDigest} {
		if len(value) > maxIdentity || strings.IndexFunc(value, unicode.IsControl) >= 0 {
			return nil, fmt.Errorf("%s %.40q: at most %d characters, none of them a control character", name, value, maxIdentity)
		}
	}
	if in.StartAt != nil {
		r.Identity.StartAt = *in.StartAt
	}
	load, err := readLoad(in.Load)
	if err != nil {
		return nil, err
	}
	r.Load = load
	if r.Setup, err = readSetup(in.Setup); err != nil {
		return nil, err
	}
	if r.Server, err = readServer(in.Server); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if r.Session, err = readSession(in.Session, r.ClassNames); err != nil {
		return nil, err
	}
	names := in.EndpointNames
	if len(names) == 0 {
		for name := range in.Endpoints {
			names = append(names, name)
		}
		slices.Sort(names)
	}
	for _, name := range names {
		e, ok := in.Endpoints[name]
		if !ok {
			return nil, fmt.Errorf("endpoint_names lists %q, which endpoints lacks", name)
		}
		stats, err := readEndpoint(name, e, r.ClassNames)
		if err != nil {
			return nil, fmt.Errorf("endpoint %s: %w", name, err)
		}
		r.Endpoints = append(r.Endpoints, stats)
	}
	if len(r.Endpoints) != len(in.Endpoints) {
		return nil, fmt.Errorf("endpoint_names lists %d endpoints, endpoints has %d", len(r.Endpoints), len(in.Endpoints))
	}
	if r.Total, err = runner.TotalOf(r.Endpoints); err != nil {
		return nil, err
	}
	if err := checkCounts("totals", in.Totals.countsJSON, r.Total); err != nil {
		return nil, err
	}
	if in.Totals.Messages != nil && !slices.Equal(in.Totals.Messages, messagesOut(r.Total.Messages, r)) {
		return nil, fmt.Errorf("totals.messages are not the endpoints' messages merged")
	}
	if err := checkTotalConnections(in.Totals.Connections, r.Total.Connections); err != nil {
		return nil, err
	}
	if in.Totals.GeneratorLateHistogram != "" {
		if r.Lateness, err = readHistogram(in.Totals.GeneratorLateHistogram, latencyGeometry); err != nil {
			return nil, fmt.Errorf("totals.generator_lateness_histogram: %w", err)
		}
	}
	if err := checkDrops(r); err != nil {
		return nil, err
	}
	if r.Parts, err = readRuns(in.Runs, r); err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	if r.Series, err = readSeries(in.Series, r); err != nil {
		return nil, fmt.Errorf("series: %w", err)
	}
	saved := &Saved{Result: r}
	saved.SLOs = slices.Clone(in.UnjudgedSLOs)
	for _, v := range in.SLOs {
		saved.SLOs = append(saved.SLOs, v.Expr)
	}
	return saved, nil
}

// checkDrops reports drop, iteration and lateness counts that no run
// could have written: negative; drops by cause that are not the dropped
// arrivals (a file older than the causes has them both 0); more iterations
// than requests (an iteration starts with a request); in the open model,
// with the causes and the iterations counted, iterations that are not the
// arrivals not dropped (every arrival is either dropped or starts an
// iteration), or a lateness over more arrivals than there were; and a
// lateness in the closed model, which has no schedule. r's totals and
// lateness must be read.
func checkDrops(r *runner.Result) error {
	switch {
	case r.Arrivals < 0 || r.Dropped < 0 || r.DroppedNoWorker < 0 || r.DroppedBehind < 0 || r.Iterations < 0:
		return fmt.Errorf("totals: a negative count of arrivals, drops or iterations")
	case r.DroppedNoWorker+r.DroppedBehind != r.Dropped && r.DroppedNoWorker+r.DroppedBehind != 0:
		return fmt.Errorf("totals: dropped is %d, but dropped_no_worker %d and dropped_behind %d add up to %d",
			r.Dropped, r.DroppedNoWorker, r.DroppedBehind, r.DroppedNoWorker+r.DroppedBehind)
	case r.Iterations > r.Total.Requests():
		return fmt.Errorf("totals: %d iterations, more than the %d requests", r.Iterations, r.Total.Requests())
	case !r.Load.Open && r.Lateness != nil:
		return fmt.Errorf("totals: a generator_lateness_histogram in the closed model")
	case r.Lateness != nil && r.Lateness.TotalCount() > r.Arrivals:
		return fmt.Errorf("totals: the generator_lateness_histogram counts %d, more than the %d arrivals", r.Lateness.TotalCount(), r.Arrivals)
	case r.Load.Open && r.DropCausesKnown() && r.IterationsKnown() && r.Iterations != r.Arrivals-r.Dropped:
		return fmt.Errorf("totals: %d iterations, but %d arrivals less %d dropped are %d", r.Iterations, r.Arrivals, r.Dropped, r.Arrivals-r.Dropped)
	}
	return nil
}

// requiredFields are the fields every result file has, top-level and in
// its load: without one, the file does not say what ran, when, or how.
var requiredFields = struct{ top, load []string }{
	top:  []string{"scenario", "target", "started_at", "ended_at", "load", "totals", "endpoints"},
	load: []string{"model"},
}

// checkRequired reports the first required field that data lacks (or
// holds as null), by its name.
func checkRequired(data []byte) error {
	var top map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&top); err != nil {
		return fmt.Errorf("not a result file: %v", err)
	}
	for _, name := range requiredFields.top {
		if v, ok := top[name]; !ok || string(v) == "null" {
			return fmt.Errorf("the required field %q is missing", name)
		}
	}
	var load map[string]json.RawMessage
	if err := json.Unmarshal(top["load"], &load); err != nil {
		return fmt.Errorf("load: %v", err)
	}
	for _, name := range requiredFields.load {
		if v, ok := load[name]; !ok || string(v) == "null" {
			return fmt.Errorf("the required field \"load.%s\" is missing", name)
		}
	}
	return nil
}

// Bounds on the runs a merged result file may list, on each run's peak
// workers, and on the cores a result ran on.
const (
	maxRuns        = 100_000
	maxPeakWorkers = 1_000_000
	maxCPUs        = 1_000_000 // summed over a merge's runs
	maxIdentity    = 128       // characters of a run id or a plan digest
)

// readRuns rebuilds a merge's parts. There must be two or more, in order
// of start, each within r's span and different from the others, and their
// requests must add up to r's.
func readRuns(in []runJSON, r *runner.Result) ([]runner.Part, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) == 1 || len(in) > maxRuns {
		return nil, fmt.Errorf("%d runs; a merge lists from 2 to %d", len(in), maxRuns)
	}
	parts := make([]runner.Part, len(in))
	left := r.Total.Requests() // not yet held by a run
	for i, run := range in {
		p := runner.Part{Started: run.StartedAt, Ended: run.EndedAt, PeakWorkers: run.PeakWorkers, Requests: run.Requests}
		var err error
		if p.Shard, err = shardIn(run.Shard); err != nil {
			return nil, fmt.Errorf("run %d: shard: %v", i+1, err)
		}
		switch {
		case p.Ended.Before(p.Started) || p.Started.Before(r.Started) || p.Ended.After(r.Ended):
			return nil, fmt.Errorf("run %d (%s to %s) does not lie within the result's span", i+1, p.Started, p.Ended)
		case p.PeakWorkers < 0 || p.PeakWorkers > maxPeakWorkers || p.Requests < 0 || p.Requests > left:
			return nil, fmt.Errorf("run %d: %d peak workers, %d requests: out of range, or more requests than the totals hold", i+1, p.PeakWorkers, p.Requests)
		case i > 0 && p.Started.Before(parts[i-1].Started):
			return nil, fmt.Errorf("run %d starts before run %d: they must be in order of start", i+1, i)
		}
		for j := i - 1; j >= 0 && parts[j].Started.Equal(p.Started); j-- {
			if parts[j].Same(p) {
				return nil, fmt.Errorf("run %d is run %d again", i+1, j+1)
			}
		}
		parts[i] = p
		left -= p.Requests
	}
	if left != 0 {
		return nil, fmt.Errorf("the runs hold %d requests fewer than the totals", left)
	}
	return parts, nil
}

func readLoad(in loadJSON) (runner.Load, error) {
	if !slices.Contains([]string{"serial", "closed", "open"}, in.Model) {
		return runner.Load{}, fmt.Errorf("load.model %q is none of serial, closed and open", in.Model)
	}
	if in.Concurrency < 0 || in.MaxWorkers < 0 || in.Rate < 0 || in.Rate != in.Rate || in.Iterations < 0 {
		return runner.Load{}, fmt.Errorf("load: a count or a rate below 0 (concurrency %d, max_workers %d, rate %g, iterations %d)",
			in.Concurrency, in.MaxWorkers, in.Rate, in.Iterations)
	}
	l := runner.Load{Open: in.Model == "open", Concurrency: in.Concurrency, Rate: in.Rate, MaxWorkers: in.MaxWorkers,
		Duration: seconds(in.DurationS), Iterations: in.Iterations, Pause: seconds(in.PauseS)}
	var err error
	if l.Shard, err = shardIn(in.Shard); err != nil {
		return l, fmt.Errorf("load.shard: %v", err)
	}
	for _, s := range in.Stages {
		stages, err := runner.ParseStages(s)
		if err != nil {
			return l, fmt.Errorf("load.stages: %v", err)
		}
		l.Stages = append(l.Stages, stages...)
	}
	return l, nil
}

func seconds(s float64) time.Duration {
	if s != s || s < 0 || s > 1e9 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// readEndpoint rebuilds one endpoint's statistics.
func readEndpoint(name string, in endpointJSON, classes []string) (*runner.EndpointStats, error) {
	s := runner.NewEndpointStats(name)
	var err error
	if s.Latency, err = readHistogram(in.Histogram, latencyGeometry); err != nil {
		return nil, fmt.Errorf("histogram: %w", err)
	}
	if s.Service, err = readHistogram(in.ServiceHistogram, latencyGeometry); err != nil {
		return nil, fmt.Errorf("service_histogram: %w", err)
	}
	for class, name := range classes {
		s.Classes[class] = in.Classes[name]
		s.FirstAttempt[class] = in.FirstAttempt.Classes[name]
	}
	s.Retries, s.Clamped = in.Retries, in.Clamped
	for code, n := range in.Status {
		c, err := strconv.Atoi(code)
		if err != nil || c < 0 || c >= len(s.Statuses) {
			return nil, fmt.Errorf("status %q is not a status code", code)
		}
		s.Statuses[c] = n
	}
	for k := range runner.TransportKind(runner.NumTransportKinds) {
		s.Transport[k] = in.Transport[k.String()]
		s.ConnectFailed[k] = in.ConnectFailures[k.String()]
		if n := s.ConnectFailed[k]; n < 0 || n > s.Transport[k] {
			return nil, fmt.Errorf("connect_failures: %d of kind %s, which has %d transport errors", n, k, s.Transport[k])
		}
	}
	for _, n := range append(append(s.Classes[:], s.FirstAttempt[:]...), s.Retries, s.Clamped) {
		if n < 0 {
			return nil, fmt.Errorf("a negative count")
		}
	}
	if err := checkCounts("the counts", in.countsJSON, s); err != nil {
		return nil, err
	}
	if err := checkAttempts(in.FirstAttempt, s, classes); err != nil {
		return nil, err
	}
	if err := readMessages(in.Messages, classes, s); err != nil {
		return nil, err
	}
	if s.Connections, err = readConnections(in.Connections); err != nil {
		return nil, err
	}
	if s.Requests() != s.Latency.TotalCount() || s.Requests() != s.Service.TotalCount() {
		return nil, fmt.Errorf("%d requests by class, but %d response times and %d service times in the histograms",
			s.Requests(), s.Latency.TotalCount(), s.Service.TotalCount())
	}
	return s, nil
}

// checkCounts reports counters of a file that disagree with its classes.
func checkCounts(what string, in countsJSON, s *runner.EndpointStats) error {
	if in.Requests != s.Requests() || in.OK != s.OK() || in.Errors != s.Errors() || in.LockTimeouts != s.LockTimeouts() {
		return fmt.Errorf("%s say %d requests, %d ok, %d errors, %d lock timeouts; the classes add up to %d, %d, %d, %d",
			what, in.Requests, in.OK, in.Errors, in.LockTimeouts, s.Requests(), s.OK(), s.Errors(), s.LockTimeouts())
	}
	return nil
}

// checkAttempts reports first attempts that differ from their classes, or
// that with the retries exceed the requests. They may fall short of them:
// a file older than these counts has none (and a merge with one, some),
// and then counts them as unknown (runner.EndpointStats.AttemptsKnown).
func checkAttempts(in attemptsJSON, s *runner.EndpointStats, classes []string) error {
	first, ok := s.FirstAttempts(), s.FirstAttempt[runner.ClassOK]
	if in.Requests != first || in.OK != ok || in.Errors != first-ok {
		return fmt.Errorf("first_attempt says %d requests, %d ok, %d errors; its classes add up to %d, %d, %d",
			in.Requests, in.OK, in.Errors, first, ok, first-ok)
	}
	if first+s.Retries > s.Requests() {
		return fmt.Errorf("%d first attempts and %d retries; more than the %d requests", first, s.Retries, s.Requests())
	}
	for class, name := range classes {
		if n := s.FirstAttempt[class]; n > s.Classes[class] {
			return fmt.Errorf("first_attempt.classes.%s is %d, more than the class's %d requests", name, n, s.Classes[class])
		}
	}
	return nil
}

// The geometries a result file's histograms must have.
var (
	latencyGeometry = runner.NewLatencyHistogram()
	seriesGeometry  = runner.NewSeriesHistogram()
)

// readHistogram decodes a histogram that must have want's geometry.
func readHistogram(encoded string, want *hdrhistogram.Histogram) (*hdrhistogram.Histogram, error) {
	h, err := hdrhistogram.Decode([]byte(encoded))
	if err != nil {
		return nil, err
	}
	if h.LowestTrackableValue() != want.LowestTrackableValue() || h.HighestTrackableValue() != want.HighestTrackableValue() ||
		h.SignificantFigures() != want.SignificantFigures() {
		return nil, fmt.Errorf("geometry %d-%d µs, %d digits; loadgate merges only %d-%d µs, %d digits",
			h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures(),
			want.LowestTrackableValue(), want.HighestTrackableValue(), want.SignificantFigures())
	}
	return h, nil
}

// readSeries rebuilds the time series of r, whose endpoints are read: its
// interval must be one loadgate makes (a second, doubled any number of
// times), its points within the run, at most runner.MaxSeriesPoints per
// endpoint, and their counts must add up to the endpoint's.
func readSeries(in seriesJSON, r *runner.Result) (runner.Series, error) {
	s := runner.Series{Interval: seconds(in.IntervalS)}
	if len(in.Endpoints) == 0 && in.IntervalS == 0 {
		return s, nil // a result written before the series existed
	}
	if !runner.SeriesIntervalValid(s.Interval) {
		return s, fmt.Errorf("interval_s %v is not 1 s doubled", in.IntervalS)
	}
	var names []string
	for _, e := range r.Endpoints {
		names = append(names, e.Name)
	}
	for name := range in.Endpoints {
		if !slices.Contains(names, name) {
			return s, fmt.Errorf("endpoint %q is not in the result's endpoints", name)
		}
	}
	classes := r.Classes()
	for _, e := range r.Endpoints {
		list := in.Endpoints[e.Name]
		if len(list) > runner.MaxSeriesPoints {
			return s, fmt.Errorf("endpoint %s: %d points; a run has at most %d", e.Name, len(list), runner.MaxSeriesPoints)
		}
		var points []runner.SeriesPoint
		var sums [runner.MaxClasses]int64
		for _, p := range list {
			start := seconds(p.T)
			if start%s.Interval != 0 || start > r.Duration()+s.Interval {
				return s, fmt.Errorf("endpoint %s: a point at %vs is not at the start of an interval of the run", e.Name, p.T)
			}
			var counts [runner.MaxClasses]int64
			var requests int64
			for class, name := range classes {
				n := p.Classes[name]
				if n < 0 {
					return s, fmt.Errorf("endpoint %s at %vs: a negative count", e.Name, p.T)
				}
				counts[class], sums[class], requests = n, sums[class]+n, requests+n
			}
			h, err := readHistogram(p.Histogram, seriesGeometry)
			if err != nil {
				return s, fmt.Errorf("endpoint %s at %vs: %w", e.Name, p.T, err)
			}
			if h.TotalCount() != requests {
				return s, fmt.Errorf("endpoint %s at %vs: %d requests by class, %d in the histogram", e.Name, p.T, requests, h.TotalCount())
			}
			points = append(points, runner.NewSeriesPoint(start, counts, h))
		}
		if sums != e.Classes {
			return s, fmt.Errorf("endpoint %s: its series counts %v requests by class, the endpoint %v", e.Name, sums[:len(classes)], e.Classes[:len(classes)])
		}
		s.Endpoints = append(s.Endpoints, points)
	}
	return s, nil
}

// typeMistake says in the file's terms which field holds a value of the
// wrong type (encoding/json names Go's types and structs); other errors it
// returns as they are.
func typeMistake(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	var path []string
	for _, part := range strings.Split(te.Field, ".") {
		if !strings.HasSuffix(part, "JSON") { // a Go struct's name, not a field of the file
			path = append(path, part)
		}
	}
	want := "an object"
	switch te.Type.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		want = "a number"
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "true or false"
	case reflect.Slice:
		want = "a list"
	}
	field := strings.Join(path, ".")
	if field == "" {
		field = "the file"
	}
	return fmt.Errorf("%s holds %s %s where %s belongs", field, article(te.Value), te.Value, want)
}

// article is "a" or "an" before a JSON value's kind.
func article(kind string) string {
	if strings.HasPrefix(kind, "a") || strings.HasPrefix(kind, "o") {
		return "an"
	}
	return "a"
}

// shardIn reads a shard written by shardOut: absent, the whole load.
func shardIn(in *shardJSON) (runner.Shard, error) {
	if in == nil {
		return runner.Shard{}, nil
	}
	s := runner.Shard{Index: in.Index, Count: in.Count}
	return s, s.Check()
}
