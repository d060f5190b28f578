package apiserver

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The names of the server's Prometheus metrics. Durations are in seconds,
// as Prometheus names them.
const (
	MetricLockWait         = "storage_lock_wait_seconds"     // histogram, by op
	MetricLockHold         = "storage_lock_hold_seconds"     // histogram, by op
	MetricLockTimeouts     = "storage_lock_timeouts_total"   // counter, by op
	MetricRequests         = "http_requests_total"           // counter, by endpoint, status, error_kind
	MetricRequestDuration  = "http_request_duration_seconds" // histogram, by endpoint
	MetricBcrypt           = "bcrypt_duration_seconds"       // histogram, by op: hash, compare
	MetricPermits          = "login_permits"                 // gauge: the semaphore's size, 0 when off
	MetricPermitsInUse     = "login_permits_in_use"          // gauge
	MetricPermitWaits      = "login_permit_waits_total"      // counter: logins that found no permit free at once
	MetricPermitRejections = "login_permit_rejections_total" // counter: logins that got none in time
)

// storageOps are the storage operations, by the name their metrics' op
// label gives them.
var storageOps = []string{opRegister, opLogin, opProfile}

// sloBuckets are the classic buckets of every duration histogram, at
// thresholds an SLO is likely to name, from 100 µs to 5 s. Each histogram
// is native too (see newHistogram), for a scraper that reads those.
var sloBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, .8, 1, 2.5, 5}

// metrics are a Server's Prometheus metrics, in a registry of the server's
// own, so that two servers in one process never mix theirs. They are safe
// for concurrent use.
type metrics struct {
	registry                      *prometheus.Registry
	lockWait, lockHold            *prometheus.HistogramVec
	lockTimeouts                  *prometheus.CounterVec
	requests                      *prometheus.CounterVec
	duration                      *prometheus.HistogramVec
	bcrypt                        *prometheus.HistogramVec
	permitsInUse                  prometheus.Gauge
	permitWaits, permitRejections prometheus.Counter
}

func newMetrics(permits int) *metrics {
	m := &metrics{
		registry:     prometheus.NewRegistry(),
		lockWait:     newHistogram(MetricLockWait, "Time spent waiting for the storage lock, by operation.", "op"),
		lockHold:     newHistogram(MetricLockHold, "Time the storage lock was held, by operation.", "op"),
		lockTimeouts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricLockTimeouts, Help: "Operations that gave up waiting for the storage lock."}, []string{"op"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricRequests,
			Help: "Answered requests, by endpoint, status and error kind (empty for a success)."}, []string{"endpoint", "status", "error_kind"}),
		duration:         newHistogram(MetricRequestDuration, "Time to handle a request, by endpoint.", "endpoint"),
		bcrypt:           newHistogram(MetricBcrypt, "Time spent in bcrypt, by operation: hash or compare.", "op"),
		permitsInUse:     prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricPermitsInUse, Help: "Login permits taken."}),
		permitWaits:      prometheus.NewCounter(prometheus.CounterOpts{Name: MetricPermitWaits, Help: "Logins that found no login permit free at once."}),
		permitRejections: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricPermitRejections, Help: "Logins that got no login permit in time (503)."}),
	}
	for _, op := range storageOps {
		m.lockTimeouts.WithLabelValues(op) // exported as 0 before the first timeout
	}
	size := prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricPermits, Help: "Login permits in all; 0 when the semaphore is off."})
	size.Set(float64(permits))
	m.registry.MustRegister(m.lockWait, m.lockHold, m.lockTimeouts, m.requests, m.duration, m.bcrypt,
		size, m.permitsInUse, m.permitWaits, m.permitRejections)
	return m
}

// newHistogram returns a duration histogram with the classic sloBuckets
// and native buckets about 10% wide. Its native resolution halves rather
// than the histogram resetting when it would pass 160 buckets, so that a
// scrape before a run and one after always subtract.
func newHistogram(name, help string, label string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:                            name,
		Help:                            help,
		Buckets:                         sloBuckets,
		NativeHistogramBucketFactor:     1.1,
		NativeHistogramMaxBucketNumber:  160,
		NativeHistogramMinResetDuration: 0,
	}, []string{label})
}

// request records one answered request.
func (m *metrics) request(endpoint string, status int, kind errorKind, took time.Duration) {
	m.requests.WithLabelValues(endpoint, strconv.Itoa(status), string(kind)).Inc()
	m.duration.WithLabelValues(endpoint).Observe(took.Seconds())
}

// timed runs fn and records its time in h under label.
func timed(h *prometheus.HistogramVec, label string, fn func()) {
	start := time.Now()
	fn()
	h.WithLabelValues(label).Observe(time.Since(start).Seconds())
}

// Metrics gathers the server's metrics since it started, as a scrape of
// MetricsHandler would read them: the same families, read in-process.
func (s *Server) Metrics() prometheus.Gatherer { return s.metrics.registry }

// MetricsHandler serves the server's metrics in the Prometheus exposition
// formats (the protobuf one, which keeps native histograms, to a scraper
// that asks for it), for a listener apart from the API's.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}
