package runner

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// maxBodyBytes is the most of a response body kept for classification and
// extraction. Only a response a rule or an extraction could read is kept;
// every body is read to its end, so that latency runs to the last byte and
// the connection is reused.
const maxBodyBytes = 1 << 20

// worker runs iterations, one at a time.
type worker struct {
	id       int
	engine   *engine
	stripe   *stripe
	exchange exchange     // how the worker makes its requests, of the run's kind
	conns    connLog      // the connections made for the request being sent
	body     bytes.Buffer // the last body kept, up to maxBodyBytes
	vars     []string     // the variables of the iteration running
	message  []byte       // the last failure's message, normalised
	scratch  []byte       // room to build a message in
	backoff  backoff      // after failed connection attempts
	ids      requestIDs   // with the plan's RequestIDHeader
	started  int64        // iterations that sent something, added to the engine's at close
	status   int          // the last answer's status; 0 for none

	// With a session: expired is set by an answer whose status renews the
	// iteration's session; resending while its step is sent again with a
	// new session (which no status renews again); sessionVars are the
	// variables of the session being made.
	expired, resending bool
	sessionVars        []string
}

// close closes the worker's exchange and adds its iterations to the run's.
func (w *worker) close() {
	w.exchange.close()
	w.engine.iterations.Add(w.started)
}

// iterate runs the plan's steps in order, but those the iteration skips,
// until one is not ok or stop ends; the first step it sends unless begin
// has ended (the open model passes the run's context, so that an arrival
// due within the length is sent after the length's end; the closed model
// passes stop). The first step's response time counts from intended, the
// iteration's scheduled start (the zero time: when it is sent); each later
// step's from its own send. It reports whether it sent anything: not when
// begin ended before its first step. With a session, it first takes its
// user's session (renewed first when too old; when that fails, it sends
// no step), and a step answered with a renew status renews it and is sent
// again, once, with the new one.
func (w *worker) iterate(begin, stop context.Context, it Iteration, intended time.Time) (sent bool) {
	plan := w.engine.plan
	if w.vars == nil {
		w.vars = make([]string, plan.Vars)
	}
	clear(w.vars)
	it.Vars = w.vars
	var session *sessionState
	if ss := w.engine.sessions; ss != nil {
		if begin.Err() != nil {
			return false
		}
		it.User = ss.plan.User(it.Seq)
		if session = ss.get(stop, w, it.User); session == nil {
			return false
		}
		it.Session = session.vars
	}
	for i, step := range plan.Steps {
		if step.Skip != nil && step.Skip(it) {
			continue
		}
		until := begin
		if sent {
			until = stop
		}
		if until.Err() != nil {
			break
		}
		sent = true
		class := w.runStep(stop, i, it, intended)
		if w.expired {
			w.expired = false
			if session = w.engine.sessions.renew(stop, w, it.User, session, causeStatus); session == nil {
				break
			}
			it.Session = session.vars
			w.resending = true
			class = w.runStep(stop, i, it, time.Time{})
			w.resending = false
		}
		if class != ClassOK {
			break
		}
		intended = time.Time{}
	}
	if sent {
		w.started++
		if plan.Progress != nil {
			plan.Progress.iterations.Add(1)
		}
	}
	return sent
}

// runStep sends step i, again while its retry policy allows, and returns
// the class of the last attempt. After an attempt that failed to connect,
// the worker backs off (see backoffSchedule) before it returns: it is busy
// meanwhile. A wait for a retry or a back-off ends early when stop ends.
func (w *worker) runStep(stop context.Context, i int, it Iteration, intended time.Time) Class {
	retry := w.engine.steps[i].Retry
	for attempt := 0; ; attempt++ {
		x, ans := w.send(i, it, intended, attempt > 0)
		if x.ConnectFailed {
			sleep(stop, w.backoff.failed(connectBackoff), nil)
			return x.Class
		}
		w.backoff.connected()
		if x.Class == ClassOK || w.expired || !retry.retries(ans.status, attempt) ||
			!sleep(stop, retryWait(ans.retryAfter, attempt, retry.MaxWait, time.Now(), rand.Int64N), nil) {
			return x.Class
		}
		intended = time.Time{}
	}
}

// send makes step i's request once, records it, and returns it as recorded
// and its answer. Its response and service times leave out the set-up of
// the connections made for it (recorded apart, in the sample's
// Connections).
func (w *worker) send(i int, it Iteration, intended time.Time, retry bool) (Sample, answer) {
	e := w.engine
	step := &e.steps[i]
	x := Sample{Class: ClassTransport, Kind: TransportOther, Retry: retry}
	w.conns.reset()
	if e.plan.RequestIDHeader != "" {
		x.RequestID = w.ids.next()
	}
	began := time.Now()
	ans, err := w.exchange.do(i, it, x.RequestID, &w.body)
	ended := time.Now()
	setup := w.conns.setup
	x.Connections = w.conns.made
	if err != nil {
		x.Kind = transportKind(err)
		x.ConnectFailed = failedToConnect(err)
		w.message, w.scratch = appendErrorMessage(w.message[:0], w.scratch, err)
		x.Message = w.message
	} else {
		x.Status = ans.status
		x.Class = e.plan.Classifier.Classify(ans.status, w.body.Bytes(), step.Classes, step.Expect)
		if x.Class == ClassOK && step.Extract != nil {
			if err := step.Extract(it, w.body.Bytes()); err != nil {
				x.Class = ClassExtractFailed
				w.scratch = append(w.scratch[:0], err.Error()...)
				w.message = appendNormalised(w.message[:0], w.scratch, maxMessageBytes)
				x.Message = w.message
			}
		}
		if x.Class != ClassOK && x.Class != ClassExtractFailed {
			w.message = appendStatusMessage(w.message[:0], ans.status, w.body.Bytes())
			x.Message = w.message
		}
	}
	if intended.IsZero() || intended.After(began) {
		intended = began
	}
	x.Response, x.Service = max(ended.Sub(intended)-setup, 0), max(ended.Sub(began)-setup, 0)
	w.status = x.Status
	if ss := e.sessions; ss != nil {
		switch {
		case i >= ss.first:
			ss.record(i-ss.first, x)
			return x, ans
		case !w.resending && x.Class != ClassOK && ss.renews(x.Status):
			w.expired = true
			ss.expired.Add(1)
			return x, ans
		}
	}
	var raw *RawRecord
	if e.live.wantsRecords() {
		raw = &RawRecord{Ended: ended, Intended: intended, Endpoint: step.Name, Status: x.Status,
			Class: x.Class, Latency: x.Response, Retry: retry, RequestID: x.RequestID}
	}
	w.stripe.record(e.stepEndpoint[i], x, ended.Sub(e.started), raw)
	if e.plan.Progress != nil {
		e.plan.Progress.add(x.Class)
	}
	return x, ans
}

// varied returns a new copy of step i's request template, with ctx, and
// with the path and headers its Vary gives for it.
func (e *engine) varied(ctx context.Context, i int, it Iteration) (*http.Request, error) {
	path, header := e.steps[i].Vary(it)
	u, err := url.Parse(ResolvePath(e.plan.Target, path))
	if err != nil {
		// url.Parse quotes the whole URL, and with it a password in the target.
		return nil, fmt.Errorf("path %q does not make a valid URL", path)
	}
	req := e.templates[i].Clone(ctx)
	req.URL, req.Host = u, u.Host
	for k, v := range header {
		req.Header[k] = v
	}
	return req, nil
}
