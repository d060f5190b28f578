package runner

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"time"
)

// netHTTPExchange is a worker's exchange through the run's net/http client
// (HTTP/2: connections and their streams are the client's, shared by the
// workers).
type netHTTPExchange struct {
	e        *engine
	log      *connLog        // the worker's
	dials    dialLog         // the connections net/http dialled for the worker's requests
	requests []*http.Request // per step, reused
	kept     keptConn        // the kept connection net/http gave the last request
}

// dialLogKey is the context key of the dialLog of the worker whose
// request a connection net/http dials is for.
type dialLogKey struct{}

// newHTTP2Client returns the HTTP/2 client of a run of plan: NewClient's
// with UseHTTP2, dialling through the run's connector. A connection's
// set-up goes to the dialLog of the worker whose request had it dialled,
// and stays on the connection for the requests that wait for it (see
// keptConn.setupWait).
func newHTTP2Client(plan *Plan, concurrency int) *http.Client {
	client := NewClient(concurrency, plan.Timeout)
	UseHTTP2(client, plan.Target)
	c := newConnector(plan, "h2")
	dial := func(ctx context.Context, _, addr string) (net.Conn, error) {
		var log connRecorder
		if l, ok := ctx.Value(dialLogKey{}).(*dialLog); ok {
			log = l
		}
		var checked *checkedConn
		under := func(tcp net.Conn) net.Conn {
			checked = &checkedConn{Conn: tcp}
			return checked
		}
		began := time.Now()
		conn, _, err := c.connect(ctx, addr, began.Add(plan.Timeout), under, log)
		if err != nil {
			return nil, err
		}
		if checked == nil { // a plain connection, which connect need not put over under
			checked = &checkedConn{Conn: conn}
			conn = checked
		}
		checked.began, checked.ready = began, time.Now()
		return conn, nil
	}
	t := client.Transport.(*http.Transport)
	if plan.Target.Scheme == "https" {
		t.DialTLSContext = dial
	} else {
		t.DialContext = dial
	}
	return client
}

func (x *netHTTPExchange) do(i int, it Iteration, requestID string, body *bytes.Buffer) (answer, error) {
	req, err := x.request(i, it)
	if err != nil {
		return answer{}, err
	}
	if h := x.e.plan.RequestIDHeader; h != "" && requestID != "" {
		req.Header.Set(h, requestID)
	}
	resp, err := x.kept.do(x.e.client, req)
	x.dials.moveTo(x.log)
	x.log.setup += x.kept.setupWait
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	ans := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	return ans, readBody(body, resp.Body, x.e.keep[i].has(resp.StatusCode))
}

// close leaves the connections to the run's client, which closes them.
func (x *netHTTPExchange) close() {}

// request returns the worker's request for step i, with the iteration's
// path, headers and body. A worker reuses one request per step that does
// not vary: net/http allows it once the previous response's body is closed,
// and it saves parsing the URL and building the headers on every send.
func (x *netHTTPExchange) request(i int, it Iteration) (*http.Request, error) {
	e := x.e
	step := &e.steps[i]
	var req *http.Request
	if step.Vary != nil {
		var err error
		if req, err = e.varied(x.context(e.templates[i].Context()), i, it); err != nil {
			return nil, err
		}
	} else {
		if x.requests == nil {
			for _, t := range e.templates {
				x.requests = append(x.requests, t.Clone(x.context(t.Context())))
			}
		}
		req = x.requests[i]
	}
	if step.Body != nil {
		b := step.Body(it)
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil } // net/http may then resend it on a connection it found closed before writing
	}
	return req, nil
}

// context returns parent with the worker's dialLog and connection trace
// (the same context at every call: every template of a run has one parent).
func (x *netHTTPExchange) context(parent context.Context) context.Context {
	if x.kept.ctx == nil {
		parent = context.WithValue(parent, dialLogKey{}, &x.dials)
	}
	return x.kept.traced(parent)
}

// readBody reads body to its end, keeping its first maxBodyBytes in out
// when keep is set (out is empty otherwise).
func readBody(out *bytes.Buffer, body io.Reader, keep bool) error {
	out.Reset()
	if keep {
		if _, err := out.ReadFrom(io.LimitReader(body, maxBodyBytes)); err != nil {
			return err
		}
	}
	_, err := io.Copy(io.Discard, body)
	return err
}
