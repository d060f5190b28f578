package report

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// Schema names the version of the result JSON.
const Schema = "loadgate.result/v1"

// resultJSON is the result file (DESIGN §4.5). Field names are a contract:
// add fields, never rename or remove one.
type resultJSON struct {
	Schema      string                  `json:"schema"`
	Passed      bool                    `json:"passed"`
	Interrupted bool                    `json:"interrupted"`
	Scenario    string                  `json:"scenario"`
	Target      string                  `json:"target"`
	StartedAt   time.Time               `json:"started_at"`
	EndedAt     time.Time               `json:"ended_at"`
	DurationS   float64                 `json:"duration_s"`
	Load        loadJSON                `json:"load"`
	Totals      totalsJSON              `json:"totals"`
	Endpoints   map[string]endpointJSON `json:"endpoints"`
	SLOs        []verdictJSON           `json:"slos"`
}

type loadJSON struct {
	Model       string  `json:"model"`
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate"`
	DurationS   float64 `json:"duration_s"`
	Iterations  int64   `json:"iterations"`
	PauseS      float64 `json:"pause_s"`
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
}

type totalsJSON struct {
	countsJSON
	Dropped int64   `json:"dropped"`
	RPS     float64 `json:"rps"`
}

type endpointJSON struct {
	countsJSON
	RPS       float64     `json:"rps"`
	LatencyMS latencyJSON `json:"latency_ms"`
	// Histogram is the latency HdrHistogram in microseconds, V2 compressed
	// and base64-encoded, so that results merge exactly.
	Histogram     string `json:"histogram"`
	HistogramUnit string `json:"histogram_unit"`
	Clamped       int64  `json:"clamped"`
}

type latencyJSON struct {
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
	Expr      string  `json:"expr"`
	Actual    float64 `json:"actual"`
	Threshold float64 `json:"threshold"`
	Unit      Unit    `json:"unit"`
	Pass      bool    `json:"pass"`
	Reason    string  `json:"reason"`
}

// JSON renders r and its verdicts as the result file, indented.
func JSON(r *runner.Result, verdicts []Verdict) ([]byte, error) {
	out := resultJSON{
		Schema:      Schema,
		Passed:      Passed(verdicts),
		Interrupted: r.Interrupted,
		Scenario:    r.Scenario,
		Target:      r.Target,
		StartedAt:   r.Started.UTC(),
		EndedAt:     r.Ended.UTC(),
		DurationS:   r.Duration().Seconds(),
		Load: loadJSON{
			Model:       r.Load.Model(),
			Concurrency: r.Load.Concurrency,
			DurationS:   r.Load.Duration.Seconds(),
			Iterations:  r.Load.Iterations,
			PauseS:      r.Load.Pause.Seconds(),
		},
		Totals:    totalsJSON{countsJSON: counts(r.Total), Dropped: r.Dropped, RPS: r.RPS(r.Total)},
		Endpoints: map[string]endpointJSON{},
		SLOs:      []verdictJSON{},
	}
	for _, e := range r.Endpoints {
		hist, err := e.Latency.EncodeV2()
		if err != nil {
			return nil, err
		}
		out.Endpoints[e.Name] = endpointJSON{
			countsJSON:    counts(e),
			RPS:           r.RPS(e),
			LatencyMS:     latencies(e),
			Histogram:     string(hist),
			HistogramUnit: "us",
			Clamped:       e.Clamped,
		}
	}
	for _, v := range verdicts {
		out.SLOs = append(out.SLOs, verdictJSON{Expr: v.SLO.Expr, Actual: v.Actual, Threshold: v.SLO.Threshold,
			Unit: v.SLO.Unit, Pass: v.Pass, Reason: v.Reason})
	}
	return json.MarshalIndent(out, "", "  ")
}

func counts(e *runner.EndpointStats) countsJSON {
	c := countsJSON{
		Requests:     e.Requests(),
		OK:           e.OK(),
		Errors:       e.Errors(),
		LockTimeouts: e.LockTimeouts(),
		Status503:    e.Status(503),
		Status:       map[string]int64{},
		Transport:    map[string]int64{},
		Classes:      map[string]int64{},
	}
	for _, code := range e.StatusCodes() {
		c.Status[strconv.Itoa(code)] = e.Statuses[code]
	}
	for _, kind := range e.TransportKinds() {
		c.Transport[kind.String()] = e.Transport[kind]
	}
	for class, n := range e.Classes {
		c.Classes[runner.Class(class).String()] = n
	}
	return c
}

func latencies(e *runner.EndpointStats) latencyJSON {
	return latencyJSON{
		Min:  milliseconds(e.Min()),
		Mean: milliseconds(e.Mean()),
		P50:  milliseconds(e.Percentile(50)),
		P90:  milliseconds(e.Percentile(90)),
		P95:  milliseconds(e.Percentile(95)),
		P99:  milliseconds(e.Percentile(99)),
		P999: milliseconds(e.Percentile(99.9)),
		Max:  milliseconds(e.Max()),
	}
}
