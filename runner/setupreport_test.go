package runner_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestSetupReport: the report counts every attempt by status, the retries,
// the requests done (as the progress does) and those that failed.
func TestSetupReport(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		first := seen[r.URL.Path] == 1
		mu.Unlock()
		switch {
		case r.URL.Path == "/bad":
			w.WriteHeader(http.StatusBadRequest)
		case first:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	var reqs []runner.SetupRequest
	for i := range 3 {
		reqs = append(reqs, runner.SetupRequest{Label: fmt.Sprint("user ", i), Method: http.MethodPost, Path: fmt.Sprint("/u", i)})
	}
	var progress runner.SetupProgress
	report, err := runner.Setup(t.Context(), http.DefaultClient, target, reqs, runner.SetupOptions{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if report.Users != 3 || report.Done != 3 || progress.Done() != 3 || report.Requests != 6 || report.Retries != 3 ||
		report.Status[429] != 3 || report.Status[200] != 3 || report.Failures != 0 || report.Duration <= 0 {
		t.Errorf("report %+v, progress %d; want 3 users done in 6 requests, 3 of them 429s and retries", report, progress.Done())
	}

	report, err = runner.Setup(t.Context(), http.DefaultClient, target,
		[]runner.SetupRequest{{Label: "bad", Method: http.MethodPost, Path: "/bad"}}, runner.SetupOptions{})
	if err == nil || report.Failures != 1 || report.Done != 0 || report.Status[400] != 1 {
		t.Errorf("a 400: %v, report %+v; want one failure", err, report)
	}
	closed, _ := url.Parse("http://" + closedPort(t))
	report, err = runner.Setup(t.Context(), http.DefaultClient, closed,
		[]runner.SetupRequest{{Label: "refused", Method: http.MethodPost, Path: "/"}}, runner.SetupOptions{})
	if err == nil || report.Failures != 1 || report.Transport != 1 || report.Requests != 1 {
		t.Errorf("a refused connection: %v, report %+v; want one transport error, one failure", err, report)
	}
}

// TestMergedSetups: a merge adds up its results' setups and keeps a name
// prefix they share.
func TestMergedSetups(t *testing.T) {
	a, b := testkit.TimedRun(0, 4*time.Second, 2), testkit.TimedRun(10*time.Second, 4*time.Second, 2)
	a.Setup = &runner.SetupReport{Users: 2, Done: 2, Requests: 3, Status: map[int]int64{200: 2, 429: 1}, Retries: 1, Duration: time.Second, RemoteUsers: 2, NamePrefix: "lg-"}
	b.Setup = &runner.SetupReport{Users: 1, Done: 1, Requests: 1, Status: map[int]int64{200: 1}, Duration: time.Second, RemoteUsers: 1, NamePrefix: "lg-"}
	merged, err := runner.MergeResults(a, b)
	if err != nil {
		t.Fatal(err)
	}
	s := merged.Setup
	if s == nil || s.Users != 3 || s.Requests != 4 || s.Status[200] != 3 || s.Retries != 1 || s.Duration != 2*time.Second || s.RemoteUsers != 3 || s.NamePrefix != "lg-" {
		t.Errorf("merged setup %+v", s)
	}
	if merged, _ := runner.MergeResults(testkit.TimedRun(0, time.Second, 1)); merged.Setup != nil {
		t.Errorf("a merge of results without setup has one: %+v", merged.Setup)
	}
}
