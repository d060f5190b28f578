package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/runner"
)

// HTML writes r and its verdicts as one self-contained HTML5 page: the SLO
// verdicts first, then charts of latency percentiles, throughput and errors
// over time and of the latency distribution as a percentile spectrum, a
// table per endpoint and the run's settings. The page opens offline: it has
// no script and refers to nothing outside itself (its Content-Security-Policy
// forbids it), and its charts are inline SVG drawn here from r.
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
	for _, e := range append(append([]*runner.EndpointStats{}, r.Endpoints...), t) {
		p.Endpoints = append(p.Endpoints, htmlEndpoint(r, e, e == t))
	}
	p.Settings = htmlSettings(r, tl)
	return p, nil
}

func htmlVerdicts(verdicts []Verdict) (htmlBanner, []htmlVerdict) {
	var rows []htmlVerdict
	failed := 0
	for _, v := range verdicts {
		row := htmlVerdict{Expr: v.SLO.Expr, Actual: "–", Pass: v.Pass, Reason: v.Reason,
			Threshold: v.SLO.Op.String() + " " + v.SLO.format(v.SLO.Threshold)}
		if v.Reason != "no samples" {
			row.Actual = v.SLO.format(v.Actual)
		}
		if !v.Pass {
			failed++
		}
		rows = append(rows, row)
	}
	switch {
	case len(verdicts) == 0:
		return htmlBanner{"none", "NO SLOs", "no SLOs were given: nothing was judged"}, nil
	case failed == 0:
		return htmlBanner{"pass", "PASS", fmt.Sprintf("all %d SLO%s met", len(verdicts), plural(len(verdicts)))}, rows
	default:
		return htmlBanner{"fail", "FAIL", fmt.Sprintf("%d of %d SLO%s failed", failed, len(verdicts), plural(len(verdicts)))}, rows
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
	if tl != nil {
		s = append(s, htmlSetting{"chart interval", tl.interval.String()})
	}
	if r.Total.Retries > 0 {
		s = append(s, htmlSetting{"retries", groupDigits(r.Total.Retries) + " attempts were retries; every attempt counts above"})
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

// htmlTimeline is the run's time series on a regular grid of slots, one per
// interval from the start, with the slots in which nothing completed too.
type htmlTimeline struct {
	interval time.Duration
	slots    []htmlSlot
	// cells holds, per endpoint and slot, what completed in it; nil where
	// nothing did.
	cells [][]*htmlCell
}

type htmlSlot struct {
	start, width time.Duration
}

type htmlCell struct {
	classes [runner.MaxClasses]int64
	hist    *hdrhistogram.Histogram
}

func (c *htmlCell) requests() int64 {
	var n int64
	for _, x := range c.classes {
		n += x
	}
	return n
}

// mid is the slot's middle, in seconds from the start: where its point goes.
func (s htmlSlot) mid() float64 { return (s.start + s.width/2).Seconds() }

// span writes the slot's time range: "3–4 s".
func (s htmlSlot) span() string {
	return trimmed(s.start.Seconds(), 3) + "–" + trimmed((s.start+s.width).Seconds(), 3) + " s"
}

// maxHTMLSlots bounds the slots of the charts' time axis.
const maxHTMLSlots = 2 * runner.MaxSeriesPoints

// newHTMLTimeline lays r's series on its grid, or returns nil when r has
// none. The last slot is as wide as the run lasted into it; a last slot
// shorter than a quarter interval (the requests in flight when the run
// stopped) is folded into the one before, so that its rate is not noise.
func newHTMLTimeline(r *runner.Result) (*htmlTimeline, error) {
	interval := r.Series.Interval
	last := time.Duration(-1)
	for _, points := range r.Series.Endpoints {
		for _, p := range points {
			last = max(last, p.Start)
		}
	}
	if interval <= 0 || last < 0 {
		return nil, nil
	}
	if len(r.Series.Endpoints) != len(r.Endpoints) {
		return nil, fmt.Errorf("the time series has %d endpoints, the result %d", len(r.Series.Endpoints), len(r.Endpoints))
	}
	if slots := last/interval + 1; slots > maxHTMLSlots {
		interval *= (slots + maxHTMLSlots - 1) / maxHTMLSlots // a sparse series over a long run: coarser slots
	}
	n := int(last/interval) + 1
	tl := &htmlTimeline{interval: interval, slots: make([]htmlSlot, n)}
	for k := range tl.slots {
		tl.slots[k] = htmlSlot{start: time.Duration(k) * interval, width: interval}
	}
	final := &tl.slots[n-1]
	if rest := r.Duration() - final.start; rest > 0 && rest < interval {
		final.width = rest
	}
	if n > 1 && final.width < interval/4 {
		tl.slots[n-2].width += final.width
		tl.slots = tl.slots[:n-1]
	}
	for _, points := range r.Series.Endpoints {
		cells := make([]*htmlCell, len(tl.slots))
		for i := range points {
			p := &points[i]
			h, err := p.Latency()
			if err != nil {
				return nil, fmt.Errorf("decoding the time series: %w", err)
			}
			k := min(int(p.Start/interval), len(cells)-1)
			if cells[k] == nil {
				cells[k] = &htmlCell{classes: p.Classes, hist: h}
				continue
			}
			for c, x := range p.Classes {
				cells[k].classes[c] += x
			}
			cells[k].hist.Merge(h)
		}
		tl.cells = append(tl.cells, cells)
	}
	return tl, nil
}

// xMax is the end of the last slot, in seconds.
func (tl *htmlTimeline) xMax() float64 {
	s := tl.slots[len(tl.slots)-1]
	return (s.start + s.width).Seconds()
}

// ---- the charts ----

// Okabe and Ito's palette, which people with any common colour vision
// deficiency tell apart (its yellow left out: too pale on white).
var chartPalette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"}

// chartDashes tell apart series of one colour once the palette repeats.
var chartDashes = []string{"", "8 4", "2 3", "10 3 2 3"}

// chartClassColours gives the built-in error classes fixed colours, so that a
// class looks the same in every report.
var chartClassColours = map[runner.Class]string{
	runner.ClassClientError:   "#E69F00",
	runner.ClassLockTimeout:   "#CC79A7",
	runner.ClassUnavailable:   "#D55E00",
	runner.ClassServerError:   "#000000",
	runner.ClassTransport:     "#56B4E9",
	runner.ClassExtractFailed: "#009E73",
}

// chartStyle is the colour and dash pattern of the i-th series.
func chartStyle(i int) (colour, dash string) {
	return chartPalette[i%len(chartPalette)], chartDashes[(i/len(chartPalette))%len(chartDashes)]
}

// chartSeries is one line of a chart, in data units.
type chartSeries struct {
	name   string
	colour string
	dash   string
	width  float64
	points []chartDatum
}

// chartDatum is one data point; a gap ends the line before the next point.
type chartDatum struct {
	x, y float64
	tip  string
	gap  bool
}

type chartPanel struct {
	title  string
	series []chartSeries
}

// chartSpec is a chart in data units: x from 0 to xMax (or, with xTicks, the
// ticks' range), y from 0.
type chartSpec struct {
	id, title      string
	xLabel, yLabel string
	xMax           float64
	xTicks         []chartTick // fixed ticks in data units; nil for nice ones
	panels         []chartPanel
	plotHeight     float64
}

type chartTick struct {
	value float64
	label string
}

// chartView is a chart laid out in pixels, as the template draws it. NoData,
// when set, replaces the chart with a note.
type chartView struct {
	ID, Title, NoData string
	W, H              float64
	TitleX, TitleY    float64
	XLabel            string
	XLabelX, XLabelY  float64
	Legend            []legendView
	Panels            []panelView
}

type legendView struct {
	Label, Full, Colour, Dash string
	X1, X2, LineY, TextX, Y   float64
	Width                     float64
}

type panelView struct {
	Title              string
	TitleX, TitleY     float64
	Left, Top, W, H    float64
	XTicks, YTicks     []tickView
	YLabel, YTransform string
	YLabelX, YLabelY   float64
	Lines              []lineView
}

// tickView is a tick's grid line and label.
type tickView struct {
	X1, Y1, X2, Y2 float64
	LX, LY         float64
	Label          string
}

type lineView struct {
	Name, Colour, Dash, D string
	Width, Radius         float64
	Points                []pointView
}

type pointView struct {
	X, Y float64
	Tip  string
}

// Layout, in pixels. The charts are drawn 1000 wide and scale down with the
// page.
const (
	chartWidth       = 1000.0
	chartLeft        = 84.0
	chartRight       = 36.0
	chartLegendRow   = 22.0
	chartPanelTitle  = 24.0
	chartTickSpace   = 24.0
	chartPanelGap    = 18.0
	chartXLabelSpace = 30.0
	chartCharWidth   = 7.4 // an average character of the 13px labels
)

func noDataChart(id, title, note string) *chartView {
	return &chartView{ID: id, Title: title, NoData: note}
}

// layout places the chart's parts.
func (c *chartSpec) layout() *chartView {
	v := &chartView{ID: c.id, Title: c.title, W: chartWidth, TitleX: chartLeft, TitleY: 26, XLabel: c.xLabel}
	legend := c.panels[0].series
	y := 52.0
	x := chartLeft
	for _, s := range legend {
		label := s.name
		if r := []rune(label); len(r) > 48 {
			label = string(r[:47]) + "…"
		}
		w := 36 + float64(len([]rune(label)))*chartCharWidth
		if x > chartLeft && x+w > chartWidth-chartRight {
			x, y = chartLeft, y+chartLegendRow
		}
		v.Legend = append(v.Legend, legendView{Label: label, Full: s.name, Colour: s.colour, Dash: s.dash,
			X1: x, X2: x + 28, LineY: y - 4, TextX: x + 36, Y: y, Width: s.width + 0.5})
		x += w + 24
	}
	y += 20

	xTicks, xMin, xMax := c.xTicks, 0.0, c.xMax
	if xTicks == nil {
		xTicks = niceTicks(c.xMax, 10, chartNumber)
	} else {
		xMin, xMax = xTicks[0].value, xTicks[len(xTicks)-1].value
	}
	if xMax <= xMin {
		xMax = xMin + 1
	}
	plotW := chartWidth - chartLeft - chartRight
	px := func(x float64) float64 { return chartLeft + (x-xMin)/(xMax-xMin)*plotW }
	for _, panel := range c.panels {
		pv := panelView{Title: panel.title, Left: chartLeft, W: plotW, H: c.plotHeight, YLabel: c.yLabel}
		if panel.title != "" {
			pv.TitleX, pv.TitleY = chartLeft, y+14
			y += chartPanelTitle
		}
		pv.Top = y
		bottom := y + c.plotHeight
		yMax := 0.0
		for _, s := range panel.series {
			for _, d := range s.points {
				if !d.gap {
					yMax = max(yMax, d.y)
				}
			}
		}
		yTicks := niceTicks(yMax*1.04, 5, chartNumber) // a little headroom above the highest point
		top := yTicks[len(yTicks)-1].value
		py := func(v float64) float64 { return bottom - v/top*c.plotHeight }
		for _, t := range yTicks {
			at := py(t.value)
			pv.YTicks = append(pv.YTicks, tickView{X1: chartLeft, Y1: at, X2: chartLeft + plotW, Y2: at,
				LX: chartLeft - 8, LY: at + 4, Label: t.label})
		}
		for _, t := range xTicks {
			if t.value > xMax*(1+1e-9) {
				continue
			}
			at := px(t.value)
			tv := tickView{X1: at, Y1: pv.Top, X2: at, Y2: bottom, LX: at, LY: bottom + 18, Label: t.label}
			if chartLeft+plotW-at < 12 {
				tv.Y2 = tv.Y1 // no grid line just inside the plot's right edge
			}
			pv.XTicks = append(pv.XTicks, tv)
		}
		pv.YLabelX, pv.YLabelY = 22, pv.Top+c.plotHeight/2
		pv.YTransform = "rotate(-90 " + chartCoord(pv.YLabelX) + " " + chartCoord(pv.YLabelY) + ")"
		for _, s := range panel.series {
			pv.Lines = append(pv.Lines, s.draw(px, py))
		}
		v.Panels = append(v.Panels, pv)
		y = bottom + chartTickSpace + chartPanelGap
	}
	y -= chartPanelGap
	v.XLabelX, v.XLabelY = chartLeft+plotW/2, y+16
	v.H = y + chartXLabelSpace
	return v
}

// draw turns s into a path and its points, with px and py mapping data to
// pixels.
func (s chartSeries) draw(px, py func(float64) float64) lineView {
	// The fewer the points, the bigger: a lone point must stand out, and
	// hundreds must not hide their line.
	l := lineView{Name: s.name, Colour: s.colour, Dash: s.dash, Width: s.width, Radius: 1.4}
	switch n := len(s.points); {
	case n <= 3:
		l.Radius = 5
	case n <= 60:
		l.Radius = 3.2
	case n <= 200:
		l.Radius = 2.2
	}
	var d strings.Builder
	move := true
	for _, p := range s.points {
		if p.gap {
			move = true
			continue
		}
		x, y := px(p.x), py(p.y)
		if move {
			d.WriteString("M")
		} else {
			d.WriteString(" L")
		}
		d.WriteString(chartCoord(x) + " " + chartCoord(y))
		move = false
		l.Points = append(l.Points, pointView{X: x, Y: y, Tip: p.tip})
	}
	l.D = d.String()
	return l
}

func chartCoord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// niceTicks returns ticks from 0 at a round step (1, 2, 2.5 or 5 times a
// power of ten), the last at or above max, as close to count steps as such a
// step allows; between two as close, the longer step.
func niceTicks(max float64, count int, format func(v, step float64) string) []chartTick {
	if !(max > 0) || math.IsInf(max, 0) {
		max = 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(max/float64(count))))
	step, steps := 0.0, 0
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		n := int(math.Ceil(max/(m*mag) - 1e-9))
		if step == 0 || absInt(n-count) <= absInt(steps-count) {
			step, steps = m*mag, n
		}
	}
	ticks := make([]chartTick, 0, steps+1)
	for i := 0; i <= steps; i++ {
		v := float64(i) * step
		ticks = append(ticks, chartTick{value: v, label: format(v, step)})
	}
	return ticks
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// chartNumber writes a tick value with as many decimals as its step needs,
// in thousands ("12k") from a step of 1000 up; zero as "0".
func chartNumber(v, step float64) string {
	if v == 0 {
		return "0"
	}
	suffix := ""
	if step >= 1000 {
		v, step, suffix = v/1000, step/1000, "k"
	}
	decimals := 0
	for decimals < 6 {
		scaled := step * math.Pow(10, float64(decimals))
		if math.Abs(scaled-math.Round(scaled)) < 1e-6*scaled {
			break
		}
		decimals++
	}
	return strconv.FormatFloat(v, 'f', decimals, 64) + suffix
}

// htmlMillis is a histogram value in milliseconds.
func htmlMillis(v int64) float64 { return milliseconds(runner.Micros(v)) }

var chartPercentiles = []struct {
	q      float64
	name   string
	colour string
	dash   string
	width  float64
}{
	{50, "p50", "#0072B2", "", 2},
	{95, "p95", "#E69F00", "8 4", 2},
	{99, "p99", "#D55E00", "", 2.5},
}

// latencyChart draws p50, p95 and p99 per interval, one panel per endpoint.
func latencyChart(r *runner.Result, tl *htmlTimeline) *chartView {
	const id, title = "chart-latency", "Latency percentiles over time"
	if tl == nil {
		return noDataChart(id, title, "This result has no time series, so there is nothing to plot over time.")
	}
	c := &chartSpec{id: id, title: title, xLabel: "time since start (s)", yLabel: "latency (ms)", xMax: tl.xMax(), plotHeight: 240}
	if len(r.Endpoints) > 1 {
		c.plotHeight = 150
	}
	for e, cells := range tl.cells {
		name := r.Endpoints[e].Name
		panel := chartPanel{title: name}
		if len(r.Endpoints) == 1 {
			panel.title = name + " (all requests)"
		}
		for _, pc := range chartPercentiles {
			s := chartSeries{name: pc.name, colour: pc.colour, dash: pc.dash, width: pc.width}
			for k, cell := range cells {
				if cell == nil || cell.requests() == 0 {
					s.points = append(s.points, chartDatum{gap: true})
					continue
				}
				v := cell.hist.ValueAtQuantile(pc.q)
				s.points = append(s.points, chartDatum{x: tl.slots[k].mid(), y: htmlMillis(v),
					tip: fmt.Sprintf("%s %s: %s at %s (%s requests)", name, pc.name, FormatLatency(runner.Micros(v)),
						tl.slots[k].span(), groupDigits(cell.requests()))})
			}
			panel.series = append(panel.series, s)
		}
		c.panels = append(c.panels, panel)
	}
	return c.layout()
}

// rateSeries adds to s a point per slot of the timeline: count(k), the
// things counted (what: "requests", "errors") in slot k, per second.
func rateSeries(tl *htmlTimeline, s chartSeries, what string, count func(k int) int64) chartSeries {
	for k, slot := range tl.slots {
		n := count(k)
		v := float64(n) / slot.width.Seconds()
		s.points = append(s.points, chartDatum{x: slot.mid(), y: v,
			tip: fmt.Sprintf("%s: %s %s/s at %s (%s %s)", s.name, trimmed(v, 1), what, slot.span(), groupDigits(n), what)})
	}
	return s
}

// throughputChart draws requests per second per interval: per endpoint, and
// in total when there are several.
func throughputChart(r *runner.Result, tl *htmlTimeline) *chartView {
	const id, title = "chart-throughput", "Throughput over time"
	if tl == nil {
		return noDataChart(id, title, "This result has no time series, so there is nothing to plot over time.")
	}
	c := &chartSpec{id: id, title: title, xLabel: "time since start (s)", yLabel: "requests/s", xMax: tl.xMax(), plotHeight: 200}
	panel := chartPanel{}
	if len(tl.cells) > 1 {
		s := rateSeries(tl, chartSeries{name: "total", colour: "#000000", width: 2.5}, "requests", func(k int) int64 {
			var n int64
			for _, cells := range tl.cells {
				if cells[k] != nil {
					n += cells[k].requests()
				}
			}
			return n
		})
		panel.series = append(panel.series, s)
	}
	for e, cells := range tl.cells {
		colour, dash := chartStyle(e)
		s := rateSeries(tl, chartSeries{name: r.Endpoints[e].Name, colour: colour, dash: dash, width: 2}, "requests", func(k int) int64 {
			if cells[k] == nil {
				return 0
			}
			return cells[k].requests()
		})
		panel.series = append(panel.series, s)
	}
	c.panels = []chartPanel{panel}
	return c.layout()
}

// errorsChart draws the errors per second per interval, a line per outcome
// class that had any, all endpoints together.
func errorsChart(r *runner.Result, tl *htmlTimeline) *chartView {
	const id, title = "chart-errors", "Errors over time, by outcome class"
	if tl == nil {
		return noDataChart(id, title, "This result has no time series, so there is nothing to plot over time.")
	}
	c := &chartSpec{id: id, title: title, xLabel: "time since start (s)", yLabel: "errors/s", xMax: tl.xMax(), plotHeight: 170}
	panel := chartPanel{}
	names := r.Classes()
	custom := 0
	for class := 1; class < len(names) && class < runner.MaxClasses; class++ {
		counts := make([]int64, len(tl.slots))
		var sum int64
		for _, cells := range tl.cells {
			for k, cell := range cells {
				if cell != nil {
					counts[k] += cell.classes[class]
					sum += cell.classes[class]
				}
			}
		}
		if sum == 0 {
			continue
		}
		colour, ok := chartClassColours[runner.Class(class)]
		dash := ""
		if !ok {
			colour, dash = chartStyle(custom)
			if dash == "" {
				dash = "8 4" // custom classes dashed, apart from the built-in ones
			}
			custom++
		}
		s := rateSeries(tl, chartSeries{name: names[class], colour: colour, dash: dash, width: 2}, "errors", func(k int) int64 { return counts[k] })
		panel.series = append(panel.series, s)
	}
	if len(panel.series) == 0 {
		return noDataChart(id, title, "No errors in this run: every request was ok.")
	}
	c.panels = []chartPanel{panel}
	return c.layout()
}

// The percentile spectrum spans 0% to 99.999%, at ten points per decade of
// 1/(1-p).
const (
	spectrumDecades   = 5
	spectrumPerDecade = 10
)

// spectrumChart draws the latency distribution per endpoint as HdrHistogram
// plots it: latency against percentile, the percentile on a log scale of
// 1/(1-p).
func spectrumChart(r *runner.Result) *chartView {
	const id, title = "chart-spectrum", "Latency by percentile (the whole run)"
	if r.Total.Requests() == 0 {
		return noDataChart(id, title, "No requests completed, so there is no latency distribution.")
	}
	c := &chartSpec{id: id, title: title, xLabel: "percentile (log scale of 1/(1−p))", yLabel: "latency (ms)", plotHeight: 240}
	for d, label := range []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"} {
		c.xTicks = append(c.xTicks, chartTick{value: float64(d), label: label})
	}
	panel := chartPanel{}
	// The total goes first, under the endpoints' lines, which often follow it.
	type line struct {
		stats  *runner.EndpointStats
		series chartSeries
	}
	var lines []line
	if len(r.Endpoints) > 1 {
		lines = append(lines, line{r.Total, chartSeries{name: r.Total.Name, colour: "#000000", width: 2.5}})
	}
	for i, e := range r.Endpoints {
		colour, dash := chartStyle(i)
		lines = append(lines, line{e, chartSeries{name: e.Name, colour: colour, dash: dash, width: 2}})
	}
	for _, l := range lines {
		e, s := l.stats, l.series
		if e.Latency.TotalCount() == 0 {
			continue
		}
		for k := 0; k <= spectrumDecades*spectrumPerDecade; k++ {
			x := float64(k) / spectrumPerDecade
			q := 100 * (1 - math.Pow(10, -x))
			v := e.Latency.ValueAtQuantile(q)
			label := strconv.FormatFloat(q, 'f', min(int(x)+1, 5), 64)
			if k == 0 {
				label = "0"
			}
			s.points = append(s.points, chartDatum{x: x, y: htmlMillis(v),
				tip: fmt.Sprintf("%s: %s%% of requests took at most %s", e.Name, label, FormatLatency(runner.Micros(v)))})
		}
		panel.series = append(panel.series, s)
	}
	c.panels = []chartPanel{panel}
	return c.layout()
}

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
{{- range .YTicks}}
<line x1="{{px .X1}}" y1="{{px .Y1}}" x2="{{px .X2}}" y2="{{px .Y2}}"/>
{{- end}}
{{- range .XTicks}}
<line x1="{{px .X1}}" y1="{{px .Y1}}" x2="{{px .X2}}" y2="{{px .Y2}}"/>
{{- end}}
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
