package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	shard    *shard
	requests []*http.Request // per step, reused (net/http path)
	h1       *http1Conn      // the worker's connection (http:// targets)
	kept     keptConn        // the kept connection net/http gave the last request
	body     bytes.Buffer    // the last body kept, up to maxBodyBytes
	vars     []string        // the variables of the iteration running
	message  []byte          // the last failure's message, normalised
	scratch  []byte          // room to build a message in
	backoff  backoff         // after failed connection attempts
}

// close closes the worker's own connection, if it has one.
func (w *worker) close() {
	if w.h1 != nil {
		w.h1.close()
	}
}

// iterate runs the plan's steps in order, but those the iteration skips,
// until one is not ok or stop ends. The first step's response time counts
// from intended, the iteration's scheduled start (the zero time: when it is
// sent); each later step's from its own send. It reports whether it sent
// anything: not when stop ended before its first step.
func (w *worker) iterate(stop context.Context, it Iteration, intended time.Time) (sent bool) {
	plan := w.engine.plan
	if w.vars == nil {
		w.vars = make([]string, plan.Vars)
	}
	clear(w.vars)
	it.Vars = w.vars
	for i, step := range plan.Steps {
		if step.Skip != nil && step.Skip(it) {
			continue
		}
		if stop.Err() != nil {
			break
		}
		sent = true
		if w.runStep(stop, i, it, intended) != ClassOK {
			break
		}
		intended = time.Time{}
	}
	if sent && plan.Progress != nil {
		plan.Progress.iterations.Add(1)
	}
	return sent
}

// runStep sends step i, again while its retry policy allows, and returns
// the class of the last attempt. After an attempt that failed to connect,
// the worker backs off (see backoffSchedule) before it returns: it is busy
// meanwhile. A wait for a retry or a back-off ends early when stop ends.
func (w *worker) runStep(stop context.Context, i int, it Iteration, intended time.Time) Class {
	retry := w.engine.plan.Steps[i].Retry
	for attempt := 0; ; attempt++ {
		x, ans := w.send(i, it, intended, attempt > 0)
		if x.ConnectFailed {
			sleep(stop, w.backoff.failed(connectBackoff), nil)
			return x.Class
		}
		w.backoff.connected()
		if x.Class == ClassOK || !retry.retries(ans.status, attempt) ||
			!sleep(stop, retryAfter(ans.retryAfter, retry.MaxWait, time.Now()), nil) {
			return x.Class
		}
		intended = time.Time{}
	}
}

// send makes step i's request once, records it, and returns it as recorded
// and its answer.
func (w *worker) send(i int, it Iteration, intended time.Time, retry bool) (Sample, answer) {
	e := w.engine
	step := &e.plan.Steps[i]
	x := Sample{Class: ClassTransport, Kind: TransportOther, Retry: retry}
	began := time.Now()
	ans, err := w.roundTrip(i, it)
	ended := time.Now()
	if err != nil {
		x.Kind = transportKind(err)
		x.ConnectFailed = failedToConnect(err)
		w.message, w.scratch = appendErrorMessage(w.message[:0], w.scratch, err)
		x.Message = w.message
	} else {
		x.Status = ans.status
		x.Class = e.plan.Classifier.Classify(ans.status, w.body.Bytes(), step.Expect)
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
	x.Response, x.Service = ended.Sub(intended), ended.Sub(began)
	var raw *RawRecord
	if e.live.wantsRecords() {
		raw = &RawRecord{Ended: ended, Intended: intended, Endpoint: step.Name, Status: x.Status,
			Class: x.Class, Latency: x.Response, Retry: retry}
	}
	w.shard.record(e.stepEndpoint[i], x, ended.Sub(e.started), raw)
	if e.plan.Progress != nil {
		e.plan.Progress.add(x.Class)
	}
	return x, ans
}

// roundTrip sends step i's request for it and reads the answer: on the
// worker's own HTTP/1.1 connection for an http:// target, through net/http
// (HTTP/2 where the server offers it) for https://. It keeps the body in
// w.body when the step's keep set has the status.
func (w *worker) roundTrip(i int, it Iteration) (answer, error) {
	e := w.engine
	step := &e.plan.Steps[i]
	keep := &e.keep[i]
	if e.h1Requests != nil {
		if w.h1 == nil {
			w.h1 = newHTTP1Conn(e.plan.Target, e.plan.Timeout, &e.protocolEvents)
		}
		req := e.h1Requests[i]
		if step.Vary != nil {
			varied, err := e.varied(e.templates[i].Context(), i, it)
			if err != nil {
				return answer{}, err
			}
			if req, err = newHTTP1Request(varied); err != nil {
				return answer{}, err
			}
		}
		if step.Body != nil {
			req.body = step.Body(it) // nil: http1Request's bodyless rule decides, as net/http does
		}
		return w.h1.do(req, keep, &w.body)
	}
	req, err := w.request(i, it)
	if err != nil {
		return answer{}, err
	}
	resp, err := w.kept.do(e.client, req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	ans := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	return ans, w.readBody(resp.Body, keep.has(resp.StatusCode))
}

// request returns the worker's request for step i, with the iteration's
// path, headers and body. A worker reuses one request per step that does
// not vary: net/http allows it once the previous response's body is closed,
// and it saves parsing the URL and building the headers on every send.
func (w *worker) request(i int, it Iteration) (*http.Request, error) {
	e := w.engine
	step := &e.plan.Steps[i]
	var req *http.Request
	if step.Vary != nil {
		var err error
		if req, err = e.varied(w.kept.traced(e.templates[i].Context()), i, it); err != nil {
			return nil, err
		}
	} else {
		if w.requests == nil {
			for _, t := range e.templates {
				w.requests = append(w.requests, t.Clone(w.kept.traced(t.Context())))
			}
		}
		req = w.requests[i]
	}
	if step.Body != nil {
		b := step.Body(it)
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil } // net/http may then resend it on a connection it found closed before writing
	}
	return req, nil
}

// varied returns a new copy of step i's request template, with ctx, and
// with the path and headers its Vary gives for it.
func (e *engine) varied(ctx context.Context, i int, it Iteration) (*http.Request, error) {
	path, header := e.plan.Steps[i].Vary(it)
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
