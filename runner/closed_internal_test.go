package runner

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// TestIterationBoundEndsRun: a closed run bounded by iterations ends when its
// last answer arrives, not at the closed model's next ramp tick, which would
// lower its rate. With the tick an hour long, a run that waited for it would
// not end within the test's time.
func TestIterationBoundEndsRun(t *testing.T) {
	saved := rampTick
	rampTick = time.Hour
	t.Cleanup(func() { rampTick = saved })
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	for _, workers := range []int{1, 4} {
		done := make(chan *Result, 1)
		go func() {
			res, err := Run(t.Context(), Plan{
				Scenario:   "bound",
				Target:     target,
				Steps:      []Step{{Name: "get", Method: http.MethodGet, Path: "/"}},
				Load:       Load{Concurrency: workers, Iterations: 20},
				Timeout:    time.Minute,
				Classifier: DefaultClassifier(),
			})
			if err != nil {
				t.Error(err)
			}
			done <- res
		}()
		select {
		case res := <-done:
			if res != nil && res.Total.Requests() != 20 {
				t.Errorf("%d workers: %d requests, want 20", workers, res.Total.Requests())
			}
		case <-time.After(time.Minute):
			t.Fatalf("%d workers: the run did not end at its last answer", workers)
		}
	}
}
