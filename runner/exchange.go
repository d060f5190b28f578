package runner

import (
	"bytes"
	"fmt"
)

// exchange is a worker's way of making its requests: do sends step i's
// request for iteration it, with requestID in the plan's RequestIDHeader
// (when both are set), and reads the answer, keeping the body in body
// when the step's keep set has the status (body is left empty otherwise),
// and adds to its worker's connLog the connections made for the request
// and the time the request waited for their set-up; close closes its
// connections. A run chooses one kind for all
// its workers (chooseExchange); each worker has its own exchange, not safe
// for concurrent use.
type exchange interface {
	do(i int, it Iteration, requestID string, body *bytes.Buffer) (answer, error)
	close()
}

// chooseExchange sets how e's workers make their requests: HTTP/2 through
// net/http when the plan asks for it (h2 by ALPN over TLS, h2c with prior
// knowledge over plain TCP), and otherwise each worker's own keep-alive
// HTTP/1.1 connection, over TCP for http:// and TLS for https://.
func (e *engine) chooseExchange() error {
	if e.plan.HTTP2 {
		e.client = newHTTP2Client(e.plan, max(e.plan.Load.WorkerLimit(), 1))
		e.newExchange = func(log *connLog) exchange { return &netHTTPExchange{e: e, log: log} }
		return nil
	}
	requests := make([]http1Request, len(e.templates))
	for i, t := range e.templates {
		var err error
		if requests[i], err = newHTTP1Request(t); err != nil {
			return fmt.Errorf("step %q: %w", e.steps[i].Name, err)
		}
		requests[i].idHeader = e.plan.RequestIDHeader
	}
	c := newConnector(e.plan, "http/1.1")
	e.newExchange = func(log *connLog) exchange {
		return &http1Exchange{e: e, requests: requests,
			conn: newHTTP1Conn(e.plan.Target, e.plan.Timeout, c, log, &e.protocolEvents)}
	}
	return nil
}

// http1Exchange is a worker's own HTTP/1.1 connection as its exchange.
type http1Exchange struct {
	e        *engine
	requests []http1Request // per step, the run's; a step that varies makes its own
	conn     *http1Conn
}

func (x *http1Exchange) do(i int, it Iteration, requestID string, body *bytes.Buffer) (answer, error) {
	e := x.e
	step := &e.steps[i]
	req := x.requests[i]
	if step.Vary != nil {
		varied, err := e.varied(e.templates[i].Context(), i, it)
		if err != nil {
			return answer{}, err
		}
		if req, err = newHTTP1Request(varied); err != nil {
			return answer{}, err
		}
		req.idHeader = e.plan.RequestIDHeader
	}
	req.requestID = requestID
	if step.Body != nil {
		req.body = step.Body(it) // nil: http1Request's bodyless rule decides, as net/http does
	}
	return x.conn.do(req, &e.keep[i], body)
}

func (x *http1Exchange) close() { x.conn.close() }
