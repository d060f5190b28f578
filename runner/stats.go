package runner

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The geometry of every latency histogram: microseconds from 1 µs to one
// hour, 3 significant digits. Histograms of one geometry merge exactly.
const (
	LatencyLowest  = int64(1)
	LatencyHighest = int64(time.Hour / time.Microsecond)
	LatencySigFigs = 3
)

// maxStatus bounds the status codes counted one by one; net/http accepts
// three-digit codes only.
const maxStatus = 1000

// NewLatencyHistogram returns an empty histogram of the latency geometry.
func NewLatencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(LatencyLowest, LatencyHighest, LatencySigFigs)
}

// EndpointStats is what a run measured for one endpoint (or, in
// Result.Total, for all of them): requests by outcome class, by status and by
// transport error kind, latency in microseconds, and why requests failed.
// Recording into it does not allocate, but to keep one of its few messages.
// It is not safe for concurrent use.
type EndpointStats struct {
	Name string
	// Classes counts every attempt by class, retries included; FirstAttempt
	// counts first attempts alone, as a client that never retries would
	// have seen them. Indexes past the run's classes stay zero.
	Classes      [MaxClasses]int64
	FirstAttempt [MaxClasses]int64
	// Retries counts the attempts that were retries.
	Retries   int64
	Statuses  [maxStatus]int64 // by status code; requests of ClassTransport have none
	Transport [NumTransportKinds]int64
	// ConnectFailed counts, by kind, the requests of ClassTransport that
	// failed to connect (refused, DNS, TLS handshake, dial timeout): they
	// never reached the server.
	ConnectFailed [NumTransportKinds]int64
	// Latency holds every request's response time in microseconds, failed
	// ones included: from the request's intended start (its scheduled
	// arrival, in the open model) to the last byte of the answer. Percentiles
	// and SLOs use it. A value above LatencyHighest is recorded as
	// LatencyHighest and counted in Clamped.
	Latency *hdrhistogram.Histogram
	// Service holds the service times: from the actual send to the last
	// byte. It equals Latency in the closed model; in the open model it
	// leaves out how late the request started.
	Service *hdrhistogram.Histogram
	Clamped int64
	// Connections is the set-up of the connections made for the
	// endpoint's requests; nil when none was made (or in a result file
	// written before loadgate recorded them).
	Connections *ConnectionStats
	// Messages say why requests failed: for each class but ok (each kind,
	// in ClassTransport), the first MaxMessages distinct messages, in
	// order of first occurrence, with their requests. A merge keeps the
	// most frequent MaxMessages of each.
	Messages []Message
}

// NewEndpointStats returns empty statistics for the endpoint called name.
func NewEndpointStats(name string) *EndpointStats {
	return &EndpointStats{Name: name, Latency: NewLatencyHistogram(), Service: NewLatencyHistogram()}
}

// Sample is one request (one attempt, when a step retries) as recorded.
type Sample struct {
	Response time.Duration // from the intended start to the last byte
	Service  time.Duration // from the send to the last byte
	Status   int           // ignored for ClassTransport
	Class    Class
	Kind     TransportKind // for ClassTransport only
	Retry    bool          // a retry of a step's earlier attempt
	// Message is why a request that is not ok failed, normalised (see
	// Message); nil when unknown. Record copies what it keeps.
	Message []byte
	// ConnectFailed is set for a request of ClassTransport that failed to
	// connect: it never reached the server.
	ConnectFailed bool
	// Connections are the connections made for the request (nil: none),
	// whose set-up Response and Service leave out. Record copies them.
	Connections []Connection
	// RequestID is the request's ID (Plan.RequestIDHeader); "" without.
	RequestID string
}

// Record adds one sample. It allocates only to keep a new message.
func (s *EndpointStats) Record(x Sample) {
	s.Classes[x.Class]++
	if x.Retry {
		s.Retries++
	} else {
		s.FirstAttempt[x.Class]++
	}
	if x.Class == ClassTransport {
		s.Transport[x.Kind]++
		if x.ConnectFailed {
			s.ConnectFailed[x.Kind]++
		}
	} else if x.Status >= 0 && x.Status < maxStatus {
		s.Statuses[x.Status]++
	}
	if s.Latency.RecordValue(clampMicros(x.Response)) == nil && x.Response.Microseconds() > LatencyHighest {
		s.Clamped++
	}
	s.Service.RecordValue(clampMicros(x.Service))
	for _, c := range x.Connections {
		if s.Connections == nil {
			s.Connections = NewConnectionStats()
		}
		s.Connections.record(c)
	}
	if x.Class != ClassOK && len(x.Message) > 0 {
		kind := TransportKind(0)
		if x.Class == ClassTransport {
			kind = x.Kind
		}
		s.countMessage(x.Class, kind, x.Message, x.RequestID)
	}
}

// clampMicros is d in microseconds, within the latency geometry.
func clampMicros(d time.Duration) int64 {
	return min(max(d.Microseconds(), LatencyLowest), LatencyHighest)
}

// Merge adds other's counts and latencies into s. Both must have the latency
// geometry, which every EndpointStats made by this package has.
func (s *EndpointStats) Merge(other *EndpointStats) error {
	if other.Latency.LowestTrackableValue() != s.Latency.LowestTrackableValue() ||
		other.Latency.HighestTrackableValue() != s.Latency.HighestTrackableValue() ||
		other.Latency.SignificantFigures() != s.Latency.SignificantFigures() {
		return fmt.Errorf("cannot merge latency histograms of different geometry (%d-%d, %d digits vs %d-%d, %d digits)",
			s.Latency.LowestTrackableValue(), s.Latency.HighestTrackableValue(), s.Latency.SignificantFigures(),
			other.Latency.LowestTrackableValue(), other.Latency.HighestTrackableValue(), other.Latency.SignificantFigures())
	}
	for i := range s.Classes {
		s.Classes[i] += other.Classes[i]
		s.FirstAttempt[i] += other.FirstAttempt[i]
	}
	s.Retries += other.Retries
	for i := range s.Statuses {
		s.Statuses[i] += other.Statuses[i]
	}
	for i := range s.Transport {
		s.Transport[i] += other.Transport[i]
		s.ConnectFailed[i] += other.ConnectFailed[i]
	}
	s.Clamped += other.Clamped
	s.Messages = mergeMessages(s.Messages, other.Messages)
	if dropped := s.Latency.Merge(other.Latency) + s.Service.Merge(other.Service); dropped != 0 {
		return fmt.Errorf("merging latency histograms dropped %d values", dropped)
	}
	if other.Connections != nil {
		if s.Connections == nil {
			s.Connections = NewConnectionStats()
		}
		return s.Connections.merge(other.Connections)
	}
	return nil
}

// Requests is the number of requests sent (dropped arrivals are not requests).
func (s *EndpointStats) Requests() int64 {
	var n int64
	for _, c := range s.Classes {
		n += c
	}
	return n
}

// ConnectFailures is the number of requests that failed to connect.
func (s *EndpointStats) ConnectFailures() int64 {
	var n int64
	for _, c := range s.ConnectFailed {
		n += c
	}
	return n
}

// Reached is the number of requests that reached the server: all but those
// that failed to connect.
func (s *EndpointStats) Reached() int64 { return s.Requests() - s.ConnectFailures() }

// FirstAttempts is the number of first attempts: requests that were not
// retries (see AttemptsKnown).
func (s *EndpointStats) FirstAttempts() int64 {
	var n int64
	for _, c := range s.FirstAttempt {
		n += c
	}
	return n
}

// AttemptsKnown reports whether s counts its retries and first attempts,
// which then add up to its requests. Read from a result file older than
// those counts (or merged with one), s has requests that are neither.
func (s *EndpointStats) AttemptsKnown() bool { return s.FirstAttempts()+s.Retries == s.Requests() }

// FirstAttemptErrors is the number of first attempts that were not ok.
func (s *EndpointStats) FirstAttemptErrors() int64 {
	return s.FirstAttempts() - s.FirstAttempt[ClassOK]
}

// OK is the number of requests of ClassOK.
func (s *EndpointStats) OK() int64 { return s.Classes[ClassOK] }

// Errors is the number of requests of any class but ClassOK.
func (s *EndpointStats) Errors() int64 { return s.Requests() - s.OK() }

// LockTimeouts is the number of requests of ClassLockTimeout.
func (s *EndpointStats) LockTimeouts() int64 { return s.Classes[ClassLockTimeout] }

// TransportErrors is the number of requests that got no HTTP response.
func (s *EndpointStats) TransportErrors() int64 { return s.Classes[ClassTransport] }

// Status is the number of responses with status code.
func (s *EndpointStats) Status(code int) int64 {
	if code < 0 || code >= maxStatus {
		return 0
	}
	return s.Statuses[code]
}

// StatusRange is the number of responses with a status in [from, to].
func (s *EndpointStats) StatusRange(from, to int) int64 {
	var n int64
	for code := max(from, 0); code <= min(to, maxStatus-1); code++ {
		n += s.Statuses[code]
	}
	return n
}

// StatusCodes returns the status codes that have responses, ascending.
func (s *EndpointStats) StatusCodes() []int {
	var codes []int
	for code, n := range s.Statuses {
		if n > 0 {
			codes = append(codes, code)
		}
	}
	return codes
}

// TransportKinds returns the transport error kinds that occurred, in kind order.
func (s *EndpointStats) TransportKinds() []TransportKind {
	var kinds []TransportKind
	for kind, n := range s.Transport {
		if n > 0 {
			kinds = append(kinds, TransportKind(kind))
		}
	}
	return kinds
}

// Micros converts a value of a latency histogram (microseconds) to a Duration.
func Micros(v int64) time.Duration { return time.Duration(v) * time.Microsecond }

// Percentile returns the response time at percentile p (0 < p <= 100; 99.9,
// not 0.999). It is zero when nothing was recorded.
func (s *EndpointStats) Percentile(p float64) time.Duration {
	return Micros(s.Latency.ValueAtQuantile(p))
}

// Min, Mean and Max return the response time extremes and mean; zero when
// nothing was recorded.
func (s *EndpointStats) Min() time.Duration { return Micros(s.Latency.Min()) }

func (s *EndpointStats) Mean() time.Duration {
	return time.Duration(s.Latency.Mean() * float64(time.Microsecond))
}

func (s *EndpointStats) Max() time.Duration { return Micros(s.Latency.Max()) }
