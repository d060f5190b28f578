package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// TestIterateAfterLength: an open-model worker that receives an arrival
// after the length's end (stop ended, the run's context not) sends its first
// step and no later one; after an interrupt (begin ended) it sends nothing.
func TestIterateAfterLength(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got.Add(1) }))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	plan := Plan{
		Scenario:   "two steps",
		Target:     target,
		Steps:      []Step{{Name: "a", Method: http.MethodGet, Path: "/a"}, {Name: "b", Method: http.MethodGet, Path: "/b"}},
		Load:       Load{Open: true, Rate: 100, Duration: time.Second, MaxWorkers: 1},
		Timeout:    time.Minute,
		Classifier: DefaultClassifier(),
	}
	if err := plan.Validate(); err != nil {
		t.Fatal(err)
	}
	e, err := newEngine(t.Context(), &plan)
	if err != nil {
		t.Fatal(err)
	}
	w := e.newWorker(0)
	defer w.close()
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	if sent := w.iterate(t.Context(), ended, Iteration{}, time.Now()); !sent || got.Load() != 1 {
		t.Errorf("after the length: sent %v, %d requests; want true, 1 (the first step)", sent, got.Load())
	}
	if sent := w.iterate(ended, ended, Iteration{Seq: 1}, time.Now()); sent || got.Load() != 1 {
		t.Errorf("after an interrupt: sent %v, %d requests; want false, none more", sent, got.Load())
	}
}
