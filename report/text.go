package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// unverifiedNote says that a run's target was not verified, in every
// report.
const unverifiedNote = "the target's certificate was not verified (insecure TLS)"

// Text writes the human summary of r and its verdicts: the run, a latency
// table per endpoint, outcomes per endpoint, totals, then the SLOs. It fits
// 80 columns for endpoint names of up to 12 characters.
func Text(w io.Writer, r *runner.Result, verdicts []slo.Verdict) error {
	p := &printer{w: w}
	p.line("scenario   %s", r.Scenario)
	p.line("target     %s", r.Target)
	if r.TLSUnverified {
		p.line("           warning: %s", unverifiedNote)
	}
	p.line("load       %s", describeLoad(r))
	p.line("ran        %s from %s%s", r.Duration().Round(time.Millisecond), r.Started.Format(time.RFC3339), onCores(r))
	if r.Interrupted {
		p.line("           interrupted: the figures cover what ran before the signal")
	}
	if setup := setupSentence(r.Setup); setup != "" {
		wrapLabelled(p, "setup", setup)
	}
	if remote := UsersLeftAtTarget(r.Setup); remote != "" {
		wrapLabelled(p, "", "warning: "+remote)
	}
	p.line("")

	rows := append(append([]*runner.EndpointStats{}, r.Endpoints...), r.Total)
	p.keep(latencyTable(w, rows, func(e *runner.EndpointStats) *hdrhistogram.Histogram { return e.Latency }))
	if r.Load.Open {
		if p99Gap(r.Total) > serviceGap {
			p.line("")
			p.line("service time, from each request's actual send (the table above counts from")
			p.line("its intended start); the two differ by more than %.0f%% at p99: requests were", serviceGap*100)
			p.line("sent after their intended start (how late: the generator line below)")
			p.keep(latencyTable(w, rows, func(e *runner.EndpointStats) *hdrhistogram.Histogram { return e.Service }))
		}
	} else {
		p.line("note: closed model; latency is per worker and excludes queueing before the send")
	}
	p.line("")

	outcomes := newTable([]string{"endpoint", "503s", "lock timeouts", "statuses", "transport errors"}, 1, 2)
	for _, e := range rows {
		outcomes.add(e.Name, strconv.FormatInt(e.Status(503), 10), strconv.FormatInt(e.LockTimeouts(), 10), statusList(e), transportList(e))
	}
	p.keep(outcomes.write(w))
	p.line("")
	p.keep(scenarioClasses(w, r, rows))
	p.keep(retries(w, rows))
	p.keep(connectionTable(w, rows))
	p.keep(serverTables(w, r))
	textSession(p, w, r)

	t := r.Total
	p.line("total      %d request%s, %d ok, %d error%s (%s%%), %.1f req/s", t.Requests(), plural(t.Requests()),
		t.OK(), t.Errors(), plural(t.Errors()), format.Number(format.Percent(t.Errors(), t.Requests()), 2), r.RPS(t))
	if t.Clamped > 0 {
		p.line("           %d latencies above %s were recorded as %s", t.Clamped, maxLatency, maxLatency)
	}
	if r.ProtocolEvents > 0 {
		wrapLabelled(p, "", fmt.Sprintf("%d protocol event%s: bytes a server sent after an answer or unasked", r.ProtocolEvents, plural(r.ProtocolEvents)))
	}
	textConnectFailures(p, r)
	if r.Load.Open {
		textOpen(p, r) // its rate line gives the iterations' rate; their count is the arrivals not dropped
	} else if r.IterationsKnown() {
		p.line("iterations %d started, %.1f/s", r.Iterations, r.IterationRate())
	}
	textConnections(p, r)
	textMessages(p, r)
	if len(verdicts) > 0 {
		p.line("")
		p.line("SLOs")
		p.keep(Verdicts(w, verdicts))
	}
	return p.err
}

// textOpen writes the open model's lines: the rate asked for and achieved,
// the arrivals dropped and why, the generator's lateness, and a warning
// when the generator or the worker pool limited the run.
func textOpen(p *printer, r *runner.Result) {
	achieved := "achieved " + format.Rate(r.IterationRate()) + "/s"
	if !r.IterationsKnown() {
		achieved = "achieved " + format.Rate(r.RPS(r.Total)) + " req/s"
	}
	p.line("rate       target %s iterations/s, %s", format.Rate(r.TargetRate()), achieved)
	p.line("           %d of %d arrivals dropped (%s%%)", r.Dropped, r.Arrivals, format.Number(format.Percent(r.Dropped, r.Arrivals), 2))
	if causes := dropCauses(r); causes != "" {
		wrapLabelled(p, "", causes)
	}
	if len(r.Parts) == 0 {
		p.line("workers    peak %d of at most %d", r.PeakWorkers, r.Load.PoolCap())
	} else {
		p.line("workers    peak %d", r.PeakWorkers) // of runs at once; the cap is each run's
	}
	if late := lateness(r); late != "" {
		p.line("generator  late by %s", late)
	}
	if w := generatorWarning(r); w != "" {
		p.line("warning    %s", w)
		p.line("           %s", generatorMeaning)
	}
	if w := poolWarning(r); w != "" {
		wrapLabelled(p, "warning", w)
	}
}

// Verdicts writes one line per SLO: PASS or FAIL, the expression and the
// reason. It is all that --quiet prints.
func Verdicts(w io.Writer, verdicts []slo.Verdict) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range verdicts {
		mark := "PASS"
		if !v.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", mark, v.SLO.Expr, v.Reason)
	}
	return tw.Flush()
}

var maxLatency = time.Duration(runner.LatencyHighest) * time.Microsecond

// printer writes lines and keeps the first write error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// keep records err unless an earlier error was recorded.
func (p *printer) keep(err error) {
	if p.err == nil {
		p.err = err
	}
}

// onCores says how many cores the run could use, of its machine's: " on 1
// of 2 cores"; "" when the result does not say.
func onCores(r *runner.Result) string {
	if r.CPUs == 0 {
		return ""
	}
	return fmt.Sprintf(" on %d of %d cores", r.CPUs, r.MachineCPUs)
}

// describeLoad says what load r ran: a shard's part of it, the whole of a
// sharded run, or each of merged runs.
func describeLoad(r *runner.Result) string {
	load := LoadText(r.Load)
	if !r.Load.Shard.Whole() {
		load = fmt.Sprintf("shard %s of %s", r.Load.Shard, load)
	}
	switch runs := len(r.Parts); {
	case runs > 1 && r.Load.Shard.Whole() && r.Identity.RunID != "":
		return fmt.Sprintf("%s, in %d shards", load, runs)
	case runs > 1:
		return fmt.Sprintf("%d runs, each %s", runs, load)
	}
	return load
}

// LoadText says what load l asks for: "closed, 5 workers, 31 iterations".
func LoadText(l runner.Load) string {
	parts := []string{fmt.Sprintf("%s, %d worker%s", l.Model(), l.Concurrency, plural(l.Concurrency))}
	if !l.Open && len(l.Stages) > 0 {
		parts[0] = fmt.Sprintf("closed, from %d worker%s", l.Concurrency, plural(l.Concurrency))
	}
	if l.Open {
		parts = []string{fmt.Sprintf("open, %s/s, up to %d worker%s", format.Number(l.Rate, 2), l.MaxWorkers, plural(l.MaxWorkers))}
		if len(l.Stages) > 0 {
			parts[0] = fmt.Sprintf("open, up to %d worker%s", l.MaxWorkers, plural(l.MaxWorkers))
		}
	}
	if len(l.Stages) > 0 {
		parts = append(parts, "stages "+strings.Join(runner.StageStrings(l.Stages), ","))
	}
	if l.Iterations > 0 {
		parts = append(parts, fmt.Sprintf("%d iteration%s", l.Iterations, plural(int(min(l.Iterations, 2)))))
	}
	if l.Duration > 0 {
		parts = append(parts, "for "+l.Duration.String())
	}
	if l.Pause > 0 {
		parts = append(parts, l.Pause.String()+" pause")
	}
	return strings.Join(parts, ", ")
}

func plural[N int | int64](n N) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// serviceGap is how far service time may fall below response time at p99
// before the summary shows it too.
const serviceGap = 0.05

// p99Gap is how far e's service time p99 falls below its response time p99,
// as a fraction of the latter.
func p99Gap(e *runner.EndpointStats) float64 {
	response, service := e.Latency.ValueAtQuantile(99), e.Service.ValueAtQuantile(99)
	if response == 0 {
		return 0
	}
	return float64(response-service) / float64(response)
}

// latencyTable writes requests, ok, errors and min/p50/p90/p95/p99/max of the
// histogram of each row that pick chooses.
func latencyTable(w io.Writer, rows []*runner.EndpointStats, pick func(*runner.EndpointStats) *hdrhistogram.Histogram) error {
	// The empty first column indents the table by two spaces.
	t := newTable([]string{"", "endpoint", "reqs", "ok", "errors", "min", "p50", "p90", "p95", "p99", "max"}, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	for _, e := range rows {
		h := pick(e)
		cells := []string{"", e.Name, strconv.FormatInt(e.Requests(), 10), strconv.FormatInt(e.OK(), 10), strconv.FormatInt(e.Errors(), 10),
			"-", "-", "-", "-", "-", "-"}
		if h.TotalCount() > 0 {
			for i, v := range []int64{h.Min(), h.ValueAtQuantile(50), h.ValueAtQuantile(90), h.ValueAtQuantile(95), h.ValueAtQuantile(99), h.Max()} {
				cells[5+i] = FormatLatency(runner.Micros(v))
			}
		}
		t.add(cells...)
	}
	return t.write(w)
}

// scenarioClasses writes, for a run with responses of extract_failed or of
// a scenario's own classes, a table of them by endpoint.
func scenarioClasses(w io.Writer, r *runner.Result, rows []*runner.EndpointStats) error {
	names := r.Classes()
	cells := make([]string, len(rows))
	found := false
	for i, e := range rows {
		var parts []string
		for class := int(runner.ClassExtractFailed); class < len(names); class++ {
			if n := e.Classes[class]; n > 0 {
				parts = append(parts, names[class]+":"+strconv.FormatInt(n, 10))
			}
		}
		cells[i], found = orDash(parts), found || len(parts) > 0
	}
	if !found {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "endpoint\tfailed extractions and scenario classes")
	for i, e := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", e.Name, cells[i])
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

// retries writes, for a run that retried, a table of retries by endpoint
// and of the first attempts alone: the errors retries made up for.
func retries(w io.Writer, rows []*runner.EndpointStats) error {
	attempts := retryRows(rows)
	if attempts == nil {
		return nil
	}
	t := newTable([]string{"endpoint", "retries", "first attempts", "of them errors"}, 1, 2, 3)
	for _, a := range attempts {
		t.add(a.name, strconv.FormatInt(a.retries, 10), strconv.FormatInt(a.requests, 10), fmt.Sprintf("%d (%s%%)", a.errors, format.Number(a.errorRate(), 2)))
	}
	if err := t.write(w); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, "every attempt counts in the tables above; first attempts are what a client\n"+
		"that never retries would have seen\n\n")
	return err
}

// statusList writes the status counts in code order: "200:97 503:3".
func statusList(e *runner.EndpointStats) string {
	var parts []string
	for _, code := range e.StatusCodes() {
		parts = append(parts, strconv.Itoa(code)+":"+strconv.FormatInt(e.Statuses[code], 10))
	}
	return orDash(parts)
}

// transportList writes the transport errors by kind: "refused:3 timeout:1".
func transportList(e *runner.EndpointStats) string {
	var parts []string
	for _, kind := range e.TransportKinds() {
		parts = append(parts, kind.String()+":"+strconv.FormatInt(e.Transport[kind], 10))
	}
	return orDash(parts)
}

func orDash(parts []string) string {
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
