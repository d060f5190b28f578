package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// SetupRequest is one unmeasured request of a setup phase (registering the
// users a run logs in with). It must end with a 2xx or an expected status.
type SetupRequest struct {
	// Label says what the request is for, in error messages: "register user lg-3f2a-1".
	Label  string
	Method string
	Path   string
	Header http.Header // sent besides Content-Type: application/json, which it may replace
	Body   []byte
	Expect []Rule // answers that count as ok besides 2xx, as Step.Expect
}

// SetupOptions bound a setup phase. The zero value gets the defaults.
type SetupOptions struct {
	// Concurrency is how many setup requests run at once (default 4: modest,
	// so that setup does not overload the target it is about to measure).
	Concurrency int
	// Retries is how many times a 503 or 429 is retried (default 5).
	Retries int
	// MaxWait caps the wait before a retry (default 10s): the one a
	// Retry-After asks for, or without one a back-off with jitter (see
	// retryWait), as a step's.
	MaxWait time.Duration
	// Progress, when not nil, counts the requests done as they succeed.
	Progress *SetupProgress
}

func (o SetupOptions) withDefaults() SetupOptions {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Retries <= 0 {
		o.Retries = 5
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 10 * time.Second
	}
	return o
}

// SetupError is a setup request that did not succeed.
type SetupError struct {
	Request  SetupRequest
	URL      string
	Status   int    // 0 when there was no HTTP response
	Body     string // the start of the response body
	Attempts int
	Err      error // the transport error, when there was no response
}

func (e *SetupError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("setup failed: %s: %s %s: %v", e.Request.Label, e.Request.Method, e.URL, e.Err)
	}
	body := e.Body
	if body == "" {
		body = "(empty body)"
	}
	return fmt.Sprintf("setup failed: %s: %s %s answered %d after %d attempt(s): %s",
		e.Request.Label, e.Request.Method, e.URL, e.Status, e.Attempts, body)
}

func (e *SetupError) Unwrap() error { return e.Err }

// Setup sends reqs to target, a few at a time, retrying a 503 or 429 after
// its Retry-After or a back-off, and returns the first request that still
// failed as a *SetupError. Once the target has answered 503 or 429, the requests go one
// at a time, so that a struggling target is not kept busy by setup itself.
// Cancelling ctx abandons it with ctx.Err(). Its report counts what was
// sent, whether it succeeded or not.
func Setup(ctx context.Context, client *http.Client, target *url.URL, reqs []SetupRequest, opts SetupOptions) (SetupReport, error) {
	s := &setupPhase{client: client, target: target, opts: opts.withDefaults()}
	s.tally.progress = opts.Progress
	began := time.Now()
	err := s.run(ctx, reqs)
	s.tally.mu.Lock()
	defer s.tally.mu.Unlock()
	report := s.tally.report
	report.Users, report.Duration = len(reqs), time.Since(began)
	return report, err
}

// run sends reqs and returns the first failure.
func (s *setupPhase) run(ctx context.Context, reqs []SetupRequest) error {
	g, groupCtx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Concurrency)
	for _, r := range reqs {
		if groupCtx.Err() != nil {
			break
		}
		g.Go(func() error { return s.send(groupCtx, r) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// setupPhase is one Setup call; safe for its concurrent requests.
type setupPhase struct {
	client    *http.Client
	target    *url.URL
	opts      SetupOptions
	throttled atomic.Bool // set by the first 503 or 429
	serial    sync.Mutex  // taken around each attempt once throttled
	tally     setupTally
}

// send makes r until it succeeds, retrying a 503 or 429.
func (s *setupPhase) send(ctx context.Context, r SetupRequest) error {
	shown := ResolvePath(redacted(s.target), r.Path) // for messages
	for attempt := 1; ; attempt++ {
		status, header, body, err := s.attempt(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.tally.answered(0, attempt > 1)
			s.tally.ended(false)
			return &SetupError{Request: r, URL: shown, Attempts: attempt, Err: err} // net/http strips passwords from its errors
		}
		s.tally.answered(status, attempt > 1)
		if (Classifier{}).Classify(status, body, nil, r.Expect) == ClassOK {
			s.tally.ended(true)
			return nil
		}
		retryable := status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests
		if !retryable || attempt > s.opts.Retries {
			s.tally.ended(false)
			return &SetupError{Request: r, URL: shown, Status: status, Attempts: attempt, Body: strings.TrimSpace(string(body))}
		}
		s.throttled.Store(true)
		if !sleep(ctx, retryWait(header.Get("Retry-After"), attempt-1, s.opts.MaxWait, time.Now(), rand.Int64N), nil) {
			return ctx.Err()
		}
	}
}

// attempt sends r once and returns the status, the headers and the start of
// the body.
func (s *setupPhase) attempt(ctx context.Context, r SetupRequest) (int, http.Header, []byte, error) {
	if s.throttled.Load() {
		s.serial.Lock()
		defer s.serial.Unlock()
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, ResolvePath(s.target, r.Path), bytes.NewReader(r.Body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range r.Header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header, body, nil
}

// redacted returns target with any password replaced by "xxxxx".
func redacted(target *url.URL) *url.URL {
	u, err := url.Parse(target.Redacted())
	if err != nil {
		return target
	}
	return u
}

// CheckReachable opens and closes one TCP connection to target's host, so
// that a target that refuses connections is reported before the run starts,
// in one line.
func CheckReachable(ctx context.Context, target *url.URL, timeout time.Duration) error {
	port := target.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[target.Scheme]
	}
	conn, err := (&net.Dialer{Timeout: timeout}).DialContext(ctx, "tcp", net.JoinHostPort(target.Hostname(), port))
	if err != nil {
		return fmt.Errorf("target %s is unreachable: %w", target.Redacted(), err)
	}
	return conn.Close()
}
