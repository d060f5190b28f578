package runner_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// TestShardsRunTheLoadOnce: three shards of a load bounded by iterations,
// in either model, run every iteration of the whole load once between
// them, and their peak workers add up to the load's.
func TestShardsRunTheLoadOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	for _, load := range []runner.Load{
		{Concurrency: 5, Iterations: 23},
		{Open: true, Rate: 2000, MaxWorkers: 5, Iterations: 23},
	} {
		var mu sync.Mutex
		var seqs []int64
		step := runner.Step{Name: "get", Method: http.MethodGet, Path: "/", Body: func(it runner.Iteration) []byte {
			mu.Lock()
			seqs = append(seqs, it.Seq)
			mu.Unlock()
			return nil
		}}
		var requests, dropped int64
		peak := 0
		for i := range 3 {
			load.Shard = runner.Shard{Index: i, Count: 3}
			res := mustRun(t, t.Context(), plan(target, load, step))
			requests, dropped, peak = requests+res.Total.Requests(), dropped+res.Dropped, peak+res.PeakWorkers
			if want := int(load.Shard.Share(int64(max(load.Concurrency, load.MaxWorkers)))); res.PeakWorkers > want {
				t.Errorf("%s model, shard %v: %d workers at peak, more than its share %d", load.Model(), load.Shard, res.PeakWorkers, want)
			}
		}
		slices.Sort(seqs)
		if requests+dropped != 23 || len(slices.Compact(seqs)) != len(seqs) || int64(len(seqs)) != requests ||
			len(seqs) > 0 && seqs[len(seqs)-1] >= 23 {
			t.Errorf("%s model: %d requests and %d dropped over 3 shards, iterations %v; want 23 in all, each once", load.Model(), requests, dropped, seqs)
		}
		if !load.Open && (dropped != 0 || peak != 5) {
			t.Errorf("closed model: %d dropped, %d peak workers over the shards; want none and 5", dropped, peak)
		}
	}
}

// TestShardOfATimedLoad: a shard of a closed load bounded by time runs its
// share of the workers for the load's length.
func TestShardOfATimedLoad(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	load := runner.Load{Concurrency: 7, Duration: 200 * time.Millisecond, Shard: runner.Shard{Index: 2, Count: 3}}
	res := mustRun(t, t.Context(), plan(target, load, runner.Step{Name: "get", Method: http.MethodGet, Path: "/"}))
	if res.PeakWorkers != 2 || res.Duration() < load.Duration {
		t.Errorf("shard 2/3 of 7 workers for %s: %d workers for %s; want 2 for the length", load.Duration, res.PeakWorkers, res.Duration())
	}
}

// TestStartAt: a run told to start at a time begins its load then, not
// before; one that reaches its start time later than it may sends nothing
// and says how late it was.
func TestStartAt(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served.Add(1) }))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	p := plan(target, runner.Load{Concurrency: 1, Iterations: 2}, runner.Step{Name: "get", Method: http.MethodGet, Path: "/"})
	p.Identity = runner.Identity{StartAt: time.Now().Add(200 * time.Millisecond), MaxLate: time.Second}
	res := mustRun(t, t.Context(), p)
	if res.Started.Before(p.Identity.StartAt) || served.Load() != 2 {
		t.Errorf("began at %s, %s before its start time; %d requests", res.Started, p.Identity.StartAt.Sub(res.Started), served.Load())
	}
	p.Identity = runner.Identity{StartAt: time.Now().Add(-time.Minute), MaxLate: time.Second}
	_, err := runner.Run(t.Context(), p)
	var late *runner.LateError
	if !errors.As(err, &late) || late.Late < time.Minute || served.Load() != 2 {
		t.Errorf("a minute late: %v, %d requests in all", err, served.Load())
	}
}
