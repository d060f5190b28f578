package runner_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// liveSink keeps what a run hands it while it goes on, and says when it
// first had records and a second with requests.
type liveSink struct {
	mu          sync.Mutex
	records     int64
	intervals   []runner.Interval
	sawRecord   chan struct{}
	sawSecond   chan struct{}
	firstRecord time.Time
	firstSecond time.Time
}

func newLiveSink() *liveSink {
	return &liveSink{sawRecord: make(chan struct{}), sawSecond: make(chan struct{})}
}

func (s *liveSink) WriteRecords(batch []runner.RawRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.records == 0 && len(batch) > 0 {
		s.firstRecord = time.Now()
		close(s.sawRecord)
	}
	s.records += int64(len(batch))
}

func (s *liveSink) WriteInterval(in runner.Interval) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hadRequests() && in.Points[0].Requests() > 0 {
		s.firstSecond = time.Now()
		close(s.sawSecond)
	}
	s.intervals = append(s.intervals, in)
}

func (s *liveSink) hadRequests() bool {
	for _, in := range s.intervals {
		if in.Points[0].Requests() > 0 {
			return true
		}
	}
	return false
}

// classes sums the intervals' requests by class, per endpoint.
func (s *liveSink) classes(endpoints int) [][runner.MaxClasses]int64 {
	sums := make([][runner.MaxClasses]int64, endpoints)
	for _, in := range s.intervals {
		for e, p := range in.Points {
			for c, n := range p.Classes {
				sums[e][c] += n
			}
		}
	}
	return sums
}

// okAndFail starts a target that answers /fail with 503 and anything else
// with 200, and returns its URL.
func okAndFail(t *testing.T) *url.URL {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	return target
}

// TestSinksFollowTheRun: two sinks get records and seconds while a run
// goes on, long before a batch could fill (a request every 200 ms, 512 to
// a batch, in a run of a minute); once it ends, each has every record, and
// its seconds, every one from the first on, add up to the result.
func TestSinksFollowTheRun(t *testing.T) {
	target := okAndFail(t)
	a, b := newLiveSink(), newLiveSink()
	p := plan(target, runner.Load{Concurrency: 1, Duration: time.Minute, Pause: 200 * time.Millisecond},
		runner.Step{Name: "ok", Method: http.MethodGet, Path: "/"},
		runner.Step{Name: "fail", Method: http.MethodGet, Path: "/fail"})
	p.Steps[1].Skip = func(it runner.Iteration) bool { return it.Seq%2 == 0 }
	p.RawSinks = []runner.RawSink{a, b}
	p.IntervalSinks = []runner.IntervalSink{a, b}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type outcome struct {
		res *runner.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := runner.Run(ctx, p)
		done <- outcome{res, err}
	}()
	for _, s := range []*liveSink{a, b} {
		<-s.sawRecord
		<-s.sawSecond
	}
	cancel()
	out := <-done
	if out.err != nil {
		t.Fatal(out.err)
	}
	res := out.res
	for i, s := range []*liveSink{a, b} {
		if !s.firstRecord.Before(res.Ended) || !s.firstSecond.Before(res.Ended) {
			t.Errorf("sink %d had its first record at %s and its first second at %s, the run ended at %s: not while it went on",
				i, s.firstRecord.Format(time.StampMicro), s.firstSecond.Format(time.StampMicro), res.Ended.Format(time.StampMicro))
		}
		if s.records != res.Total.Requests() {
			t.Errorf("sink %d: %d records, the run %d requests", i, s.records, res.Total.Requests())
		}
		sums := s.classes(len(res.Endpoints))
		for e, stats := range res.Endpoints {
			if sums[e] != stats.Classes {
				t.Errorf("sink %d, %s: its seconds count %v, the result %v", i, stats.Name, sums[e][:runner.NumBuiltinClasses], stats.Classes[:runner.NumBuiltinClasses])
			}
		}
		var starts []time.Duration
		for _, in := range s.intervals {
			if in.Width != time.Second || !slices.Equal(in.Endpoints, []string{"ok", "fail"}) || len(in.Points) != 2 {
				t.Fatalf("sink %d: an interval of %v, endpoints %v, %d points", i, in.Width, in.Endpoints, len(in.Points))
			}
			if !slices.Contains(starts, in.Start) {
				starts = append(starts, in.Start)
			}
		}
		slices.Sort(starts)
		for k, start := range starts {
			if start != time.Duration(k)*time.Second {
				t.Fatalf("sink %d: seconds %v; want each from 0 on", i, starts)
			}
		}
	}
}

// TestSinksAddUpToTheResult: with many workers over several shards, the
// records and the seconds a sink gets add up exactly to the result, counts
// by class and response times alike; a run shorter than a second comes as
// its seconds from the first on, the last one partial.
func TestSinksAddUpToTheResult(t *testing.T) {
	target := okAndFail(t)
	for name, load := range map[string]runner.Load{
		"16 workers": {Concurrency: 16, Iterations: 3000},
		"1 request":  {Concurrency: 1, Iterations: 1},
	} {
		t.Run(name, func(t *testing.T) {
			s := newLiveSink()
			p := plan(target, load,
				runner.Step{Name: "ok", Method: http.MethodGet, Path: "/"},
				runner.Step{Name: "fail", Method: http.MethodGet, Path: "/fail"})
			p.RawSinks, p.IntervalSinks = []runner.RawSink{s}, []runner.IntervalSink{s}
			res := mustRun(t, t.Context(), p)
			if s.records != res.Total.Requests() {
				t.Errorf("%d records, the run %d requests", s.records, res.Total.Requests())
			}
			sums := s.classes(len(res.Endpoints))
			for e, stats := range res.Endpoints {
				var latencies int64
				for _, in := range s.intervals {
					h, err := in.Points[e].Latency()
					if err != nil {
						t.Fatal(err)
					}
					latencies += h.TotalCount()
				}
				if sums[e] != stats.Classes || latencies != stats.Requests() {
					t.Errorf("%s: its seconds count %v and %d response times, the result %v and %d requests",
						stats.Name, sums[e][:runner.NumBuiltinClasses], latencies, stats.Classes[:runner.NumBuiltinClasses], stats.Requests())
				}
			}
			seconds := map[time.Duration]bool{}
			for _, in := range s.intervals {
				seconds[in.Start] = true
			}
			want := int((res.Duration() + time.Second - 1) / time.Second)
			for k := range want {
				if !seconds[time.Duration(k)*time.Second] {
					t.Errorf("no interval at %ds in a run of %s", k, res.Duration())
				}
			}
			if len(seconds) != want {
				t.Errorf("intervals at %d seconds in a run of %s, want %d", len(seconds), res.Duration(), want)
			}
		})
	}
}
