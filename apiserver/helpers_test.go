package apiserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"golang.org/x/crypto/bcrypt"
)

// start runs the reference API on a loopback port for the length of the test.
func start(t testing.TB, cfg apiserver.Config) *apiserver.Instance {
	t.Helper()
	in, err := apiserver.Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := in.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return in
}

// response is what a test reads of an answer.
type response struct {
	status  int
	header  http.Header
	raw     string
	body    map[string]any
	elapsed time.Duration
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// call sends one request and decodes the JSON answer. header holds extra
// headers; a body is sent as application/json unless header says otherwise.
// It reports failures with t.Errorf (it may run on other goroutines) and then
// returns a response with status 0.
func call(t testing.TB, method, url, body string, header map[string]string) response {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		t.Errorf("NewRequest: %v", err)
		return response{}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, url, err)
		return response{}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("reading the body of %s %s: %v", method, url, err)
		return response{}
	}
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw), elapsed: time.Since(began)}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Errorf("%s %s answered %d with a body that is not a JSON object: %q", method, url, resp.StatusCode, raw)
	}
	return r
}

func register(t testing.TB, base, username, password, email string) response {
	t.Helper()
	return call(t, http.MethodPost, base+"/api/auth/register",
		jsonBody(map[string]string{"username": username, "password": password, "email": email}), nil)
}

func login(t testing.TB, base, username, password string) response {
	t.Helper()
	return call(t, http.MethodPost, base+"/api/auth/login",
		jsonBody(map[string]string{"username": username, "password": password}), nil)
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// costSlowerThan returns the smallest bcrypt cost whose hash takes at least d
// on this machine, as built (the race detector slows bcrypt down), so that a
// test's "slow hash" is slow wherever it runs.
func costSlowerThan(t testing.TB, d time.Duration) int {
	t.Helper()
	for cost := bcrypt.MinCost; cost <= 20; cost++ {
		began := time.Now()
		if _, err := bcrypt.GenerateFromPassword([]byte("Calibrate1!"), cost); err != nil {
			t.Fatal(err)
		}
		if time.Since(began) >= d {
			return cost
		}
	}
	t.Fatalf("no bcrypt cost up to 20 takes %s", d)
	return 0
}

// concurrentLogins fires n logins at once and returns their answers.
func concurrentLogins(t *testing.T, base, username, password string, n int) []response {
	t.Helper()
	answers := make([]response, n)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() { answers[i] = login(t, base, username, password) })
	}
	wg.Wait()
	return answers
}

func newJSONLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
