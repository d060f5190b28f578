package servermetrics_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/prometheus/common/expfmt"
	"golang.org/x/crypto/bcrypt"
)

func newAPI(t *testing.T) *apiserver.Instance {
	t.Helper()
	in, err := apiserver.Start(apiserver.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Shutdown(t.Context()) })
	return in
}

func get(t *testing.T, url string, n int) {
	t.Helper()
	for range n {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

func gather(t *testing.T, in *apiserver.Instance) servermetrics.Snapshot {
	t.Helper()
	snap, err := servermetrics.Gather(in.Metrics())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func subtract(t *testing.T, before, after servermetrics.Snapshot) servermetrics.Delta {
	t.Helper()
	d, err := servermetrics.Subtract(before, after)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const healthOK = `http_requests_total{endpoint="health",error_kind="",status="200"}`

// counter returns the increase of the counter series key, and whether d has it.
func counter(d servermetrics.Delta, key string) (float64, bool) {
	s, ok := d.Find(key)
	return s.Counter, ok
}

// histogram returns the histogram series key of d, or nil.
func histogram(d servermetrics.Delta, key string) *servermetrics.Histogram {
	s, _ := d.Find(key)
	return s.Histogram
}

// TestDeltaIsTheRunsAlone: what a server counted before the first reading
// is not the run's: the delta of the requests between two readings is
// exactly the requests sent between them, for the counters and for the
// native and the classic histograms alike.
func TestDeltaIsTheRunsAlone(t *testing.T) {
	in := newAPI(t)
	get(t, in.URL()+"/health", 7) // before the run
	before := gather(t, in)
	get(t, in.URL()+"/health", 5)
	d := subtract(t, before, gather(t, in))
	if n, _ := counter(d, healthOK); n != 5 || len(d.Resets) != 0 || d.Text {
		t.Errorf("health 200s %g, resets %v, text %v; want 5, none, false", n, d.Resets, d.Text)
	}
	h := histogram(d, `http_request_duration_seconds{endpoint="health"}`)
	if h == nil || h.Count != 5 || !h.Native || h.Cumulative[len(h.Cumulative)-1] != 5 {
		t.Fatalf("the health durations' delta: %+v; want 5 values, native and classic", h)
	}
	native, _ := h.Quantile(0.99)
	total := uint64(0)
	for _, n := range h.Positive {
		total += n
	}
	if total+h.ZeroCount != 5 || !(native.Lower < native.Upper) || native.Upper > 10 {
		t.Errorf("native buckets hold %d values, p99 in (%g, %g]", total+h.ZeroCount, native.Lower, native.Upper)
	}
}

// TestScrapeFormats: a scrape of the protobuf exposition keeps native
// histograms; one of a text-only exporter reads the classic buckets and
// says so; the two give the same counts.
func TestScrapeFormats(t *testing.T) {
	in := newAPI(t)
	get(t, in.URL()+"/health", 3)
	native := httptest.NewServer(in.MetricsHandler())
	defer native.Close()
	textOnly := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		families, _ := in.Metrics().Gather()
		w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
		enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, f := range families {
			enc.Encode(f)
		}
	}))
	defer textOnly.Close()
	for _, c := range []struct {
		url  string
		text bool
	}{{native.URL, false}, {textOnly.URL, true}} {
		snap, err := servermetrics.Scrape(t.Context(), http.DefaultClient, c.url)
		if err != nil {
			t.Fatal(err)
		}
		d := subtract(t, servermetrics.Snapshot{}, snap)
		h := histogram(d, `http_request_duration_seconds{endpoint="health"}`)
		n, _ := counter(d, healthOK)
		if d.Text != c.text || n != 3 || h == nil || h.Native == c.text || h.Count != 3 || len(h.Bounds) != 17 {
			t.Errorf("%s: text %v, health 200s %g, histogram %+v", c.url, d.Text, n, h)
		}
	}
	if _, err := servermetrics.Scrape(t.Context(), http.DefaultClient, in.URL()+"/health"); err == nil {
		t.Error("a JSON answer read as metrics")
	}
}

// TestRestartIsAReset: a server restarted between the readings counts
// less than before: its series are resets, never negative deltas.
func TestRestartIsAReset(t *testing.T) {
	first, second := newAPI(t), newAPI(t)
	get(t, first.URL()+"/health", 4)
	get(t, second.URL()+"/health", 1)
	d := subtract(t, gather(t, first), gather(t, second))
	if _, ok := counter(d, healthOK); ok || len(d.Resets) == 0 {
		t.Errorf("series %v, resets %v; want the health series reset", d.Series, d.Resets)
	}
	for _, s := range d.Series {
		if s.Counter < 0 {
			t.Errorf("%s: %g", s.Key(), s.Counter)
		}
	}
}

// TestQuantileBracket: a quantile from buckets is the bucket that holds
// it, at the coarser schema when the schema changed between readings.
func TestQuantileBracket(t *testing.T) {
	classic := &servermetrics.Histogram{Count: 100, Bounds: []float64{0.001, 0.005, 0.01, math.Inf(1)}, Cumulative: []uint64{50, 94, 100, 100}}
	if b, ok := classic.Quantile(0.95); !ok || b != (servermetrics.Bracket{Lower: 0.005, Upper: 0.01}) {
		t.Errorf("classic p95 in %+v", b)
	}
	if b, _ := classic.Quantile(0.5); b != (servermetrics.Bracket{Lower: 0, Upper: 0.001}) {
		t.Errorf("classic p50 in %+v", b)
	}
	// Schema 0: bucket i is (2^(i-1), 2^i]; schema 1 halves each.
	native := &servermetrics.Histogram{Count: 4, Native: true, Schema: 0, Positive: map[int32]uint64{-9: 3, -8: 1}}
	if b, _ := native.Quantile(0.99); b.Lower != math.Exp2(-9) || b.Upper != math.Exp2(-8) {
		t.Errorf("native p99 in (%g, %g], want (2^-9, 2^-8]", b.Lower, b.Upper)
	}
	if _, ok := (&servermetrics.Histogram{}).Quantile(0.5); ok {
		t.Error("a quantile of nothing")
	}
}

// TestRestartThatCountsMore: a server restarted between the readings that
// has counted more since than before is a restart too (its series were
// made anew): no series of it passes for the run's.
func TestRestartThatCountsMore(t *testing.T) {
	first, second := newAPI(t), newAPI(t)
	get(t, first.URL()+"/health", 1)
	get(t, second.URL()+"/health", 6)
	d := subtract(t, gather(t, first), gather(t, second))
	if len(d.Series) != 0 || len(d.Resets) == 0 {
		t.Errorf("series %v, resets %v; want none trusted, the restart said", d.Series, d.Resets)
	}
}

// TestScrapeRefusesAnEndlessPage: a metrics page past the bound is refused,
// not read to the end of the machine's memory.
func TestScrapeRefusesAnEndlessPage(t *testing.T) {
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
		line := []byte("# TYPE c counter\n")
		w.Write(line)
		for i := 0; r.Context().Err() == nil && i < 1<<21; i++ {
			if _, err := fmt.Fprintf(w, "c{i=\"%d\"} 1\n", i); err != nil {
				return
			}
		}
	}))
	defer endless.Close()
	if _, err := servermetrics.Scrape(t.Context(), http.DefaultClient, endless.URL); err == nil || !strings.Contains(err.Error(), "more than 16 MiB of metrics") {
		t.Errorf("an endless page: %v", err)
	}
}
