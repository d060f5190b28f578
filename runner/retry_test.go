package runner_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// recordSink keeps every raw record of a run.
type recordSink struct{ records []runner.RawRecord }

func (s *recordSink) WriteRecords(batch []runner.RawRecord) { s.records = append(s.records, batch...) }

// TestRetryWithoutRetryAfterBacksOff: against a login that answers 429s
// without Retry-After, a worker retrying for a second backs off, its waits
// doubling from firstRetryWait: each wait the records show is at least
// the back-off's lower bound for its place, so the server sees a handful
// of 429s where a fixed wait of firstRetryWait would have drawn dozens;
// loadgate's counts match the server's log.
func TestRetryWithoutRetryAfterBacksOff(t *testing.T) {
	const first = 10 * time.Millisecond
	runner.SetFirstRetryWait(t, first)
	backend := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{LoginBurst: 1})
	backend.AddUser("ann@example.test", "Secret-123")
	target, _ := url.Parse(backend.URL)
	body := []byte(`{"identity":"ann@example.test","password":"Secret-123"}`)
	login := runner.Step{Name: "login", Method: http.MethodPost, Path: "/api/collections/users/auth-with-password",
		Body: func(runner.Iteration) []byte { return body }, Retry: runner.Retry{Max: 100, MaxWait: 10 * time.Second}}
	sink := &recordSink{}
	p := plan(target, runner.Load{Concurrency: 1, Duration: time.Second}, login)
	p.RawSinks = []runner.RawSink{sink}
	res := mustRun(t, t.Context(), p)

	const route = testkit.AuthLogin
	refused := int64(backend.Requests(route, http.StatusTooManyRequests))
	l := res.Endpoint("login")
	if l.Status(http.StatusTooManyRequests) != refused || l.Status(http.StatusOK) != int64(backend.Requests(route, http.StatusOK)) {
		t.Errorf("loadgate counts %d 429s and %d 200s, the server %d and %d", l.Status(429), l.Status(200), refused, backend.Requests(route, http.StatusOK))
	}
	if l.Retries < 3 || l.Retries != refused-1 {
		t.Fatalf("%d retries of %d 429s; want at least 3, every 429 but the first retried", l.Retries, refused)
	}

	// One worker: the records, by end, are the attempts in order; the
	// retries after the first 429 each waited from the end of the attempt
	// before to their own send.
	slices.SortFunc(sink.records, func(a, b runner.RawRecord) int { return a.Ended.Compare(b.Ended) })
	var waits []time.Duration
	for i := 1; i < len(sink.records); i++ {
		if r := sink.records[i]; r.Retry {
			waits = append(waits, r.Intended.Sub(sink.records[i-1].Ended))
		}
	}
	if int64(len(waits)) != l.Retries {
		t.Fatalf("%d records of retries, %d retries counted", len(waits), l.Retries)
	}
	t.Logf("%d retries of %d 429s in %s, waits %v", l.Retries, refused, res.Duration(), waits)
	least := time.Duration(0) // the least the waits so far could add up to
	for n, w := range waits {
		low := (first << n) / 2 // the back-off's lower bound: d/2, d = first·2^n
		if w < low {
			t.Errorf("retry %d waited %s, less than the back-off's %s (waits %v)", n+1, w, low, waits)
		}
		least += low
	}
	// A fixed wait of first would have allowed a retry every first; the
	// back-off allows as many as fit, growing, into the run.
	if fixed := int64(res.Duration() / first); l.Retries*4 > fixed || least > res.Duration() {
		t.Errorf("%d retries in %s (waits %v); want far fewer than the %d a fixed %s wait allows, their least waits within the run",
			l.Retries, res.Duration(), waits, fixed, first)
	}
}

// TestRetryOnChosenStatuses: a policy's On replaces the default statuses:
// retrying on 502 retries a 502 and leaves a 429 alone; the default
// retries the 429 and leaves the 502.
func TestRetryOnChosenStatuses(t *testing.T) {
	runner.SetFirstRetryWait(t, time.Millisecond)
	srv := testkit.HTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, _ := strconv.Atoi(r.URL.Path[1:])
		w.WriteHeader(status)
	}))
	target, _ := url.Parse("http://" + srv)
	for _, tc := range []struct {
		on      []int
		status  int
		retries int64
	}{
		{[]int{502}, 502, 2},
		{[]int{502}, 429, 0},
		{nil, 502, 0},
		{nil, 429, 2},
		{nil, 503, 2},
	} {
		step := runner.Step{Name: "get", Method: http.MethodGet, Path: fmt.Sprint("/", tc.status),
			Retry: runner.Retry{Max: 2, MaxWait: time.Second, On: tc.on}}
		res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 1, Iterations: 1}, step))
		if got := res.Total.Retries; got != tc.retries {
			t.Errorf("retrying on %v: a %d retried %d times, want %d", tc.on, tc.status, got, tc.retries)
		}
	}
}

// TestSetupRetryBacksOff: setup retries a 429 without Retry-After on the
// steps' schedule: each wait the server sees between two attempts is at
// least the back-off's lower bound for its place, and the six together
// take a fraction of the six seconds that the fixed one-second wait this
// replaced would have.
func TestSetupRetryBacksOff(t *testing.T) {
	const first = time.Millisecond
	runner.SetFirstRetryWait(t, first)
	var mu sync.Mutex
	var arrivals []time.Time
	srv := testkit.HTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		arrivals = append(arrivals, time.Now())
		if len(arrivals) <= 6 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	target, _ := url.Parse("http://" + srv)
	req := runner.SetupRequest{Label: "register user u1", Method: http.MethodPost, Path: "/register", Body: []byte(`{}`)}
	if _, err := runner.Setup(t.Context(), http.DefaultClient, target, []runner.SetupRequest{req}, runner.SetupOptions{Retries: 6}); err != nil {
		t.Fatalf("setup after six 429s: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != 7 {
		t.Fatalf("%d attempts, want 7", len(arrivals))
	}
	for n := range 6 {
		if gap, low := arrivals[n+1].Sub(arrivals[n]), (first<<n)/2; gap < low {
			t.Errorf("retry %d came %s after the attempt before, less than the back-off's %s", n+1, gap, low)
		}
	}
	if spent := arrivals[6].Sub(arrivals[0]); spent > 3*time.Second {
		t.Errorf("six retries took %s; the back-off's waits add up to at most %s", spent, 63*first)
	}
}
