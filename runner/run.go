package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/servermetrics"
)

// Run drives plan.Target with plan.Load and returns what it measured.
//
// Cancelling ctx stops the run gracefully: no request starts after it, and
// requests in flight finish within plan.Timeout; the Result then has
// Interrupted set. Failed requests are data in the Result, never errors: Run
// returns an error only for a plan that cannot run, or a *SessionError
// when a user's session could not be opened before the load (then nothing
// was measured).
func Run(ctx context.Context, plan Plan) (*Result, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	e, err := newEngine(ctx, &plan)
	if err != nil {
		return nil, err
	}
	if e.client != nil {
		defer e.client.CloseIdleConnections()
	}
	if e.sessions != nil {
		if err := e.sessions.openAll(ctx, e); err != nil {
			return nil, err
		}
	}
	if err := waitForStart(ctx, plan.Identity); err != nil {
		return nil, err
	}
	var server *servermetrics.Reading
	if len(plan.ServerMetrics) > 0 {
		server = servermetrics.Begin(ctx, metricsClient(plan.Timeout), plan.ServerMetrics)
	}
	// The run's length counts from its start: every arrival the schedule
	// has before the end is due, however late the deadline is noticed.
	started := time.Now()
	e.started = started
	if e.live != nil {
		e.live.start(started, e.stripes)
	}
	stop := ctx
	if length := plan.Load.Length(); length > 0 {
		var cancel context.CancelFunc
		stop, cancel = context.WithDeadline(ctx, started.Add(length))
		defer cancel()
	}
	logged := plan.ProtocolLog.count()
	if plan.Load.Open {
		e.runOpen(ctx, stop, started)
	} else {
		e.runClosed(stop, started)
	}
	ended := time.Now()
	var view *servermetrics.View
	if server != nil {
		// Read after an interrupt too: what ran is what the server saw.
		read, cancel := context.WithTimeout(context.WithoutCancel(ctx), metricsTimeout(plan.Timeout))
		v := server.End(read, plan.ServerNames)
		cancel()
		view = &v
	}
	if e.live != nil {
		e.live.stopTicking()
	}
	for _, sh := range e.stripes {
		sh.flush()
	}
	if e.live != nil {
		e.live.finish(ended.Sub(started))
	}
	if err := e.series.foldSliver(ended.Sub(started)); err != nil {
		return nil, err
	}
	series, err := e.series.series()
	if err != nil {
		return nil, err
	}

	endpoints := make([]*EndpointStats, len(e.names))
	for i, name := range e.names {
		endpoints[i] = NewEndpointStats(name)
		for _, sh := range e.stripes {
			if err := endpoints[i].Merge(sh.endpoints[i]); err != nil {
				return nil, err
			}
		}
	}
	total, err := TotalOf(endpoints)
	if err != nil {
		return nil, err
	}
	return &Result{
		Scenario:        plan.Scenario,
		ClassNames:      plan.Classifier.Names(),
		Target:          plan.Target.Redacted(),
		Started:         started,
		Ended:           ended,
		Load:            plan.Load,
		Interrupted:     ctx.Err() != nil,
		TLSUnverified:   plan.Target.Scheme == "https" && plan.TLSConfig != nil && plan.TLSConfig.InsecureSkipVerify,
		Endpoints:       endpoints,
		Total:           total,
		Arrivals:        e.arrivals.Load(),
		Dropped:         e.dropped[dropNoWorker].Load() + e.dropped[dropBehind].Load(),
		DroppedNoWorker: e.dropped[dropNoWorker].Load(),
		DroppedBehind:   e.dropped[dropBehind].Load(),
		Iterations:      e.iterations.Load(),
		Lateness:        e.lateness,
		PeakWorkers:     int(e.peakWorkers.Load()),
		Identity:        plan.Identity,
		Server:          view,
		CPUs:            runtime.GOMAXPROCS(0),
		MachineCPUs:     runtime.NumCPU(),
		HTTP2:           plan.HTTP2,
		Series:          series,
		Setup:           plan.Setup,
		Session:         e.sessions.report(),
		ProtocolEvents:  e.protocolEvents.Load() + plan.ProtocolLog.count() - logged,
	}, nil
}

// engine is what the workers of one run share.
type engine struct {
	plan         *Plan
	steps        []Step                  // the plan's steps, then its session's
	sessions     *sessions               // nil without a session
	newExchange  func(*connLog) exchange // a worker's exchange, of the kind chooseExchange chose
	client       *http.Client            // net/http's, for an exchange through it; nil otherwise
	templates    []*http.Request         // per step; workers clone them
	keep         []statusSet             // per step, the statuses whose body it reads
	names        []string                // endpoint names, in order of first use
	stepEndpoint []int                   // per step, the index of its endpoint name
	stripes      []*stripe
	series       *seriesCollector
	live         *live // nil without sinks
	started      time.Time
	next         atomic.Int64                // the next iteration's sequence number
	arrivals     atomic.Int64                // open model: arrivals due so far
	dropped      [numDropCauses]atomic.Int64 // open model: arrivals dropped, by dropCause
	iterations   atomic.Int64                // iterations that sent something; workers add theirs as they close
	lateness     *hdrhistogram.Histogram     // open model: the dispatcher's, written by it alone
	peakWorkers  atomic.Int64
	// protocolEvents counts the fast client's connections dropped for
	// bytes beyond an answer.
	protocolEvents atomic.Int64
	// requestIDPrefix starts every request ID of the run (with
	// plan.RequestIDHeader).
	requestIDPrefix string
}

// newEngine prepares a run of plan. Requests carry ctx's values but not its
// cancellation: an interrupt lets the requests in flight finish.
func newEngine(ctx context.Context, plan *Plan) (*engine, error) {
	e := &engine{plan: plan}
	if plan.RequestIDHeader != "" {
		e.requestIDPrefix = newRequestIDPrefix()
	}
	if plan.Load.Open {
		e.lateness = NewLatencyHistogram()
	}
	e.names, e.stepEndpoint = endpointsOf(plan.Steps)
	e.steps = plan.Steps
	if plan.Session != nil {
		e.sessions = newSessions(plan.Session, len(plan.Steps))
		e.steps = append(plan.Steps[:len(plan.Steps):len(plan.Steps)], plan.Session.Steps...)
	}
	reqCtx := context.WithoutCancel(ctx)
	for _, s := range e.steps {
		req, err := http.NewRequestWithContext(reqCtx, s.Method, ResolvePath(plan.Target, s.Path), nil)
		if err != nil {
			return nil, fmt.Errorf("step %q: %w", s.Name, err)
		}
		for k, v := range s.Header {
			req.Header[k] = v
		}
		if s.Body != nil && req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
		e.templates = append(e.templates, req)
		e.keep = append(e.keep, keepSet(s, plan.Classifier))
	}
	if err := e.chooseExchange(); err != nil {
		return nil, err
	}
	peak := max(plan.Load.WorkerLimit(), 1)
	e.series = newSeriesCollector(len(e.names))
	e.live = newLive(plan, e.names)
	e.stripes = make([]*stripe, min(peak, 4*runtime.GOMAXPROCS(0)))
	for i := range e.stripes {
		e.stripes[i] = newStripe(e.names, e.series, e.live)
	}
	return e, nil
}

// newWorker returns worker id, counting it towards the peak.
func (e *engine) newWorker(id int) *worker {
	for {
		peak := e.peakWorkers.Load()
		if int64(id+1) <= peak || e.peakWorkers.CompareAndSwap(peak, int64(id+1)) {
			break
		}
	}
	return e.worker(id)
}

// worker returns worker id, without counting it.
func (e *engine) worker(id int) *worker {
	w := &worker{id: id, engine: e, stripe: e.stripes[id%len(e.stripes)]}
	w.exchange = e.newExchange(&w.conns)
	if e.plan.RequestIDHeader != "" {
		w.ids = newRequestIDs(e.requestIDPrefix, id)
	}
	return w
}

// moreIterations reports whether the shard's iteration seq (counting the
// shard's own, from 0) is within the plan's bound.
func (e *engine) moreIterations(seq int64) bool {
	return e.plan.Load.Iterations == 0 || e.plan.Load.Shard.global(seq) < e.plan.Load.Iterations
}

// ResolvePath appends path (which may carry a query) to target's path:
// target http://host/base and path /api/auth/login give
// http://host/base/api/auth/login. The path is sent as written, escapes
// and dot segments included. An empty path is the target itself.
func ResolvePath(target *url.URL, path string) string {
	if path == "" {
		return target.String()
	}
	ref, err := url.Parse(path)
	if err != nil {
		return target.String() + path
	}
	u := *target
	u.RawPath = strings.TrimSuffix(target.EscapedPath(), "/") + "/" + strings.TrimPrefix(ref.EscapedPath(), "/")
	u.Path, _ = url.PathUnescape(u.RawPath) // it was escaped: it unescapes
	u.RawQuery = ref.RawQuery
	return u.String()
}

// endpointsOf returns the distinct step names in order of first use, and for
// each step the index of its name.
func endpointsOf(steps []Step) (names []string, stepEndpoint []int) {
	index := map[string]int{}
	for _, s := range steps {
		i, ok := index[s.Name]
		if !ok {
			i = len(names)
			index[s.Name] = i
			names = append(names, s.Name)
		}
		stepEndpoint = append(stepEndpoint, i)
	}
	return names, stepEndpoint
}

// stripe is a set of endpoint statistics that a few workers share, so that
// memory depends on the cores, not on the workers. It also gathers, for the
// run's sinks, its workers' records and their seconds (see live).
type stripe struct {
	mu        sync.Mutex
	endpoints []*EndpointStats
	pieces    []piece // per endpoint, the series' open interval
	seconds   []piece // per endpoint, the live sinks' open second; nil without IntervalSinks
	raw       []RawRecord
	series    *seriesCollector
	live      *live
}

func newStripe(names []string, series *seriesCollector, l *live) *stripe {
	s := &stripe{series: series, live: l, pieces: make([]piece, len(names))}
	if l.wantsSeconds() {
		s.seconds = make([]piece, len(names))
	}
	for _, name := range names {
		s.endpoints = append(s.endpoints, NewEndpointStats(name))
	}
	return s
}

// record adds a sample that completed at offset at of the run, and raw,
// its record, when the run has RawSinks (else nil). The worker that fills a
// batch of records hands it over itself, waiting while the sinks are
// behind.
func (s *stripe) record(endpoint int, x Sample, at time.Duration, raw *RawRecord) {
	width := s.series.width()
	s.mu.Lock()
	s.endpoints[endpoint].Record(x)
	s.pieces[endpoint].put(x, at.Truncate(width), width, s.series, endpoint)
	if s.seconds != nil {
		s.seconds[endpoint].put(x, at.Truncate(FirstSeriesInterval), FirstSeriesInterval, s.live, endpoint)
	}
	var full []RawRecord
	if raw != nil {
		if s.raw == nil {
			s.raw = s.live.buffer()
		}
		s.raw = append(s.raw, *raw)
		if len(s.raw) == rawBatch {
			full, s.raw = s.raw, nil
		}
	}
	s.mu.Unlock()
	s.live.records(full)
}

// handOver hands the live sinks the stripe's records, and its seconds that
// ended before ended.
func (s *stripe) handOver(ended time.Duration) {
	s.mu.Lock()
	batch := s.raw
	s.raw = nil
	for i := range s.seconds {
		if p := &s.seconds[i]; p.open() && p.start+p.width <= ended {
			s.live.take(i, p)
			p.reset()
		}
	}
	s.mu.Unlock()
	s.live.records(batch)
}

// flush hands the stripe's open pieces over to the series, and what it
// gathered to the live sinks.
func (s *stripe) flush() {
	s.mu.Lock()
	for i := range s.pieces {
		if p := &s.pieces[i]; p.open() {
			s.series.take(i, p)
			p.reset()
		}
	}
	s.mu.Unlock()
	if s.live != nil {
		s.handOver(endOfTime)
	}
}

// keepSet returns the statuses whose body step s needs: those a rule of c,
// of s's own classes or of its Expect reads, those that are not 2xx (the
// start of their body goes into the failure message), and, when it
// extracts, those that are ok.
func keepSet(s Step, c Classifier) statusSet {
	var set statusSet
	c.bodyStatuses(&set)
	for _, r := range s.Classes {
		set.addBodyRule(r.Rule)
	}
	for _, r := range s.Expect {
		set.addBodyRule(r)
	}
	for status := range maxStatus {
		if status < 200 || status >= 300 {
			set.add(status)
		}
	}
	if s.Extract != nil {
		for status := 200; status < 300; status++ {
			set.add(status)
		}
		for _, r := range s.Expect {
			set.add(r.Status)
		}
	}
	return set
}

// sleep waits for d and reports true, or reports false as soon as stop ends
// or retired is closed (a nil retired never is).
func sleep(stop context.Context, d time.Duration, retired <-chan struct{}) bool {
	if d <= 0 {
		return stop.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop.Done():
		return false
	case <-retired:
		return false
	}
}

// metricsTimeout bounds one reading of a server's metrics: the requests'
// timeout, at least 5 s.
func metricsTimeout(timeout time.Duration) time.Duration { return max(timeout, 5*time.Second) }

// metricsClient is the client that reads servers' metrics.
func metricsClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: metricsTimeout(timeout)}
}

// LateError is a run that reached its start time (Identity.StartAt) later
// than Identity.MaxLate: its load did not begin.
type LateError struct {
	Late, MaxLate time.Duration
}

func (e *LateError) Error() string {
	return fmt.Sprintf("the load would begin %s after its start time, later than the %s allowed", e.Late.Round(time.Millisecond), e.MaxLate)
}

// waitForStart waits until id.StartAt, if it has one; a start already later
// than id.MaxLate is a *LateError, and an interrupt meanwhile ctx.Err().
func waitForStart(ctx context.Context, id Identity) error {
	if id.StartAt.IsZero() {
		return nil
	}
	if late := time.Since(id.StartAt); late > id.MaxLate {
		return &LateError{Late: late, MaxLate: id.MaxLate}
	}
	if !sleep(ctx, time.Until(id.StartAt), nil) {
		return ctx.Err()
	}
	return nil
}
