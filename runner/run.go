package runner

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// maxBodyBytes is the most of a response body kept for classification. Only
// a response the lock rule could match is kept; every body is read to its
// end, so that latency runs to the last byte and the connection is reused.
const maxBodyBytes = 1 << 20

// Run drives plan.Target with plan.Load and returns what it measured.
//
// Cancelling ctx stops the run gracefully: no request starts after it, and
// requests in flight finish within plan.Timeout; the Result then has
// Interrupted set. Failed requests are data in the Result, never errors: Run
// returns an error only for a plan that cannot run.
func Run(ctx context.Context, plan Plan) (*Result, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	names, stepEndpoint := endpointsOf(plan.Steps)
	urls := make([]string, len(plan.Steps))
	for i, s := range plan.Steps {
		urls[i] = ResolvePath(plan.Target, s.Path)
	}
	client := NewClient(plan.Load.Concurrency, plan.Timeout)
	defer client.CloseIdleConnections()

	shards := make([]*shard, min(plan.Load.Concurrency, 4*runtime.GOMAXPROCS(0)))
	for i := range shards {
		shards[i] = newShard(names)
	}
	stop := ctx
	if plan.Load.Duration > 0 {
		var cancel context.CancelFunc
		stop, cancel = context.WithTimeout(ctx, plan.Load.Duration)
		defer cancel()
	}
	var next atomic.Int64
	var g errgroup.Group // lifetimes only: a worker never fails
	started := time.Now()
	for id := range plan.Load.Concurrency {
		w := &worker{
			id:           id,
			plan:         &plan,
			client:       client,
			ctx:          context.WithoutCancel(ctx),
			urls:         urls,
			stepEndpoint: stepEndpoint,
			shard:        shards[id%len(shards)],
		}
		g.Go(func() error {
			w.loop(stop, &next)
			return nil
		})
	}
	g.Wait()
	ended := time.Now()

	endpoints := make([]*EndpointStats, len(names))
	for i, name := range names {
		endpoints[i] = NewEndpointStats(name)
		for _, sh := range shards {
			if err := endpoints[i].Merge(sh.endpoints[i]); err != nil {
				return nil, err
			}
		}
	}
	total, err := totalOf(endpoints)
	if err != nil {
		return nil, err
	}
	return &Result{
		Scenario:    plan.Scenario,
		Target:      plan.Target.Redacted(),
		Started:     started,
		Ended:       ended,
		Load:        plan.Load,
		Interrupted: ctx.Err() != nil,
		Endpoints:   endpoints,
		Total:       total,
	}, nil
}

// ResolvePath appends path (which may carry a query) to target's path:
// target http://host/base and path /api/auth/login give
// http://host/base/api/auth/login.
func ResolvePath(target *url.URL, path string) string {
	ref, err := url.Parse(path)
	if err != nil {
		return target.String() + path
	}
	u := target.JoinPath(ref.Path)
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

// shard is a set of endpoint statistics that a few workers share, so that
// memory depends on the number of cores, not on the concurrency.
type shard struct {
	mu        sync.Mutex
	endpoints []*EndpointStats
}

func newShard(names []string) *shard {
	s := &shard{}
	for _, name := range names {
		s.endpoints = append(s.endpoints, NewEndpointStats(name))
	}
	return s
}

func (s *shard) record(endpoint int, latency time.Duration, status int, class Class, kind TransportKind) {
	s.mu.Lock()
	s.endpoints[endpoint].Record(latency, status, class, kind)
	s.mu.Unlock()
}

// worker runs iterations one after another.
type worker struct {
	id           int
	plan         *Plan
	client       *http.Client
	ctx          context.Context // for requests: the run's values, not its cancellation
	urls         []string
	stepEndpoint []int
	shard        *shard
	body         bytes.Buffer // the last body the lock rule could match, up to maxBodyBytes
}

// loop runs iterations until stop ends or the plan's iterations are used up.
func (w *worker) loop(stop context.Context, next *atomic.Int64) {
	load := w.plan.Load
	for stop.Err() == nil {
		seq := next.Add(1) - 1
		if load.Iterations > 0 && seq >= load.Iterations {
			return
		}
		w.iterate(stop, Iteration{Seq: seq, Worker: w.id})
		if load.Iterations > 0 && next.Load() >= load.Iterations {
			return
		}
		if load.Pause > 0 && !sleep(stop, load.Pause) {
			return
		}
	}
}

// iterate runs the plan's steps in order until one is not ok or stop ends.
func (w *worker) iterate(stop context.Context, it Iteration) {
	if w.plan.Progress != nil {
		defer w.plan.Progress.iterations.Add(1)
	}
	for i := range w.plan.Steps {
		if stop.Err() != nil || w.send(i, it) != ClassOK {
			return
		}
	}
}

// send makes step i's request, records it, and returns its class.
func (w *worker) send(i int, it Iteration) Class {
	step := &w.plan.Steps[i]
	var body io.Reader
	if step.Body != nil {
		body = bytes.NewReader(step.Body(it))
	}
	status, class, kind := 0, ClassTransport, TransportOther
	began := time.Now()
	req, err := http.NewRequestWithContext(w.ctx, step.Method, w.urls[i], body)
	if err == nil {
		for k, v := range step.Header {
			req.Header[k] = v
		}
		if body != nil && req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
		began = time.Now()
		var resp *http.Response
		resp, err = w.client.Do(req)
		if err == nil {
			status = resp.StatusCode
			err = w.readBody(resp.Body, status == w.plan.LockRule.Status)
			resp.Body.Close()
		}
	}
	latency := time.Since(began)
	if err != nil {
		kind = transportKind(err)
	} else {
		class = Classify(status, w.body.Bytes(), step.Expect, w.plan.LockRule)
	}
	w.shard.record(w.stepEndpoint[i], latency, status, class, kind)
	if w.plan.Progress != nil {
		w.plan.Progress.add(class)
	}
	return class
}

// readBody reads body to its end, keeping its first maxBodyBytes in w.body
// when keep is set (w.body is empty otherwise).
func (w *worker) readBody(body io.Reader, keep bool) error {
	w.body.Reset()
	if keep {
		if _, err := w.body.ReadFrom(io.LimitReader(body, maxBodyBytes)); err != nil {
			return err
		}
	}
	_, err := io.Copy(io.Discard, body)
	return err
}

// sleep waits for d and reports true, or reports false as soon as stop ends.
func sleep(stop context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop.Done():
		return false
	}
}
