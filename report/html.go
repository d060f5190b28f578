package report

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
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
func HTML(w io.Writer, r *runner.Result, verdicts []Verdict) error {
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

func newHTMLPage(r *runner.Result, verdicts []Verdict) (*htmlPage, error) {
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
		{"errors", groupDigits(t.Errors()) + " (" + trimmed(percentOrZero(t.Errors(), t.Requests()), 2) + "%)"},
		{"p50", htmlLatency(t.Latency, 50)},
		{"p95", htmlLatency(t.Latency, 95)},
		{"p99", htmlLatency(t.Latency, 99)},
		{"max", htmlLatency(t.Latency, 100)},
		{"throughput", trimmed(r.RPS(t), 1) + " req/s"},
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
			p.Messages = append(p.Messages, htmlMessageRow{Endpoint: e.Name, Class: messageLabel(r.Classes(), m),
				Requests: groupDigits(m.Count), Message: m.Text})
		}
	}
	p.Settings = htmlSettings(r, tl)
	return p, nil
}

func htmlVerdicts(verdicts []Verdict) (htmlBanner, []htmlVerdict) {
	var rows []htmlVerdict
	for _, v := range verdicts {
		row := htmlVerdict{Expr: v.SLO.Expr, Actual: "–", Pass: v.Pass, Reason: v.Reason,
			Threshold: v.SLO.Op.String() + " " + v.SLO.format(v.SLO.Threshold)}
		if !v.NoSamples {
			row.Actual = v.SLO.format(v.Actual)
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
		Errors: groupDigits(e.Errors()) + " (" + trimmed(percentOrZero(e.Errors(), e.Requests()), 2) + "%)",
		P50:    htmlLatency(e.Latency, 50), P90: htmlLatency(e.Latency, 90), P95: htmlLatency(e.Latency, 95),
		P99: htmlLatency(e.Latency, 99), Max: htmlLatency(e.Latency, 100),
		RPS: trimmed(r.RPS(e), 1),
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
			Errors: groupDigits(a.errors) + " (" + trimmed(a.errorRate(), 2) + "%)"}
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
		{"load", describeLoad(r.Load)},
		{"model", r.Load.Model()},
		{"started", r.Started.Format(time.RFC3339)},
		{"ended", r.Ended.Format(time.RFC3339)},
		{"duration", r.Duration().Round(time.Millisecond).String()},
		{"peak workers", strconv.Itoa(r.PeakWorkers)},
	}
	if r.Load.Open {
		s = append(s,
			htmlSetting{"target rate", trimmed(r.TargetRate(), 2) + " arrivals/s"},
			htmlSetting{"achieved rate", trimmed(r.RPS(r.Total), 2) + " req/s"},
			htmlSetting{"arrivals", groupDigits(r.Arrivals)},
			htmlSetting{"dropped", groupDigits(r.Dropped) + " (" + trimmed(percentOrZero(r.Dropped, r.Arrivals), 2) + "% of arrivals)"})
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

// ---- the time series on a grid ----

var htmlTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"px": chartCoord,
}).Parse(htmlPageText))

const htmlPageText = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="loadgate">
<title>loadgate report: {{.Scenario}}</title>
<style>
:root { color-scheme: light; }
body { margin: 0; background: #f4f5f7; color: #1d2330; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
main { max-width: 1060px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; word-break: break-word; }
h2 { font-size: 19px; margin: 0 0 12px; }
.subtitle { color: #4a5263; margin: 0 0 18px; word-break: break-all; }
section { background: #fff; border: 1px solid #d9dce3; border-radius: 8px; padding: 16px 20px; margin: 0 0 16px; }
.banner { display: flex; align-items: baseline; gap: 16px; padding: 14px 20px; border-radius: 8px; margin: 0 0 16px; color: #fff; }
.banner strong { font-size: 28px; letter-spacing: .04em; }
.banner span { font-size: 18px; }
.banner.pass { background: #1b7a3d; }
.banner.fail { background: #b3261e; }
.banner.none { background: #5b6372; }
.interrupted { background: #fff4d6; border: 1px solid #e0b84a; border-radius: 6px; padding: 8px 12px; margin: 0 0 16px; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 0 0 16px; }
.figure { flex: 1 1 auto; background: #f4f5f7; border-radius: 6px; padding: 8px 14px; white-space: nowrap; }
.figure .label { display: block; color: #4a5263; font-size: 13px; }
.figure .value { display: block; font-size: 19px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e3e5ea; vertical-align: top; }
th { font-size: 13px; color: #4a5263; font-weight: 600; border-bottom: 2px solid #c9ccd4; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.name { word-break: break-word; font-weight: 600; min-width: 8em; }
h3 { font-size: 16px; margin: 22px 0 8px; }
.item { display: inline-block; white-space: nowrap; margin: 0 14px 0 0; }
td.expr { font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-word; }
tr.total td { font-weight: 700; border-top: 2px solid #c9ccd4; }
td.errors { color: #b3261e; }
.mark { display: inline-block; min-width: 3.2em; text-align: center; border-radius: 4px; font-weight: 700; color: #fff; padding: 0 6px; }
.mark.pass { background: #1b7a3d; }
.mark.fail { background: #b3261e; }
.small { font-size: 13px; }
.note { color: #4a5263; font-size: 13px; margin: 8px 0 0; }
svg.chart { display: block; width: 100%; max-width: 1000px; height: auto; margin: 0 0 6px; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
svg.chart .chart-title { font-size: 17px; font-weight: 700; fill: #1d2330; }
svg.chart .panel-title { font-size: 14px; font-weight: 600; fill: #1d2330; }
svg.chart .legend text { font-size: 13px; fill: #1d2330; }
svg.chart .tick { font-size: 12px; fill: #4a5263; }
svg.chart .axis-label { font-size: 13px; fill: #1d2330; }
svg.chart .plot { fill: #fff; stroke: #9aa0ac; }
svg.chart .grid line { stroke: #e6e8ec; }
svg.chart .line { fill: none; stroke-linejoin: round; stroke-linecap: round; }
svg.chart circle.point { stroke: #fff; stroke-width: 1; }
svg.chart circle.point:hover { stroke: #1d2330; stroke-width: 2; }
.nodata { border: 1px dashed #c9ccd4; border-radius: 6px; padding: 18px 20px; margin: 0 0 16px; }
.nodata h3 { margin: 0 0 4px; font-size: 16px; }
.nodata p { margin: 0; color: #4a5263; }
dl.settings { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 6px 20px; margin: 0; }
dl.settings dt { color: #4a5263; }
dl.settings dd { margin: 0; word-break: break-word; }
</style>
</head>
<body>
<main>
<h1>loadgate report: {{.Scenario}}</h1>
<p class="subtitle">{{.Subtitle}}</p>

<section id="slos">
<h2>SLO verdicts</h2>
<div class="banner {{.Banner.Class}}" id="verdict"><strong>{{.Banner.Word}}</strong><span>{{.Banner.Text}}</span></div>
{{- if .Interrupted}}
<p class="interrupted">The run was interrupted: the figures cover what ran before the signal.</p>
{{- end}}
<div class="figures">{{range .Figures}}<div class="figure"><span class="label">{{.Label}}</span><span class="value">{{.Value}}</span></div>{{end}}</div>
{{- if .Verdicts}}
<table id="slo-table">
<thead><tr><th>SLO</th><th class="num">actual</th><th class="num">threshold</th><th>result</th><th>reason</th></tr></thead>
<tbody>
{{- range .Verdicts}}
<tr class="{{if .Pass}}pass{{else}}fail{{end}}"><td class="expr">{{.Expr}}</td><td class="num">{{.Actual}}</td><td class="num">{{.Threshold}}</td><td>{{if .Pass}}<span class="mark pass">PASS</span>{{else}}<span class="mark fail">FAIL</span>{{end}}</td><td>{{.Reason}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
</section>

<section id="latency" aria-label="Latency over time">
{{template "chart" .Latency}}
<p class="note">{{.LatencyNote}} Each point is one interval; hover over it for its figures.</p>
</section>

<section id="throughput" aria-label="Throughput and errors over time">
{{template "chart" .Throughput}}
{{template "chart" .Errors}}
</section>

<section id="spectrum" aria-label="Latency distribution">
{{template "chart" .Spectrum}}
<p class="note">Read across: the latency that a share of requests stayed within. The right side shows the slowest requests; the curve flattens at each endpoint's maximum.</p>
</section>

<section id="endpoints">
<h2>Endpoints</h2>
<table id="endpoint-table">
<thead><tr><th>endpoint</th><th class="num">requests</th><th class="num">ok</th><th class="num">errors</th><th class="num">p50</th><th class="num">p90</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th><th class="num">req/s</th></tr></thead>
<tbody>
{{- range .Endpoints}}
<tr{{if .Total}} class="total"{{end}}><td class="name">{{.Name}}</td><td class="num">{{.Requests}}</td><td class="num">{{.OK}}</td><td class="num {{.ErrorClass}}">{{.Errors}}</td><td class="num">{{.P50}}</td><td class="num">{{.P90}}</td><td class="num">{{.P95}}</td><td class="num">{{.P99}}</td><td class="num">{{.Max}}</td><td class="num">{{.RPS}}</td></tr>
{{- end}}
</tbody>
</table>
<h3>Outcomes</h3>
<table id="outcome-table">
<thead><tr><th>endpoint</th><th>errors by outcome class</th><th>responses by status, transport errors by kind</th></tr></thead>
<tbody>
{{- range .Endpoints}}
<tr{{if .Total}} class="total"{{end}}><td class="name">{{.Name}}</td><td>{{range .Classes}}<span class="item">{{.}}</span> {{end}}</td><td>{{range .Statuses}}<span class="item">{{.}}</span> {{end}}</td></tr>
{{- end}}
</tbody>
</table>
<p class="note">Latency counts every request, failed ones too. Percentiles are from HdrHistograms of 3 significant digits.</p>
{{- if .Messages}}
<h3>Why requests failed</h3>
<table id="message-table">
<thead><tr><th>endpoint</th><th>class</th><th class="num">requests</th><th>message</th></tr></thead>
<tbody>
{{- range .Messages}}
<tr><td class="name">{{.Endpoint}}</td><td>{{.Class}}</td><td class="num">{{.Requests}}</td><td class="expr">{{.Message}}</td></tr>
{{- end}}
</tbody>
</table>
<p class="note">The first few distinct messages of each class per endpoint; the requests of a class beyond them are in its count alone.</p>
{{- end}}
{{- if .Retries}}
<h3>Retries</h3>
<table id="retry-table">
<thead><tr><th>endpoint</th><th class="num">retries</th><th class="num">first attempts</th><th class="num">of them errors</th></tr></thead>
<tbody>
{{- range .Retries}}
<tr{{if .Total}} class="total"{{end}}><td class="name">{{.Name}}</td><td class="num">{{.Retries}}</td><td class="num">{{.First}}</td><td class="num {{.ErrorClass}}">{{.Errors}}</td></tr>
{{- end}}
</tbody>
</table>
<p class="note">Every attempt counts in the tables above; first attempts are what a client that never retries would have seen.</p>
{{- end}}
</section>

<section id="settings">
<h2>Run settings</h2>
<dl class="settings">
{{- range .Settings}}
<dt>{{.Key}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
</section>
</main>
</body>
</html>
{{define "chart"}}
{{- if .NoData}}<div class="chart nodata" id="{{.ID}}"><h3>{{.Title}}</h3><p>{{.NoData}}</p></div>
{{- else}}<svg class="chart" id="{{.ID}}" viewBox="0 0 {{px .W}} {{px .H}}" width="{{px .W}}" height="{{px .H}}" role="img" aria-label="{{.Title}}">
<text class="chart-title" x="{{px .TitleX}}" y="{{px .TitleY}}">{{.Title}}</text>
<g class="legend">
{{- range .Legend}}
<g class="legend-item"><line x1="{{px .X1}}" y1="{{px .LineY}}" x2="{{px .X2}}" y2="{{px .LineY}}" stroke="{{.Colour}}" stroke-width="{{px .Width}}"{{if .Dash}} stroke-dasharray="{{.Dash}}"{{end}}/><text x="{{px .TextX}}" y="{{px .Y}}">{{.Label}}<title>{{.Full}}</title></text></g>
{{- end}}
</g>
{{- range .Panels}}
<g class="panel">
{{- if .Title}}
<text class="panel-title" x="{{px .TitleX}}" y="{{px .TitleY}}">{{.Title}}</text>
{{- end}}
<rect class="plot" x="{{px .Left}}" y="{{px .Top}}" width="{{px .W}}" height="{{px .H}}"/>
<g class="grid">
{{- range .YTicks}}{{if .Grid}}
<line x1="{{px .X1}}" y1="{{px .Y1}}" x2="{{px .X2}}" y2="{{px .Y2}}"/>
{{- end}}{{end}}
{{- range .XTicks}}{{if .Grid}}
<line x1="{{px .X1}}" y1="{{px .Y1}}" x2="{{px .X2}}" y2="{{px .Y2}}"/>
{{- end}}{{end}}
</g>
<g class="tick y-tick" text-anchor="end">
{{- range .YTicks}}
<text x="{{px .LX}}" y="{{px .LY}}">{{.Label}}</text>
{{- end}}
</g>
<g class="tick x-tick" text-anchor="middle">
{{- range .XTicks}}
<text x="{{px .LX}}" y="{{px .LY}}">{{.Label}}</text>
{{- end}}
</g>
<text class="axis-label y-label" x="{{px .YLabelX}}" y="{{px .YLabelY}}" transform="{{.YTransform}}" text-anchor="middle">{{.YLabel}}</text>
{{- range .Lines}}
<g class="series">
{{- if .D}}
<path class="line" d="{{.D}}" stroke="{{.Colour}}" stroke-width="{{px .Width}}"{{if .Dash}} stroke-dasharray="{{.Dash}}"{{end}}/>
{{- end}}
{{- $line := .}}
{{- range .Points}}
<circle class="point" cx="{{px .X}}" cy="{{px .Y}}" r="{{px $line.Radius}}" fill="{{$line.Colour}}"><title>{{.Tip}}</title></circle>
{{- end}}
</g>
{{- end}}
</g>
{{- end}}
<text class="axis-label x-label" x="{{px .XLabelX}}" y="{{px .XLabelY}}" text-anchor="middle">{{.XLabel}}</text>
</svg>
{{- end}}
{{- end}}`
