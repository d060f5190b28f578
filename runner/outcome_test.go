package runner_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestClassifyRealResponses sends real requests to an httptest server that
// answers each path with one kind of response, and checks the outcome class
// the runner gives each.
func TestClassifyRealResponses(t *testing.T) {
	answers := map[string]struct {
		status int
		body   string
	}{
		"/ok":              {200, `{"token":"x"}`},
		"/created":         {201, ``},
		"/unauthorized":    {401, `{"error":"Invalid credentials"}`},
		"/conflict":        {409, `{"error":"Username already exists"}`},
		"/busy":            {503, `{"error":"Service temporarily busy, please retry"}`},
		"/busy-upper":      {503, `{"error":"STORAGE LOCK TIMEOUT after 2s"}`},
		"/overloaded":      {503, `{"error":"Too many concurrent logins, please retry"}`},
		"/busy-but-500":    {500, `{"error":"Service temporarily busy, please retry"}`},
		"/bad-gateway":     {502, `upstream down`},
		"/redirect-away":   {307, ``},
		"/teapot":          {418, ``},
		"/empty-503":       {503, ``},
		"/busy-in-big-503": {503, strings.Repeat("x", 100_000) + "temporarily busy"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answers[r.URL.Path]
		if a.status == 307 {
			w.Header().Set("Location", "http://localhost:1/elsewhere")
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	defer srv.Close()

	cases := []struct {
		path   string
		own    []runner.StepClass
		expect []runner.Rule
		want   runner.Class
	}{
		{"/ok", nil, nil, runner.ClassOK},
		{"/created", nil, nil, runner.ClassOK},
		{"/unauthorized", nil, nil, runner.ClassClientError},
		{"/conflict", nil, nil, runner.ClassClientError},
		{"/conflict", nil, []runner.Rule{{Status: 409}}, runner.ClassOK},
		{"/conflict", nil, []runner.Rule{{Status: 409, Body: runner.Substrings{"username already"}}}, runner.ClassOK},
		{"/conflict", nil, []runner.Rule{{Status: 409, Body: runner.Substrings{"email already"}}}, runner.ClassClientError},
		{"/conflict", nil, []runner.Rule{{Status: 409, Body: runner.Substrings{"email already"}}, {Status: 409, Body: runner.Substrings{"username"}}}, runner.ClassOK},
		{"/ok", []runner.StepClass{{Class: runner.NumBuiltinClasses, Rule: runner.Rule{Status: 200, Body: runner.Substrings{"token"}}}}, nil, runner.NumBuiltinClasses},
		{"/created", []runner.StepClass{{Class: runner.NumBuiltinClasses, Rule: runner.Rule{Status: 200, Body: runner.Substrings{"token"}}}}, nil, runner.ClassOK},
		{"/busy", []runner.StepClass{{Class: runner.NumBuiltinClasses, Rule: runner.Rule{Status: 503}}}, nil, runner.NumBuiltinClasses},
		{"/busy", nil, []runner.Rule{{Status: 503}}, runner.ClassLockTimeout},
		{"/busy-upper", nil, nil, runner.ClassLockTimeout},
		{"/overloaded", nil, nil, runner.ClassUnavailable},
		{"/empty-503", nil, nil, runner.ClassUnavailable},
		{"/busy-in-big-503", nil, nil, runner.ClassLockTimeout},
		{"/busy-but-500", nil, nil, runner.ClassServerError},
		{"/bad-gateway", nil, nil, runner.ClassServerError},
		{"/redirect-away", nil, nil, runner.ClassClientError},
		{"/teapot", nil, nil, runner.ClassClientError},
	}
	client := runner.NewClient(1, 5*time.Second)
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%s-%d", strings.TrimPrefix(tc.path, "/"), i), func(t *testing.T) {
			resp, err := client.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatalf("GET %s: %v", tc.path, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got := runner.DefaultClassifier().Classify(resp.StatusCode, body, tc.own, tc.expect); got != tc.want {
				t.Errorf("status %d: class %s, want %s", resp.StatusCode, got, tc.want)
			}
		})
	}
}

// TestClassifyOddStatuses: server_error is 500-599 exactly, as status_5xx;
// any other status that is not ok is a client_error.
func TestClassifyOddStatuses(t *testing.T) {
	for status, want := range map[int]runner.Class{0: runner.ClassClientError, 42: runner.ClassClientError, 99: runner.ClassClientError,
		500: runner.ClassServerError, 599: runner.ClassServerError, 600: runner.ClassClientError, 999: runner.ClassClientError} {
		if got := runner.DefaultClassifier().Classify(status, nil, nil, nil); got != want {
			t.Errorf("status %d: class %s, want %s", status, got, want)
		}
	}
}

// TestTransportKinds provokes real transport failures on loopback and checks
// how each is counted. (A DNS failure would need a query to a name server
// off this machine; transport_internal_test.go covers that kind.)
func TestTransportKinds(t *testing.T) {
	refused := closedPort(t)
	released := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-released:
		}
	}))
	defer hang.Close()
	defer close(released)
	reset := testkit.TCPServer(t, func(c net.Conn) {
		c.Read(make([]byte, 1024))
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
	tlsServer := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer tlsServer.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()

	// Only the timeout case has a short timeout: with one, a slow TLS
	// handshake on a busy machine would count as a timeout, not as tls.
	cases := []struct {
		name    string
		url     string
		timeout time.Duration
		want    runner.TransportKind
	}{
		{"refused", "http://" + refused + "/", time.Minute, runner.TransportRefused},
		{"timeout", hang.URL, 300 * time.Millisecond, runner.TransportTimeout},
		{"reset", "http://" + reset + "/", time.Minute, runner.TransportReset},
		{"tls", tlsServer.URL, time.Minute, runner.TransportTLS},
		{"plain HTTP server as https", strings.Replace(plain.URL, "http:", "https:", 1), time.Minute, runner.TransportTLS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runOnce(t, tc.url, tc.timeout)
			if res.Total.TransportErrors() != 1 || res.Total.Transport[tc.want] != 1 {
				t.Errorf("transport counts %v, want one %s", res.Total.Transport, tc.want)
			}
		})
	}
}

// runOnce runs one GET of u with a request timeout.
func runOnce(t *testing.T, u string, timeout time.Duration) *runner.Result {
	t.Helper()
	target, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), runner.Plan{
		Scenario:   "probe",
		Target:     target,
		Steps:      []runner.Step{{Name: "get", Method: http.MethodGet, Path: "/"}},
		Load:       runner.Load{Concurrency: 1, Iterations: 1},
		Timeout:    timeout,
		Classifier: runner.DefaultClassifier(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
