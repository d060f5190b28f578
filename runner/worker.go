package runner

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// maxBodyBytes is the most of a response body kept for classification. Only
// a response the lock rule could match is kept; every body is read to its
// end, so that latency runs to the last byte and the connection is reused.
const maxBodyBytes = 1 << 20

// worker runs iterations, one at a time.
type worker struct {
	id       int
	engine   *engine
	shard    *shard
	requests []*http.Request // per step, reused (net/http path)
	h1       *http1Conn      // the worker's connection (http:// targets)
	body     bytes.Buffer    // the last body the lock rule could match, up to maxBodyBytes
}

// close closes the worker's own connection, if it has one.
func (w *worker) close() {
	if w.h1 != nil {
		w.h1.close()
	}
}

// roundTrip sends step i's request for it and reads the answer: on the
// worker's own HTTP/1.1 connection for an http:// target, through net/http
// (HTTP/2 where the server offers it) for https://.
func (w *worker) roundTrip(i int, it Iteration) (status int, err error) {
	e := w.engine
	if e.h1Requests != nil {
		if w.h1 == nil {
			w.h1 = newHTTP1Conn(e.plan.Target, e.plan.Timeout)
		}
		req := e.h1Requests[i]
		if body := e.plan.Steps[i].Body; body != nil {
			req.body = body(it) // nil: http1Request's bodyless rule decides, as net/http does
		}
		return w.h1.do(req, e.plan.LockRule.Status, &w.body)
	}
	resp, err := e.client.Do(w.request(i, it))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, w.readBody(resp.Body, resp.StatusCode == e.plan.LockRule.Status)
}

// iterate runs the plan's steps in order until one is not ok or stop ends.
// The first step's response time counts from intended, the iteration's
// scheduled start (the zero time: when it is sent); each later step's from
// its own send.
func (w *worker) iterate(stop context.Context, it Iteration, intended time.Time) {
	plan := w.engine.plan
	if plan.Progress != nil {
		defer plan.Progress.iterations.Add(1)
	}
	for i := range plan.Steps {
		if stop.Err() != nil || w.send(i, it, intended) != ClassOK {
			return
		}
		intended = time.Time{}
	}
}

// request returns the worker's request for step i, with the iteration's
// body. A worker reuses one request per step: net/http allows it once the
// previous response's body is closed, and it saves parsing the URL and
// building the headers on every send.
func (w *worker) request(i int, it Iteration) *http.Request {
	if w.requests == nil {
		for _, t := range w.engine.templates {
			w.requests = append(w.requests, t.Clone(t.Context()))
		}
	}
	req := w.requests[i]
	if body := w.engine.plan.Steps[i].Body; body != nil {
		b := body(it)
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	}
	return req
}

// send makes step i's request, records it, and returns its class.
func (w *worker) send(i int, it Iteration, intended time.Time) Class {
	e := w.engine
	class, kind := ClassTransport, TransportOther
	began := time.Now()
	status, err := w.roundTrip(i, it)
	ended := time.Now()
	if err != nil {
		kind = transportKind(err)
	} else {
		class = Classify(status, w.body.Bytes(), e.plan.Steps[i].Expect, e.plan.LockRule)
	}
	if intended.IsZero() || intended.After(began) {
		intended = began
	}
	w.shard.record(e.stepEndpoint[i], ended.Sub(intended), ended.Sub(began), status, class, kind)
	if e.plan.Progress != nil {
		e.plan.Progress.add(class)
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
