package apiserver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// series returns the metric of family name whose labels are labels, or
// fails t.
func series(t *testing.T, families []*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.Metric {
			if len(m.Label) != len(labels) {
				continue
			}
			for _, l := range m.Label {
				if want, ok := labels[l.GetName()]; !ok || want != l.GetValue() {
					continue next
				}
			}
			return m
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return nil
}

func gather(t *testing.T, in *apiserver.Instance) []*dto.MetricFamily {
	t.Helper()
	families, err := in.Metrics().Gather()
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// TestMetricsCountWhatTheClientSaw: with bcrypt under the storage lock, the
// server's lock timeouts and its requests by status and error kind are
// exactly the answers the clients got; every operation that had the lock
// is in the wait and hold histograms, native and classic alike.
func TestMetricsCountWhatTheClientSaw(t *testing.T) {
	const lockTimeout = 150 * time.Millisecond
	in := start(t, apiserver.Config{BcryptCost: costSlowerThan(t, 2*lockTimeout), LockTimeout: lockTimeout,
		LockSpin: 5 * time.Millisecond, HashUnderLock: true})
	register(t, in.URL(), "alice", goodPassword, "alice@example.com")
	answers := concurrentLogins(t, in.URL(), "alice", goodPassword, 16)
	timeouts, ok := 0, countStatus(answers, http.StatusOK)
	for _, r := range answers {
		if lockTimeoutRule(r) {
			timeouts++
		}
	}
	if timeouts == 0 || timeouts+ok != 16 {
		t.Fatalf("%d lock timeouts and %d ok of 16 logins; want some of each kind only", timeouts, ok)
	}
	families := gather(t, in)
	counter := func(name string, labels map[string]string) int {
		return int(series(t, families, name, labels).GetCounter().GetValue())
	}
	if got := counter(apiserver.MetricLockTimeouts, map[string]string{"op": "login"}); got != timeouts {
		t.Errorf("%s{op=login} %d, the clients saw %d", apiserver.MetricLockTimeouts, got, timeouts)
	}
	if got := counter(apiserver.MetricRequests, map[string]string{"endpoint": "login", "status": "503", "error_kind": "storage_lock_timeout"}); got != timeouts {
		t.Errorf("login 503 storage_lock_timeout requests %d, the clients saw %d", got, timeouts)
	}
	if got := counter(apiserver.MetricRequests, map[string]string{"endpoint": "login", "status": "200", "error_kind": ""}); got != ok {
		t.Errorf("login 200 requests %d, the clients saw %d", got, ok)
	}
	for _, name := range []string{apiserver.MetricLockWait, apiserver.MetricLockHold} {
		h := series(t, families, name, map[string]string{"op": "login"}).GetHistogram()
		if h.GetSampleCount() != uint64(ok) || len(h.Bucket) != 16 || h.Schema == nil || len(h.PositiveSpan) == 0 {
			t.Errorf("%s{op=login}: %d samples for %d logins that had the lock, %d classic buckets, schema %v, %d native spans",
				name, h.GetSampleCount(), ok, len(h.Bucket), h.Schema, len(h.PositiveSpan))
		}
	}
	if h := series(t, families, apiserver.MetricBcrypt, map[string]string{"op": "compare"}).GetHistogram(); h.GetSampleCount() != uint64(ok) {
		t.Errorf("%d bcrypt comparisons for %d logins that had the lock", h.GetSampleCount(), ok)
	}
	if h := series(t, families, apiserver.MetricRequestDuration, map[string]string{"endpoint": "login"}).GetHistogram(); h.GetSampleCount() != 16 {
		t.Errorf("%d login durations for 16 logins", h.GetSampleCount())
	}
}

// TestMetricsOfTheLoginSemaphore: the semaphore's size, the logins that
// waited for a permit and those that got none, which the clients saw as
// the overload 503.
func TestMetricsOfTheLoginSemaphore(t *testing.T) {
	const permitWait = 50 * time.Millisecond
	in := start(t, apiserver.Config{BcryptCost: costSlowerThan(t, 4*permitWait), LoginPermits: 1, PermitWait: permitWait})
	register(t, in.URL(), "alice", goodPassword, "alice@example.com")
	answers := concurrentLogins(t, in.URL(), "alice", goodPassword, 4)
	overloaded := countStatus(answers, http.StatusServiceUnavailable)
	families := gather(t, in)
	value := func(name string) float64 {
		m := series(t, families, name, map[string]string{})
		return m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	if value(apiserver.MetricPermits) != 1 || value(apiserver.MetricPermitsInUse) != 0 ||
		int(value(apiserver.MetricPermitRejections)) != overloaded || int(value(apiserver.MetricPermitWaits)) < overloaded || overloaded == 0 {
		t.Errorf("permits %g, in use %g, waits %g, rejections %g; the clients saw %d overload 503s",
			value(apiserver.MetricPermits), value(apiserver.MetricPermitsInUse), value(apiserver.MetricPermitWaits), value(apiserver.MetricPermitRejections), overloaded)
	}
}

// TestMetricsHandlerSpeaksProtobuf: a scraper that asks for the protobuf
// exposition gets it, native histograms included; one that asks for
// nothing gets text.
func TestMetricsHandlerSpeaksProtobuf(t *testing.T) {
	in := start(t, apiserver.Config{})
	call(t, "GET", in.URL()+"/health", "", nil)
	srv := httptest.NewServer(in.MetricsHandler())
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeProtoDelim)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	dec := expfmt.NewDecoder(resp.Body, expfmt.ResponseFormat(resp.Header))
	found := false
	for {
		var f dto.MetricFamily
		if err := dec.Decode(&f); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decoding %s: %v", resp.Header.Get("Content-Type"), err)
		}
		if f.GetName() == apiserver.MetricRequestDuration {
			found = f.Metric[0].GetHistogram().Schema != nil
		}
	}
	if !found {
		t.Errorf("no native %s in the protobuf exposition (%s)", apiserver.MetricRequestDuration, resp.Header.Get("Content-Type"))
	}
}
