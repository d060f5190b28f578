package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// HTML writes r and its verdicts as one self-contained HTML5 page: the SLO
// verdicts first, then charts of latency percentiles, throughput and errors
// over time and of the latency distribution as a percentile spectrum, a
// table per endpoint (and, when the run retried, of each endpoint's retries
// and first attempts; when requests failed, of their messages) and the
// run's settings. The page opens offline: it has no script and refers to
// nothing outside itself (its Content-Security-Policy forbids it), and its
// charts are inline SVG drawn here from r.
func HTML(w io.Writer, r *runner.Result, verdicts []slo.Verdict) error {
	page, err := newHTMLPage(r, verdicts)
	if err != nil {
		return err
	}
	return htmlTemplate.Execute(w, page)
}

// htmlPage is what the template shows; every string in it is plain text,
// which the template escapes.
type htmlPage struct {
	Scenario    string
	Subtitle    string
	Interrupted bool
	Banner      htmlBanner
	Verdicts    []htmlVerdict
	Figures     []htmlFigure
	Latency     *chartView
	LatencyNote string
	Throughput  *chartView
	Errors      *chartView
	Spectrum    *chartView
	Endpoints   []htmlEndpointRow
	Retries     []htmlRetryRow // none when the run made no retry
	Messages    []htmlMessageRow
	Settings    []htmlSetting
}

// htmlBanner is the overall SLO verdict: Class is "pass", "fail" or "none".
type htmlBanner struct {
	Class, Word, Text string
}

type htmlVerdict struct {
	Expr, Actual, Threshold, Reason string
	Pass                            bool
}

// htmlFigure is one of the headline numbers under the banner.
type htmlFigure struct {
	Label, Value string
}

type htmlEndpointRow struct {
	Name                    string
	Total                   bool
	Requests, OK, Errors    string
	Classes, Statuses       []string
	P50, P90, P95, P99, Max string
	RPS                     string
	ErrorClass              string // "errors" when the row has any
}

// htmlRetryRow is an endpoint's retries and its first attempts alone.
type htmlRetryRow struct {
	Name                   string
	Total                  bool
	Retries, First, Errors string
	ErrorClass             string // "errors" when the first attempts had any
}

// htmlMessageRow is one failure message of an endpoint.
type htmlMessageRow struct {
	Endpoint, Class, Requests, Message string
}

type htmlSetting struct {
	Key, Value string
}

func newHTMLPage(r *runner.Result, verdicts []slo.Verdict) (*htmlPage, error) {
	t := r.Total
	p := &htmlPage{
		Scenario:    r.Scenario,
		Interrupted: r.Interrupted,
		Subtitle: fmt.Sprintf("%s · started %s · ran %s", r.Target, r.Started.Format(time.RFC3339),
			r.Duration().Round(time.Millisecond)),
	}
	p.Banner, p.Verdicts = htmlVerdicts(verdicts)
	p.Figures = []htmlFigure{
		{"requests", groupDigits(t.Requests())},
		{"errors", groupDigits(t.Errors()) + " (" + format.Number(format.Percent(t.Errors(), t.Requests()), 2) + "%)"},
		{"p50", htmlLatency(t.Latency, 50)},
		{"p95", htmlLatency(t.Latency, 95)},
		{"p99", htmlLatency(t.Latency, 99)},
		{"max", htmlLatency(t.Latency, 100)},
		{"throughput", format.Number(r.RPS(t), 1) + " req/s"},
	}
	tl, err := newHTMLTimeline(r)
	if err != nil {
		return nil, err
	}
	p.Latency, p.Throughput, p.Errors = latencyChart(r, tl), throughputChart(r, tl), errorsChart(r, tl)
	p.Spectrum = spectrumChart(r)
	if r.Load.Open {
		p.LatencyNote = "Open model: latency counts from each request's intended start, so time spent waiting for a free worker is included."
	} else {
		p.LatencyNote = "Closed model: latency counts from each request's send and excludes any queueing before it."
	}
	rows := append(append([]*runner.EndpointStats{}, r.Endpoints...), t)
	for _, e := range rows {
		p.Endpoints = append(p.Endpoints, htmlEndpoint(r, e, e == t))
	}
	p.Retries = htmlRetries(rows)
	for _, e := range r.Endpoints {
		for _, m := range e.TopMessages(len(e.Messages)) {
			p.Messages = append(p.Messages, htmlMessageRow{Endpoint: e.Name, Class: messageLabel(r, m),
				Requests: groupDigits(m.Count), Message: m.Text})
		}
	}
	p.Settings = htmlSettings(r, tl)
	return p, nil
}

func htmlVerdicts(verdicts []slo.Verdict) (htmlBanner, []htmlVerdict) {
	var rows []htmlVerdict
	for _, v := range verdicts {
		row := htmlVerdict{Expr: v.SLO.Expr, Actual: "–", Pass: v.Pass, Reason: v.Reason,
			Threshold: v.SLO.Op.String() + " " + v.SLO.Format(v.SLO.Threshold)}
		if !v.NoSamples {
			row.Actual = v.SLO.Format(v.Actual)
		}
		rows = append(rows, row)
	}
	tally := Count(verdicts)
	switch {
	case len(verdicts) == 0:
		return htmlBanner{"none", "NO SLOs", "no SLOs were given: nothing was judged"}, nil
	case !tally.Failed():
		return htmlBanner{"pass", "PASS", tally.String()}, rows
	default:
		return htmlBanner{"fail", "FAIL", tally.String()}, rows
	}
}

func htmlEndpoint(r *runner.Result, e *runner.EndpointStats, total bool) htmlEndpointRow {
	row := htmlEndpointRow{
		Name: e.Name, Total: total,
		Requests: groupDigits(e.Requests()), OK: groupDigits(e.OK()),
		Errors: groupDigits(e.Errors()) + " (" + format.Number(format.Percent(e.Errors(), e.Requests()), 2) + "%)",
		P50:    htmlLatency(e.Latency, 50), P90: htmlLatency(e.Latency, 90), P95: htmlLatency(e.Latency, 95),
		P99: htmlLatency(e.Latency, 99), Max: htmlLatency(e.Latency, 100),
		RPS: format.Number(r.RPS(e), 1),
	}
	if e.Errors() > 0 {
		row.ErrorClass = "errors"
	}
	var classes []string
	for class, name := range r.Classes() {
		if n := e.Classes[class]; n > 0 && class != int(runner.ClassOK) {
			classes = append(classes, name+" "+groupDigits(n))
		}
	}
	row.Classes = orDashList(classes)
	var statuses []string
	for _, code := range e.StatusCodes() {
		statuses = append(statuses, strconv.Itoa(code)+": "+groupDigits(e.Statuses[code]))
	}
	for _, kind := range e.TransportKinds() {
		statuses = append(statuses, kind.String()+": "+groupDigits(e.Transport[kind]))
	}
	row.Statuses = orDashList(statuses)
	return row
}

// htmlRetries returns, for a run that retried, a row per entry of rows (the
// endpoints, then the total) with its retries and first attempts.
func htmlRetries(rows []*runner.EndpointStats) []htmlRetryRow {
	attempts := retryRows(rows)
	var out []htmlRetryRow
	for i, a := range attempts {
		row := htmlRetryRow{Name: a.name, Total: i == len(attempts)-1, Retries: groupDigits(a.retries), First: groupDigits(a.requests),
			Errors: groupDigits(a.errors) + " (" + format.Number(a.errorRate(), 2) + "%)"}
		if a.errors > 0 {
			row.ErrorClass = "errors"
		}
		out = append(out, row)
	}
	return out
}

func orDashList(items []string) []string {
	if len(items) == 0 {
		return []string{"–"}
	}
	return items
}

func htmlSettings(r *runner.Result, tl *htmlTimeline) []htmlSetting {
	s := []htmlSetting{
		{"scenario", r.Scenario},
		{"target", r.Target},
		{"load", describeLoad(r)},
		{"model", r.Load.Model()},
		{"started", r.Started.Format(time.RFC3339)},
		{"ended", r.Ended.Format(time.RFC3339)},
		{"duration", r.Duration().Round(time.Millisecond).String()},
		{"peak workers", strconv.Itoa(r.PeakWorkers)},
	}
	if r.CPUs > 0 {
		s = append(s, htmlSetting{"cores", fmt.Sprintf("%d of %d", r.CPUs, r.MachineCPUs)})
	}
	if r.Load.Open {
		s = append(s, htmlSetting{"target rate", format.Number(r.TargetRate(), 2) + " iterations/s"})
		if r.IterationsKnown() {
			s = append(s, htmlSetting{"achieved iterations", format.Number(r.IterationRate(), 2) + " iterations/s"})
		}
		s = append(s,
			htmlSetting{"achieved rate", format.Number(r.RPS(r.Total), 2) + " req/s"},
			htmlSetting{"arrivals", groupDigits(r.Arrivals)},
			htmlSetting{"dropped", groupDigits(r.Dropped) + " (" + format.Number(format.Percent(r.Dropped, r.Arrivals), 2) + "% of arrivals)"})
		if causes := dropCauses(r); causes != "" {
			s = append(s, htmlSetting{"why dropped", causes})
		}
		if late := lateness(r); late != "" {
			s = append(s, htmlSetting{"generator lateness", late})
		}
		if w := generatorWarning(r); w != "" {
			s = append(s, htmlSetting{"generator limited", w + "; " + generatorMeaning})
		}
		if w := poolWarning(r); w != "" {
			s = append(s, htmlSetting{"pool limited", w})
		}
	}
	if c := connectSentence(r.Total); c != "" {
		s = append(s, htmlSetting{"connections", c})
	}
	if tl != nil {
		s = append(s, htmlSetting{"chart interval", tl.interval.String()})
	}
	if r.Total.Clamped > 0 {
		s = append(s, htmlSetting{"clamped", fmt.Sprintf("%s latencies above %s were recorded as %s", groupDigits(r.Total.Clamped), maxLatency, maxLatency)})
	}
	if r.Interrupted {
		s = append(s, htmlSetting{"interrupted", "yes: the figures cover what ran before the signal"})
	}
	if r.TLSUnverified {
		s = append(s, htmlSetting{"unverified", "yes: " + unverifiedNote})
	}
	if setup := setupSentence(r.Setup); setup != "" {
		s = append(s, htmlSetting{"setup", setup})
	}
	if remote := UsersLeftAtTarget(r.Setup); remote != "" {
		s = append(s, htmlSetting{"users left at the target", remote})
	}
	if r.Server != nil {
		for _, n := range serverNotes(r.Server) {
			s = append(s, htmlSetting{"server warning", n})
		}
		for _, row := range serverOperations(r.Server) {
			s = append(s, htmlSetting{"server " + row[0], fmt.Sprintf("locked %s, wait p95 %s, p99 %s, hold p95 %s, p99 %s, lock timeouts %s",
				row[1], row[2], row[3], row[4], row[5], row[6])})
		}
		for _, row := range serverEndpoints(r) {
			s = append(s, htmlSetting{"server p95 " + row[0], row[2] + " (client " + row[1] + ")"})
		}
	}
	if session := sessionSentence(r.Session); session != "" {
		s = append(s, htmlSetting{"sessions", session})
	}
	return s
}

// htmlLatency is h's value at percentile p (100: the max), or "–" when h is
// empty.
func htmlLatency(h *hdrhistogram.Histogram, p float64) string {
	if h.TotalCount() == 0 {
		return "–"
	}
	if p >= 100 {
		return FormatLatency(runner.Micros(h.Max()))
	}
	return FormatLatency(runner.Micros(h.ValueAtQuantile(p)))
}

// groupDigits writes n with thin spaces between groups of three digits from
// 10 000 up: 9999, 12 345.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 10000 && n > -10000 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// htmlTemplate renders an htmlPage; px writes a chart's coordinate.
var htmlTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"px": chartCoord,
}).Parse(htmlPageText))

// htmlPageText is the page, its CSS and its SVG charts: html.tmpl.
//
//go:embed html.tmpl
var htmlPageText string
