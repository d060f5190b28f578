package runner_test

import (
	"testing"
	"time"

	"github.com/loadgate/loadgate/runner"
)

func TestRecordCountsAndClamps(t *testing.T) {
	s := runner.NewEndpointStats("login")
	s.Record(runner.Sample{Response: 250 * time.Microsecond, Service: 250 * time.Microsecond, Status: 200, Class: runner.ClassOK})
	s.Record(runner.Sample{Response: 0, Service: 0, Status: 200, Class: runner.ClassOK})                                                                             // below 1µs: recorded as 1µs
	s.Record(runner.Sample{Response: 2 * time.Hour, Service: 2 * time.Hour, Status: 503, Class: runner.ClassLockTimeout})                                            // over the top: clamped, counted
	s.Record(runner.Sample{Response: time.Second, Service: time.Second, Status: 0, Class: runner.ClassTransport, Kind: runner.TransportRefused})                     // no status
	s.Record(runner.Sample{Response: 3 * time.Millisecond, Service: 3 * time.Millisecond, Status: 409, Class: runner.ClassClientError, Kind: runner.TransportReset}) // kind ignored
	if s.Requests() != 5 || s.OK() != 2 || s.Errors() != 3 || s.LockTimeouts() != 1 || s.TransportErrors() != 1 {
		t.Errorf("requests %d ok %d errors %d lock timeouts %d transport %d", s.Requests(), s.OK(), s.Errors(), s.LockTimeouts(), s.TransportErrors())
	}
	if s.Status(200) != 2 || s.Status(503) != 1 || s.Status(409) != 1 || s.Status(0) != 0 || s.StatusRange(500, 599) != 1 {
		t.Errorf("statuses wrong: 200=%d 503=%d 409=%d", s.Status(200), s.Status(503), s.Status(409))
	}
	if s.Transport[runner.TransportRefused] != 1 || s.Transport[runner.TransportReset] != 0 {
		t.Errorf("transport kinds %v", s.Transport)
	}
	if s.Clamped != 1 || s.Latency.TotalCount() != 5 {
		t.Errorf("clamped %d, recorded %d; want 1 clamped of 5 recorded", s.Clamped, s.Latency.TotalCount())
	}
	if got, want := s.Max(), time.Hour; got < want || got > want+want/500 {
		t.Errorf("max %s, want about %s (the clamp)", got, want)
	}
	if got := s.Min(); got != time.Microsecond {
		t.Errorf("min %s, want 1µs", got)
	}
}

// TestMergeIsExact: merging the halves of a set of latencies gives the same
// percentiles and counts as recording them all in one place.
func TestMergeIsExact(t *testing.T) {
	whole, a, b := runner.NewEndpointStats("x"), runner.NewEndpointStats("x"), runner.NewEndpointStats("x")
	for i := range 10_000 {
		d := time.Duration(i*i%997+1) * 137 * time.Microsecond
		x := runner.Sample{Response: d, Service: d, Status: 200, Class: runner.ClassOK}
		if i%10 == 0 { // a new connection, over TLS every other time, resumed every fourth
			x.Connections = []runner.Connection{{Connect: d / 7, Handshake: d / 3, TLS: i%20 == 0, Resumed: i%40 == 0}}
		}
		whole.Record(x)
		half := a
		if i%2 == 1 {
			half = b
		}
		half.Record(x)
	}
	if b.Connections != nil {
		t.Fatalf("odd requests made connections: %+v", b.Connections)
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if !a.Latency.Equals(whole.Latency) || a.Status(200) != whole.Status(200) || a.Requests() != whole.Requests() {
		t.Errorf("merged halves differ from the whole")
	}
	if err := b.Merge(a); err != nil { // into one that has made no connection
		t.Fatal(err)
	}
	for _, s := range []*runner.EndpointStats{a, b} {
		got, want := s.Connections, whole.Connections
		if got == nil || !got.Connect.Equals(want.Connect) || !got.Handshake.Equals(want.Handshake) || got.Resumed != want.Resumed ||
			want.Made() != 1000 || want.Handshakes() != 500 || want.Resumed != 250 {
			t.Errorf("merged connections %+v differ from the whole's %+v (1000 made, 500 handshakes, 250 resumed)", got, want)
		}
	}
	for _, p := range []float64{50, 90, 95, 99, 99.9, 100} {
		if a.Percentile(p) != whole.Percentile(p) {
			t.Errorf("p%v: merged %s, whole %s", p, a.Percentile(p), whole.Percentile(p))
		}
	}
}

// BenchmarkRecord is the cost of recording one request; it must not allocate.
func BenchmarkRecord(b *testing.B) {
	s := runner.NewEndpointStats("login")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		s.Record(runner.Sample{Response: time.Duration(i%50_000) * time.Microsecond, Service: time.Duration(i%50_000) * time.Microsecond, Status: 200, Class: runner.ClassOK})
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	s := runner.NewEndpointStats("login")
	made := []runner.Connection{{Connect: 100 * time.Microsecond, Handshake: time.Millisecond, TLS: true, Resumed: true}}
	s.Record(runner.Sample{Status: 200, Class: runner.ClassOK, Connections: made}) // the first connection makes its statistics
	allocs := testing.AllocsPerRun(1000, func() {
		s.Record(runner.Sample{Response: 1234 * time.Microsecond, Service: 1234 * time.Microsecond, Status: 503, Class: runner.ClassLockTimeout, Connections: made})
		s.Record(runner.Sample{Response: time.Second, Service: time.Second, Status: 0, Class: runner.ClassTransport, Kind: runner.TransportTimeout})
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Record, want 0", allocs)
	}
	classifier := runner.DefaultClassifier()
	if classifier.Classify(503, []byte(`{"error":"Service TEMPORARILY busy"}`), nil, nil) != runner.ClassLockTimeout {
		t.Errorf("lock rule does not match")
	}
	body := []byte(`{"error":"Service temporarily busy, please retry"}`)
	own := []runner.StepClass{{Class: runner.NumBuiltinClasses, Rule: runner.Rule{Status: 200, Body: runner.Substrings{"token"}}}}
	expect := []runner.Rule{{Status: 409}, {Status: 400, Body: runner.Substrings{"not_unique"}}}
	if a := testing.AllocsPerRun(1000, func() {
		classifier.Classify(503, body, nil, nil)
		classifier.Classify(400, body, own, expect)
		classifier.Classify(409, body, own, expect)
	}); a != 0 {
		t.Errorf("%v allocations per Classify, want 0", a)
	}
}
