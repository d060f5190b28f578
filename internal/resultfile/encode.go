// Package resultfile is the result file (docs/contracts.md §5): it encodes
// a runner.Result with its verdicts as JSON and reads one back, refusing a
// file that contradicts itself. Shards, merges and reports read results
// through it; it renders nothing for people.
package resultfile

import (
	"encoding/json"
	"strconv"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// Schema names the version of the result JSON.
const Schema = "loadgate.result/v1"

// resultJSON is the result file (docs/contracts.md §5). Field names are a
// contract: add fields, never rename or remove one.
type resultJSON struct {
	Schema      string `json:"schema"`
	Passed      bool   `json:"passed"`
	Interrupted bool   `json:"interrupted"`
	// TLSUnverified: the target's certificate was not verified
	// (--insecure); absent reads as false.
	TLSUnverified bool      `json:"tls_unverified"`
	Scenario      string    `json:"scenario"`
	Target        string    `json:"target"`
	StartedAt     time.Time `json:"started_at"`
	EndedAt       time.Time `json:"ended_at"`
	DurationS     float64   `json:"duration_s"`
	// ActiveS is the time the run was running: duration_s, or less for a
	// merge of runs that did not overlap. Rates are over it.
	ActiveS float64 `json:"active_s"`
	// HTTP2 is set when the requests went over HTTP/2 (run --http2).
	HTTP2 bool `json:"http2"`
	// RunID and PlanDigest identify the run and what it ran; StartAt is
	// the start it was given (run --start-at). Empty in files older than
	// them, and in a merge of runs that do not share them.
	RunID      string     `json:"run_id"`
	PlanDigest string     `json:"plan_digest"`
	StartAt    *time.Time `json:"start_at,omitempty"`
	// Runs are the runs a merged result is made of, by start; absent for a
	// single run.
	Runs      []runJSON               `json:"runs,omitempty"`
	Load      loadJSON                `json:"load"`
	Totals    totalsJSON              `json:"totals"`
	Endpoints map[string]endpointJSON `json:"endpoints"`
	SLOs      []verdictJSON           `json:"slos"`
	// ClassNames and EndpointNames give the order of the classes and the
	// endpoints, which the maps above do not keep.
	ClassNames    []string   `json:"class_names"`
	EndpointNames []string   `json:"endpoint_names"`
	Series        seriesJSON `json:"series"`
	// Baseline is the comparison with --baseline, when there was one.
	Baseline *baselineJSON `json:"baseline,omitempty"`
	// Setup is the setup phase before the run, when there was one.
	Setup *setupJSON `json:"setup,omitempty"`
	// Session is what the users' sessions did, when the scenario had one.
	Session *sessionJSON `json:"session,omitempty"`
	// Server is the servers' own view of the run, from their metrics
	// (run --server-metrics, or the embedded API's), when there was one.
	Server *serverJSON `json:"server,omitempty"`
	// UnjudgedSLOs are a shard's SLOs, which it does not judge: the merge
	// of all the shards is judged by them (see EncodeShard).
	UnjudgedSLOs []string `json:"unjudged_slos,omitempty"`
}

type shardJSON struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

type runJSON struct {
	StartedAt   time.Time  `json:"started_at"`
	EndedAt     time.Time  `json:"ended_at"`
	PeakWorkers int        `json:"peak_workers"`
	Requests    int64      `json:"requests"`
	Shard       *shardJSON `json:"shard,omitempty"` // absent for a whole run
}

type baselineJSON struct {
	File        string      `json:"file"`
	Limits      string      `json:"limits"`
	Regressions int         `json:"regressions"`
	Deltas      []deltaJSON `json:"deltas"`
}

type deltaJSON struct {
	Endpoint  string   `json:"endpoint"`
	Metric    string   `json:"metric"`
	Limit     string   `json:"limit"` // the worst change allowed: "+10%", "+0.1pp", "-5%", "+50ms"
	Unit      slo.Unit `json:"unit"`  // of baseline and now
	Baseline  float64  `json:"baseline"`
	Now       float64  `json:"now"`
	Regressed bool     `json:"regressed"`
	Missing   bool     `json:"missing"` // the endpoint had no requests in one of the runs
}

// Comparison is a result compared with a baseline file, for the JSON.
type Comparison struct {
	Baseline string // the file
	Limits   string // as given
	Deltas   []slo.Delta
}

// seriesJSON is the run over time: per endpoint, one point per interval
// with requests.
type seriesJSON struct {
	IntervalS     float64                `json:"interval_s"`
	HistogramUnit string                 `json:"histogram_unit"`
	Endpoints     map[string][]pointJSON `json:"endpoints"`
}

type pointJSON struct {
	T        float64          `json:"t"` // seconds from the start to the interval's start
	Requests int64            `json:"requests"`
	OK       int64            `json:"ok"`
	Errors   int64            `json:"errors"`
	Classes  map[string]int64 `json:"classes"` // the classes with requests
	P50      float64          `json:"p50"`     // milliseconds, as the others
	P95      float64          `json:"p95"`
	P99      float64          `json:"p99"`
	// Histogram is the interval's response times, HdrHistogram V2
	// compressed, base64: microseconds, 1 µs to 1 h, 2 significant digits.
	Histogram string `json:"histogram"`
}

type loadJSON struct {
	Model       string  `json:"model"`
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate"`
	MaxWorkers  int     `json:"max_workers"`
	PeakWorkers int     `json:"peak_workers"`
	// CPUs is how many cores the run could use at once, of MachineCPUs;
	// absent (0) in files older than them.
	CPUs        int `json:"cpus"`
	MachineCPUs int `json:"machine_cpus"`
	// Shard is the part of the load the run took; absent for the whole.
	Shard      *shardJSON `json:"shard,omitempty"`
	Stages     []string   `json:"stages"`
	DurationS  float64    `json:"duration_s"`
	Iterations int64      `json:"iterations"`
	PauseS     float64    `json:"pause_s"`
}

// countsJSON are the counters of an endpoint and of the totals.
type countsJSON struct {
	Requests     int64            `json:"requests"`
	OK           int64            `json:"ok"`
	Errors       int64            `json:"errors"`
	LockTimeouts int64            `json:"lock_timeouts"`
	Status503    int64            `json:"status_503"`
	Status       map[string]int64 `json:"status"`
	Transport    map[string]int64 `json:"transport"`
	Classes      map[string]int64 `json:"classes"`
	// Retries counts the attempts that were retries; FirstAttempt the
	// first attempts alone, as a client that never retries saw them.
	Retries      int64        `json:"retries"`
	FirstAttempt attemptsJSON `json:"first_attempt"`
	// Messages say why requests failed: the first few distinct messages
	// of each class (of each transport kind) with their requests.
	Messages []messageJSON `json:"messages"`
	// ConnectFailures counts by kind the transport errors that were failed
	// connection attempts: they never reached the server. Reached counts
	// the requests that did (requests less those); rps is over these.
	ConnectFailures map[string]int64 `json:"connect_failures"`
	Reached         int64            `json:"reached"`
	// Connections is the set-up of the connections made; absent when none
	// was made.
	Connections *connectionsJSON `json:"connections,omitempty"`
}

// attemptsJSON counts first attempts.
type attemptsJSON struct {
	Requests int64            `json:"requests"`
	OK       int64            `json:"ok"`
	Errors   int64            `json:"errors"`
	Classes  map[string]int64 `json:"classes"`
}

type totalsJSON struct {
	countsJSON
	// Arrivals and Dropped are the open model's; Dropped is the sum of
	// DroppedNoWorker and DroppedBehind (runner.Result).
	Arrivals        int64 `json:"arrivals"`
	Dropped         int64 `json:"dropped"`
	DroppedNoWorker int64 `json:"dropped_no_worker"`
	DroppedBehind   int64 `json:"dropped_behind"`
	// Iterations counts the iterations started; IterationRate is per
	// second of active_s.
	Iterations    int64   `json:"iterations"`
	IterationRate float64 `json:"iteration_rate"`
	// GeneratorLateMS and GeneratorLateHistogram are the open model's
	// generator lateness (runner.Result.Lateness); absent otherwise.
	GeneratorLateMS        *Latencies `json:"generator_lateness_ms,omitempty"`
	GeneratorLateHistogram string     `json:"generator_lateness_histogram,omitempty"`
	// GeneratorLimited is runner.Result.GeneratorLimited.
	GeneratorLimited bool `json:"generator_limited"`
	// ProtocolEvents counts answers a client could not place (bytes after
	// an answer's framing, or on an idle connection).
	ProtocolEvents int64   `json:"protocol_events"`
	TargetRate     float64 `json:"target_rate"`
	RPS            float64 `json:"rps"`
}

type endpointJSON struct {
	countsJSON
	RPS float64 `json:"rps"`
	// LatencyMS is the response time, from each request's intended start;
	// ServiceMS the service time, from its actual send (the same in the
	// closed model).
	LatencyMS Latencies `json:"latency_ms"`
	ServiceMS Latencies `json:"service_ms"`
	// Histogram and ServiceHistogram are HdrHistograms in microseconds, V2
	// compressed and base64-encoded, so that results merge exactly.
	Histogram        string `json:"histogram"`
	ServiceHistogram string `json:"service_histogram"`
	HistogramUnit    string `json:"histogram_unit"`
	Clamped          int64  `json:"clamped"`
}

// Latencies sums up a histogram of latencies in milliseconds, as the result
// file and the logs report write it.
type Latencies struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
}

type verdictJSON struct {
	Expr      string   `json:"expr"`
	Actual    float64  `json:"actual"`
	Threshold float64  `json:"threshold"`
	Unit      slo.Unit `json:"unit"`
	Pass      bool     `json:"pass"`
	Reason    string   `json:"reason"`
}

// Encode writes r, its verdicts and its comparison with a baseline (nil:
// none) as the result file, indented; it passed when every verdict did and
// nothing regressed.
func Encode(r *runner.Result, verdicts []slo.Verdict, c *Comparison) ([]byte, error) {
	return encode(r, verdicts, c, nil)
}

// EncodeShard writes the result of a shard of a run (r.Load.Shard), whose
// SLOs are judged on the merge of all the shards, not on one: it holds no
// verdict, and slos, the SLOs' expressions, as unjudged_slos. Read gives
// them back as the file's SLOs.
func EncodeShard(r *runner.Result, slos []string) ([]byte, error) {
	return encode(r, nil, nil, slos)
}

func encode(r *runner.Result, verdicts []slo.Verdict, c *Comparison, unjudged []string) ([]byte, error) {
	out := resultJSON{
		UnjudgedSLOs:  unjudged,
		Schema:        Schema,
		Passed:        slo.Passed(verdicts) && (c == nil || slo.Regressions(c.Deltas) == 0),
		Interrupted:   r.Interrupted,
		TLSUnverified: r.TLSUnverified,
		Scenario:      r.Scenario,
		Target:        r.Target,
		StartedAt:     r.Started.UTC(),
		EndedAt:       r.Ended.UTC(),
		DurationS:     r.Duration().Seconds(),
		ActiveS:       r.ActiveTime().Seconds(),
		HTTP2:         r.HTTP2,
		RunID:         r.Identity.RunID,
		PlanDigest:    r.Identity.PlanDigest,
		Runs:          runsJSON(r.Parts),
		Load: loadJSON{
			Model:       r.Load.Model(),
			Concurrency: r.Load.Concurrency,
			Rate:        r.Load.Rate,
			MaxWorkers:  r.Load.MaxWorkers,
			PeakWorkers: r.PeakWorkers,
			CPUs:        r.CPUs,
			MachineCPUs: r.MachineCPUs,
			Shard:       shardOut(r.Load.Shard),
			Stages:      runner.StageStrings(r.Load.Stages),
			DurationS:   r.Load.Duration.Seconds(),
			Iterations:  r.Load.Iterations,
			PauseS:      r.Load.Pause.Seconds(),
		},
		Totals: totalsJSON{countsJSON: counts(r.Total, r), Arrivals: r.Arrivals, Dropped: r.Dropped,
			DroppedNoWorker: r.DroppedNoWorker, DroppedBehind: r.DroppedBehind,
			Iterations: r.Iterations, IterationRate: r.IterationRate(), GeneratorLimited: r.GeneratorLimited(),
			ProtocolEvents: r.ProtocolEvents, TargetRate: r.TargetRate(), RPS: r.RPS(r.Total)},
		Endpoints:     map[string]endpointJSON{},
		SLOs:          []verdictJSON{},
		ClassNames:    r.Classes(),
		EndpointNames: []string{},
		Setup:         setupOut(r.Setup),
	}
	series, err := seriesOut(r)
	if err != nil {
		return nil, err
	}
	out.Series = series
	if at := r.Identity.StartAt; !at.IsZero() {
		at = at.UTC()
		out.StartAt = &at
	}
	if out.Totals.Connections, err = connectionsOut(r.Total.Connections, false); err != nil {
		return nil, err
	}
	if r.Lateness != nil {
		late := LatenciesOf(r.Lateness)
		hist, err := r.Lateness.EncodeV2()
		if err != nil {
			return nil, err
		}
		out.Totals.GeneratorLateMS, out.Totals.GeneratorLateHistogram = &late, string(hist)
	}
	if c != nil {
		out.Baseline = &baselineJSON{File: c.Baseline, Limits: c.Limits, Regressions: slo.Regressions(c.Deltas), Deltas: []deltaJSON{}}
		for _, d := range c.Deltas {
			out.Baseline.Deltas = append(out.Baseline.Deltas, deltaJSON{Endpoint: d.Endpoint, Metric: d.Limit.Metric().Metric,
				Limit: d.Limit.Describe(), Unit: d.Limit.Metric().Unit, Baseline: d.Old, Now: d.New, Regressed: d.Regressed, Missing: d.Missing})
		}
	}
	for _, e := range r.Endpoints {
		out.EndpointNames = append(out.EndpointNames, e.Name)
		if out.Endpoints[e.Name], err = endpointOut(e, r); err != nil {
			return nil, err
		}
	}
	out.Server = serverOut(r.Server)
	if out.Session, err = sessionOut(r); err != nil {
		return nil, err
	}
	for _, v := range verdicts {
		out.SLOs = append(out.SLOs, verdictJSON{Expr: v.SLO.Expr, Actual: v.Actual, Threshold: v.SLO.Threshold,
			Unit: v.SLO.Unit, Pass: v.Pass, Reason: v.Reason})
	}
	return json.MarshalIndent(out, "", "  ")
}

// endpointOut is endpoint e of r.
func endpointOut(e *runner.EndpointStats, r *runner.Result) (endpointJSON, error) {
	hist, err := e.Latency.EncodeV2()
	if err != nil {
		return endpointJSON{}, err
	}
	service, err := e.Service.EncodeV2()
	if err != nil {
		return endpointJSON{}, err
	}
	c := counts(e, r)
	if c.Connections, err = connectionsOut(e.Connections, true); err != nil {
		return endpointJSON{}, err
	}
	return endpointJSON{
		countsJSON:       c,
		RPS:              r.RPS(e),
		LatencyMS:        LatenciesOf(e.Latency),
		ServiceMS:        LatenciesOf(e.Service),
		Histogram:        string(hist),
		ServiceHistogram: string(service),
		HistogramUnit:    "us",
		Clamped:          e.Clamped,
	}, nil
}

// runsJSON writes a merge's parts; nil for a single run.
func runsJSON(parts []runner.Part) []runJSON {
	var out []runJSON
	for _, p := range parts {
		out = append(out, runJSON{StartedAt: p.Started.UTC(), EndedAt: p.Ended.UTC(), PeakWorkers: p.PeakWorkers, Requests: p.Requests,
			Shard: shardOut(p.Shard)})
	}
	return out
}

// seriesOut renders r's time series.
func seriesOut(r *runner.Result) (seriesJSON, error) {
	out := seriesJSON{IntervalS: r.Series.Interval.Seconds(), HistogramUnit: "us", Endpoints: map[string][]pointJSON{}}
	for i, points := range r.Series.Endpoints {
		list := []pointJSON{}
		for _, p := range points {
			h, err := p.Latency()
			if err != nil {
				return out, err
			}
			encoded, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				return out, err
			}
			pt := pointJSON{T: p.Start.Seconds(), Requests: p.Requests(), OK: p.Classes[runner.ClassOK],
				Classes: map[string]int64{}, Histogram: string(encoded)}
			pt.Errors = pt.Requests - pt.OK
			for class, name := range r.Classes() {
				if n := p.Classes[class]; n > 0 {
					pt.Classes[name] = n
				}
			}
			at := func(q float64) float64 { return format.Milliseconds(runner.Micros(h.ValueAtQuantile(q))) }
			pt.P50, pt.P95, pt.P99 = at(50), at(95), at(99)
			list = append(list, pt)
		}
		out.Endpoints[r.Endpoints[i].Name] = list
	}
	return out, nil
}

// counts are the counters of e, an endpoint of r or its total.
func counts(e *runner.EndpointStats, r *runner.Result) countsJSON {
	c := countsJSON{
		Requests:     e.Requests(),
		OK:           e.OK(),
		Errors:       e.Errors(),
		LockTimeouts: e.LockTimeouts(),
		Status503:    e.Status(503),
		Status:       map[string]int64{},
		Transport:    map[string]int64{},
		Classes:      map[string]int64{},
		Retries:      e.Retries,
		FirstAttempt: attemptsJSON{Classes: map[string]int64{}},
		Messages:     messagesOut(e.Messages, r),
		Reached:      e.Reached(),
	}
	c.ConnectFailures = connectFailuresOut(e)
	for _, code := range e.StatusCodes() {
		c.Status[strconv.Itoa(code)] = e.Statuses[code]
	}
	for _, kind := range e.TransportKinds() {
		c.Transport[kind.String()] = e.Transport[kind]
	}
	for class, name := range r.Classes() {
		c.Classes[name] = e.Classes[class]
		c.FirstAttempt.Classes[name] = e.FirstAttempt[class]
	}
	c.FirstAttempt.Requests, c.FirstAttempt.OK, c.FirstAttempt.Errors = e.FirstAttempts(), e.FirstAttempt[runner.ClassOK], e.FirstAttemptErrors()
	return c
}

// LatenciesOf sums up h, a histogram of microseconds; all zeros when h is
// empty.
func LatenciesOf(h *hdrhistogram.Histogram) Latencies {
	at := func(p float64) float64 { return format.Milliseconds(runner.Micros(h.ValueAtQuantile(p))) }
	return Latencies{
		Min:  format.Milliseconds(runner.Micros(h.Min())),
		Mean: h.Mean() / 1000,
		P50:  at(50),
		P90:  at(90),
		P95:  at(95),
		P99:  at(99),
		P999: at(99.9),
		Max:  format.Milliseconds(runner.Micros(h.Max())),
	}
}

func shardOut(s runner.Shard) *shardJSON {
	if s.Whole() {
		return nil
	}
	return &shardJSON{Index: s.Index, Count: s.Count}
}
