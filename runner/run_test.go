package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
	"golang.org/x/crypto/bcrypt"
)

const password = "Passw0rd!"

// referenceAPI starts the reference API with one registered user, alice.
func referenceAPI(t *testing.T, cfg apiserver.Config) *url.URL {
	t.Helper()
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.MinCost
	}
	in, err := apiserver.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Shutdown(context.Background()) })
	u, _ := url.Parse(in.URL())
	_, err = runner.Setup(t.Context(), http.DefaultClient, u, []runner.SetupRequest{{
		Label: "register alice", Method: http.MethodPost, Path: "/api/auth/register",
		Body: []byte(`{"username":"alice","password":"` + password + `","email":"alice@example.com"}`),
	}}, runner.SetupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func loginStep(pw string) runner.Step {
	body := []byte(`{"username":"alice","password":"` + pw + `"}`)
	return runner.Step{Name: "login", Method: http.MethodPost, Path: "/api/auth/login",
		Body: func(runner.Iteration) []byte { return body }}
}

func plan(target *url.URL, load runner.Load, steps ...runner.Step) runner.Plan {
	return runner.Plan{Scenario: "test", Target: target, Steps: steps, Load: load,
		Timeout: 10 * time.Second, Classifier: runner.DefaultClassifier()}
}

func mustRun(t *testing.T, ctx context.Context, p runner.Plan) *runner.Result {
	t.Helper()
	res, err := runner.Run(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestOpenModelCountsEveryArrival: at a rate this machine may not keep up
// with (20,000 a second, and more so under the race detector), every
// arrival due in the run is counted, and each was either sent or dropped.
func TestOpenModelCountsEveryArrival(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	res := mustRun(t, t.Context(), plan(target, runner.Load{Open: true, Rate: 20000, MaxWorkers: 50, Duration: 500 * time.Millisecond},
		runner.Step{Name: "get", Method: http.MethodGet, Path: "/"}))
	t.Logf("%d arrivals, %d requests, %d dropped", res.Arrivals, res.Total.Requests(), res.Dropped)
	if res.Arrivals != 10000 || res.Total.Requests()+res.Dropped != res.Arrivals {
		t.Errorf("%d arrivals, %d requests, %d dropped; want 10000 arrivals, each sent or dropped", res.Arrivals, res.Total.Requests(), res.Dropped)
	}
	if res.DroppedNoWorker+res.DroppedBehind != res.Dropped || res.Iterations != res.Total.Requests() {
		t.Errorf("dropped %d = %d for want of a worker + %d behind? %d iterations for %d requests",
			res.Dropped, res.DroppedNoWorker, res.DroppedBehind, res.Iterations, res.Total.Requests())
	}
	// Every arrival the dispatcher reached in time has its lateness; the
	// others were dropped as the generator's.
	if n := res.Lateness.TotalCount(); n+res.DroppedBehind < res.Arrivals || n > res.Arrivals {
		t.Errorf("%d latenesses recorded for %d arrivals, %d dropped behind", n, res.Arrivals, res.DroppedBehind)
	}
}

// TestOpenModelCountsIterations: a flow of two steps at 100 iterations a
// second sends two requests an iteration; the iterations started are the
// arrivals not dropped, and the achieved iteration rate is over the
// schedule's second (the requests' rate is over the run, to the last
// answer), whatever the machine's speed.
func TestOpenModelCountsIterations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	res := mustRun(t, t.Context(), plan(target, runner.Load{Open: true, Rate: 100, MaxWorkers: 20, Duration: time.Second},
		runner.Step{Name: "first", Method: http.MethodGet, Path: "/a"}, runner.Step{Name: "second", Method: http.MethodGet, Path: "/b"}))
	if res.Arrivals != 100 || res.Iterations != res.Arrivals-res.Dropped || res.Total.Requests() != 2*res.Iterations {
		t.Errorf("%d arrivals, %d dropped, %d iterations, %d requests; want 100 arrivals, each sent or dropped, two requests an iteration",
			res.Arrivals, res.Dropped, res.Iterations, res.Total.Requests())
	}
	if got, want := res.IterationRate(), float64(res.Iterations)/min(res.ActiveTime(), time.Second).Seconds(); got != want {
		t.Errorf("%g iterations/s, want %g: %d over the schedule's %s (the run's %s)", got, want, res.Iterations, time.Second, res.ActiveTime())
	}
	if res.Lateness == nil || res.Lateness.TotalCount()+res.DroppedBehind < res.Arrivals {
		t.Errorf("the generator's lateness is missing arrivals: %v", res.Lateness)
	}
}

// TestOpenModelSendsArrivalDueBeforeLength: a run of one nanosecond has
// one arrival due, at its start; the dispatcher and the worker get to it
// after the length's end, and still send it rather than drop it: only an
// interrupt drops an arrival that was due.
func TestOpenModelSendsArrivalDueBeforeLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	res := mustRun(t, t.Context(), plan(target, runner.Load{Open: true, Rate: 1, MaxWorkers: 1, Duration: time.Nanosecond},
		runner.Step{Name: "get", Method: http.MethodGet, Path: "/"}))
	if res.Arrivals != 1 || res.Total.Requests() != 1 || res.Dropped != 0 || res.GeneratorLimited() {
		t.Errorf("%d arrivals, %d requests, %d dropped (%d behind), generator limited %v; want 1, 1, none, false",
			res.Arrivals, res.Total.Requests(), res.Dropped, res.DroppedBehind, res.GeneratorLimited())
	}
}

// TestOpenModelIterationRelations: with retries (every other first step is
// a 503, retried) and a step skipped on odd iterations, the iterations
// started are still exactly the arrivals not dropped, at most the requests,
// and the generator's lateness counts at most the arrivals: the invariants
// the result file's reader checks.
func TestOpenModelIterationRelations(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" && calls.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	res := mustRun(t, t.Context(), plan(target, runner.Load{Open: true, Rate: 200, MaxWorkers: 20, Duration: time.Second},
		runner.Step{Name: "first", Method: http.MethodGet, Path: "/a", Retry: runner.Retry{Max: 1, MaxWait: time.Millisecond}},
		runner.Step{Name: "odd", Method: http.MethodGet, Path: "/b", Skip: func(it runner.Iteration) bool { return it.Seq%2 == 0 }}))
	if res.Arrivals != 200 || res.Iterations != res.Arrivals-res.Dropped || res.Iterations > res.Total.Requests() || res.Total.Retries == 0 {
		t.Errorf("%d arrivals, %d dropped, %d iterations, %d requests (%d retries); want 200 arrivals, iterations = arrivals - dropped <= requests, some retries",
			res.Arrivals, res.Dropped, res.Iterations, res.Total.Requests(), res.Total.Retries)
	}
	if res.Lateness == nil || res.Lateness.TotalCount() > res.Arrivals {
		t.Errorf("the generator's lateness counts more than the arrivals: %v", res.Lateness)
	}
}

// TestIterationCounts checks that serial and closed runs bounded by
// iterations send exactly that many requests, all recorded.
func TestIterationCounts(t *testing.T) {
	target := referenceAPI(t, apiserver.Config{})
	for _, tc := range []struct {
		concurrency int
		iterations  int64
		model       string
	}{
		{1, 7, "serial"},
		{4, 20, "closed"},
		{16, 5, "closed"},
	} {
		t.Run(fmt.Sprintf("%d workers, %d iterations", tc.concurrency, tc.iterations), func(t *testing.T) {
			var progress runner.Progress
			p := plan(target, runner.Load{Concurrency: tc.concurrency, Iterations: tc.iterations}, loginStep(password))
			p.Progress = &progress
			res := mustRun(t, t.Context(), p)
			login := res.Endpoint("login")
			if login.Requests() != tc.iterations || login.OK() != tc.iterations || login.Status(200) != tc.iterations {
				t.Errorf("requests %d, ok %d, 200s %d; want %d of each", login.Requests(), login.OK(), login.Status(200), tc.iterations)
			}
			if got := login.Latency.TotalCount(); got != tc.iterations {
				t.Errorf("%d latencies recorded, want %d", got, tc.iterations)
			}
			if res.Iterations != tc.iterations {
				t.Errorf("the result counts %d iterations, want %d", res.Iterations, tc.iterations)
			}
			if res.Total.Requests() != tc.iterations || progress.Requests() != tc.iterations || progress.Iterations() != tc.iterations {
				t.Errorf("total %d, progress %d requests %d iterations; want %d", res.Total.Requests(), progress.Requests(), progress.Iterations(), tc.iterations)
			}
			if res.Load.Model() != tc.model {
				t.Errorf("model %s, want %s", res.Load.Model(), tc.model)
			}
			if res.Interrupted {
				t.Errorf("a run that ended by itself is marked interrupted")
			}
		})
	}
}

// TestDurationBoundsTheRun: a run bounded by duration stops by itself.
func TestDurationBoundsTheRun(t *testing.T) {
	target := referenceAPI(t, apiserver.Config{})
	res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 2, Duration: 300 * time.Millisecond}, loginStep(password)))
	if res.Total.Requests() == 0 || res.Total.Errors() != 0 {
		t.Errorf("requests %d, errors %d; want some requests and no errors", res.Total.Requests(), res.Total.Errors())
	}
	if res.Duration() < 300*time.Millisecond {
		t.Errorf("ran %s, less than the 300ms asked", res.Duration())
	}
}

// TestFailedStepEndsIteration: a login that fails ends the iteration, so the
// profile step after it is never sent; errors are data, and the run goes on.
func TestFailedStepEndsIteration(t *testing.T) {
	target := referenceAPI(t, apiserver.Config{})
	profile := runner.Step{Name: "profile", Method: http.MethodGet, Path: "/api/auth/profile"}
	res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 2, Iterations: 6}, loginStep("Wrong-Passw0rd!"), profile))
	if login := res.Endpoint("login"); login.Requests() != 6 || login.Status(401) != 6 || login.Classes[runner.ClassClientError] != 6 {
		t.Errorf("login: %d requests, %d 401s; want 6 client errors", login.Requests(), login.Status(401))
	}
	if got := res.Endpoint("profile").Requests(); got != 0 {
		t.Errorf("profile sent %d times after failed logins, want 0", got)
	}
	if len(res.Endpoints) != 2 || res.Endpoints[0].Name != "login" || res.Endpoints[1].Name != "profile" {
		t.Errorf("endpoints not in step order: %v", res.Endpoints)
	}
}

// TestBodiesHeadersAndExpect: each iteration gets its own body, step
// headers are sent, and an expected status counts as ok.
func TestBodiesHeadersAndExpect(t *testing.T) {
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Seq int64 }
		json.NewDecoder(r.Body).Decode(&body)
		if r.Header.Get("X-Test") != "yes" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		seen.Add(body.Seq + 1)
		if body.Seq%2 == 1 {
			w.WriteHeader(http.StatusConflict)
		}
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL + "/base")
	step := runner.Step{Name: "post", Method: http.MethodPost, Path: "/things?x=1",
		Header: http.Header{"X-Test": {"yes"}}, Expect: []runner.Rule{{Status: http.StatusConflict}},
		Body: func(it runner.Iteration) []byte { return fmt.Appendf(nil, `{"seq":%d}`, it.Seq) }}
	res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 3, Iterations: 10}, step))
	if seen.Load() != 55 { // 1+2+...+10: every sequence number exactly once
		t.Errorf("sum of seq+1 seen %d, want 55", seen.Load())
	}
	post := res.Endpoint("post")
	if post.OK() != 10 || post.Status(409) != 5 || post.Status(200) != 5 {
		t.Errorf("ok %d, 409s %d, 200s %d; want 10 ok of which 5 are expected 409s", post.OK(), post.Status(409), post.Status(200))
	}
}

// TestInterruptStopsNewRequests: cancelling the context ends the run; the
// requests in flight finish and are counted, and the result says interrupted.
func TestInterruptStopsNewRequests(t *testing.T) {
	release := make(chan struct{})
	var started atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Add(1)
		<-release
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan *runner.Result)
	go func() {
		res, _ := runner.Run(ctx, plan(target, runner.Load{Concurrency: 3, Duration: time.Minute},
			runner.Step{Name: "slow", Method: http.MethodGet, Path: "/"}))
		done <- res
	}()
	for started.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	close(release)
	res := <-done
	if !res.Interrupted {
		t.Errorf("result not marked interrupted")
	}
	if res.Total.Requests() != 3 || res.Total.OK() != 3 {
		t.Errorf("requests %d, ok %d; want the 3 in flight, finished and ok", res.Total.Requests(), res.Total.OK())
	}
	if started.Load() != 3 {
		t.Errorf("%d requests started; none may start after the interrupt", started.Load())
	}
}

// TestTargetDiesMidRun: when the target goes away the run goes on, counting
// transport errors, and ends normally.
func TestTargetDiesMidRun(t *testing.T) {
	api, err := apiserver.New(apiserver.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(testkit.DyingServer(t, api, 20))
	health := runner.Step{Name: "health", Method: http.MethodGet, Path: "/health"}
	// Few iterations past the target's death: workers back off after each
	// failed connection attempt.
	res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 2, Iterations: 30, Pause: time.Millisecond}, health))
	h := res.Endpoint("health")
	if res.Interrupted || h.Requests() != 30 || h.OK() != 20 || h.TransportErrors() != 10 {
		t.Errorf("interrupted %v, requests %d, ok %d, transport errors %d; want all 30 sent, 20 ok, then 10 transport errors",
			res.Interrupted, h.Requests(), h.OK(), h.TransportErrors())
	}
	if h.Transport[runner.TransportRefused]+h.Transport[runner.TransportReset] != h.TransportErrors() {
		t.Errorf("transport errors %v, want refused or reset", h.Transport)
	}
}

// TestSetupRetriesAfterRetryAfter: a 503 with Retry-After is retried after
// the wait it asks for, and a setup that still fails names the request.
func TestSetupRetriesAfterRetryAfter(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch {
		case r.URL.Path == "/always-busy" || n <= 2:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":"Service temporarily busy, please retry"}`)
		case r.URL.Path == "/bad":
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"Password must contain at least one digit"}`)
		case r.URL.Path == "/missing":
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	req := runner.SetupRequest{Label: "register user u1", Method: http.MethodPost, Path: "/register", Body: []byte(`{}`)}

	began := time.Now()
	if _, err := runner.Setup(t.Context(), http.DefaultClient, target, []runner.SetupRequest{req}, runner.SetupOptions{}); err != nil {
		t.Fatalf("setup after two 503s: %v", err)
	}
	if calls.Load() != 3 || time.Since(began) < 2*time.Second {
		t.Errorf("%d calls in %s; want 3 calls, two Retry-After waits of 1s", calls.Load(), time.Since(began))
	}

	req.Path = "/bad"
	_, err := runner.Setup(t.Context(), http.DefaultClient, target, []runner.SetupRequest{req}, runner.SetupOptions{})
	var setupErr *runner.SetupError
	if !errors.As(err, &setupErr) || setupErr.Status != 400 || !strings.Contains(err.Error(), "register user u1") ||
		!strings.Contains(err.Error(), "answered 400") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %v; want one line naming the request and status 400", err)
	}

	req.Path = "/missing"
	_, err = runner.Setup(t.Context(), http.DefaultClient, target, []runner.SetupRequest{req}, runner.SetupOptions{})
	if err == nil || !strings.HasSuffix(err.Error(), "answered 404 after 1 attempt(s): (empty body)") {
		t.Errorf("error %v; want it to say the 404 had an empty body", err)
	}

	req.Path = "/always-busy"
	_, err = runner.Setup(t.Context(), http.DefaultClient, target, []runner.SetupRequest{req}, runner.SetupOptions{Retries: 1, MaxWait: 10 * time.Millisecond})
	if !errors.As(err, &setupErr) || setupErr.Status != 503 || setupErr.Attempts != 2 {
		t.Errorf("error %v; want 503 after 2 attempts", err)
	}
}

func TestCheckReachable(t *testing.T) {
	refused, _ := url.Parse("http://" + closedPort(t))
	err := runner.CheckReachable(t.Context(), refused, time.Second)
	if err == nil || !strings.Contains(err.Error(), "is unreachable") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("CheckReachable(closed port) = %v, want unreachable: refused", err)
	}
	target := referenceAPI(t, apiserver.Config{})
	if err := runner.CheckReachable(t.Context(), target, time.Second); err != nil {
		t.Errorf("CheckReachable(reference API) = %v", err)
	}
}

func TestPlanValidation(t *testing.T) {
	target, _ := url.Parse("http://127.0.0.1:1")
	cases := map[string]runner.Plan{
		"no steps":        {Target: target, Load: runner.Load{Concurrency: 1, Iterations: 1}, Timeout: time.Second},
		"no end":          plan(target, runner.Load{Concurrency: 1}, loginStep(password)),
		"zero workers":    plan(target, runner.Load{Iterations: 1}, loginStep(password)),
		"bad method":      plan(target, runner.Load{Concurrency: 1, Iterations: 1}, runner.Step{Name: "x", Method: "GE T", Path: "/"}),
		"ftp target":      plan(&url.URL{Scheme: "ftp", Host: "x"}, runner.Load{Concurrency: 1, Iterations: 1}, loginStep(password)),
		"no timeout":      {Target: target, Steps: []runner.Step{loginStep(password)}, Load: runner.Load{Concurrency: 1, Iterations: 1}},
		"unnamed step":    plan(target, runner.Load{Concurrency: 1, Iterations: 1}, runner.Step{Method: "GET", Path: "/"}),
		"negative pause":  plan(target, runner.Load{Concurrency: 1, Iterations: 1, Pause: -time.Second}, loginStep(password)),
		"negative -n":     plan(target, runner.Load{Concurrency: 1, Iterations: -1, Duration: time.Second}, loginStep(password)),
		"negative length": plan(target, runner.Load{Concurrency: 1, Duration: -time.Second, Iterations: 1}, loginStep(password)),
		"retry on 200":    plan(target, runner.Load{Concurrency: 1, Iterations: 1}, runner.Step{Name: "x", Method: "GET", Path: "/", Retry: runner.Retry{Max: 1, MaxWait: time.Second, On: []int{200}}}),
		"retry on 1000":   plan(target, runner.Load{Concurrency: 1, Iterations: 1}, runner.Step{Name: "x", Method: "GET", Path: "/", Retry: runner.Retry{Max: 1, MaxWait: time.Second, On: []int{1000}}}),
		"retry expected":  plan(target, runner.Load{Concurrency: 1, Iterations: 1}, runner.Step{Name: "x", Method: "GET", Path: "/", Expect: []runner.Rule{{Status: 409}}, Retry: runner.Retry{Max: 1, MaxWait: time.Second, On: []int{409}}}),
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := runner.Run(t.Context(), p); err == nil {
				t.Errorf("Run accepted an invalid plan")
			}
		})
	}
}

// TestSetupBacksOffToOneAtATime: a target that answers 503 whenever two
// setup requests overlap still gets all its users, because after the first
// 503 setup sends one request at a time.
func TestSetupBacksOffToOneAtATime(t *testing.T) {
	var inFlight atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer inFlight.Add(-1)
		if inFlight.Add(1) > 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // no Retry-After: a back-off from 0.5-1 s
			return
		}
		time.Sleep(20 * time.Millisecond)
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	var reqs []runner.SetupRequest
	for i := range 12 {
		reqs = append(reqs, runner.SetupRequest{Label: fmt.Sprint("user ", i), Method: http.MethodPost, Path: "/register", Body: []byte(`{}`)})
	}
	if _, err := runner.Setup(t.Context(), http.DefaultClient, target, reqs, runner.SetupOptions{Concurrency: 4, Retries: 3}); err != nil {
		t.Errorf("setup against a target that refuses overlap: %v", err)
	}
}

// TestResolvePath: a step's path is appended to the target's as written,
// its escapes kept.
func TestResolvePath(t *testing.T) {
	base, _ := url.Parse("http://h:1/base/")
	for path, want := range map[string]string{
		"":                  "http://h:1/base/",
		"/api/auth/login":   "http://h:1/base/api/auth/login",
		"/files/a%2Fb":      "http://h:1/base/files/a%2Fb",
		"/x/50%25?q=a%26b":  "http://h:1/base/x/50%25?q=a%26b",
		"/people/../admin":  "http://h:1/base/people/../admin",
		"/people/%C3%A9?x=": "http://h:1/base/people/%C3%A9?x=",
	} {
		if got := runner.ResolvePath(base, path); got != want {
			t.Errorf("ResolvePath(%q) = %q, want %q", path, got, want)
		}
	}
}

// lacks is a body matcher that matches a body without its text.
type lacks string

func (l lacks) Match(body []byte) bool { return !strings.Contains(string(body), string(l)) }

// TestStepClassesAndBodyExpectations: a step's own class reads the body of
// a 2xx the step does not extract from (so the body must be kept), and an
// expectation with a body accepts only the answers of its status whose
// body matches; another answer of that status stays an error.
func TestStepClassesAndBodyExpectations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Seq int64 }
		json.NewDecoder(r.Body).Decode(&body)
		switch body.Seq % 4 {
		case 0:
			io.WriteString(w, `{"token":"t"}`)
		case 1:
			io.WriteString(w, `{"record":{}}`)
		case 2:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"data":{"email":{"code":"validation_not_unique"}}}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"data":{"password":{"code":"validation_length_out_of_range"}}}`)
		}
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	step := runner.Step{Name: "login", Method: http.MethodPost, Path: "/",
		Body:    func(it runner.Iteration) []byte { return fmt.Appendf(nil, `{"seq":%d}`, it.Seq) },
		Classes: []runner.StepClass{{Class: runner.NumBuiltinClasses, Rule: runner.Rule{Status: 200, Body: lacks(`"token"`)}}},
		Expect:  []runner.Rule{{Status: 400, Body: runner.Substrings{"validation_not_unique"}}}}
	p := plan(target, runner.Load{Concurrency: 2, Iterations: 40}, step)
	p.Classifier.Custom = []runner.ClassRule{{Name: "no_token"}}
	res := mustRun(t, t.Context(), p)
	login := res.Endpoint("login")
	if login.OK() != 20 || login.Classes[runner.NumBuiltinClasses] != 10 || login.Classes[runner.ClassClientError] != 10 {
		t.Errorf("ok %d, no_token %d, client_error %d; want 20 (10 with a token, 10 duplicates), 10, 10",
			login.OK(), login.Classes[runner.NumBuiltinClasses], login.Classes[runner.ClassClientError])
	}
}
