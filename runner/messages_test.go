package runner_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/loadgate/loadgate/runner"
)

// messages lists s's messages as "class/kind count: text", kind for
// transport only.
func messages(s *runner.EndpointStats) []string {
	var out []string
	for _, m := range s.Messages {
		class := m.Class.String()
		if m.Class == runner.ClassTransport {
			class += "/" + m.Kind.String()
		}
		out = append(out, fmt.Sprintf("%s %d: %s", class, m.Count, m.Text))
	}
	return out
}

// TestTLSFailureSaysWhy: a TLS target whose certificate the run does not
// trust fails every request as tls, and the result keeps the reason.
func TestTLSFailureSaysWhy(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the server's own complaint about each handshake
	srv.StartTLS()
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 1, Iterations: 3},
		runner.Step{Name: "get", Method: http.MethodGet, Path: "/"}))
	got := messages(res.Total)
	if res.Total.Transport[runner.TransportTLS] != 3 || len(got) != 1 ||
		!strings.HasPrefix(got[0], "transport/tls 3: ") || !strings.Contains(got[0], "x509: certificate signed by unknown authority") {
		t.Errorf("transport %v, messages %q; want 3 tls failures for an unknown authority", res.Total.Transport, got)
	}
}

// TestResponseMessages: a response that is not ok is told by its status
// and the start of its body; a detail that differs on every answer does not
// make the messages distinct.
func TestResponseMessages(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if i%2 == 0 {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"Invalid credentials"}`)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `{"error":"Service temporarily busy","request_id":"%08x-1b7a"}`, i*7919)
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 2, Iterations: 40},
		runner.Step{Name: "get", Method: http.MethodGet, Path: "/"}))
	got := messages(res.Endpoint("get"))
	slices.Sort(got) // two workers: either may fail first
	want := []string{`client_error 20: 401 {"error":"Invalid credentials"}`, `lock_timeout 20: 503 {"error":"Service temporarily busy","request_id":"#"}`}
	if !slices.Equal(got, want) {
		t.Errorf("messages %q, want %q", got, want)
	}
}

// TestExtractFailureSaysWhy: a failed extraction keeps the text its step's
// Extract gave, which names the variable and the path.
func TestExtractFailureSaysWhy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"user":"alice"}`)
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	missing := errors.New("token: $.token not found in body")
	step := runner.Step{Name: "login", Method: http.MethodGet, Path: "/",
		Extract: func(it runner.Iteration, body []byte) error {
			if !strings.Contains(string(body), `"token"`) {
				return missing
			}
			return nil
		}}
	res := mustRun(t, t.Context(), plan(target, runner.Load{Concurrency: 1, Iterations: 4}, step))
	got := messages(res.Total)
	if len(got) != 1 || got[0] != "extract_failed 4: token: $.token not found in body" {
		t.Errorf("messages %q", got)
	}
}
