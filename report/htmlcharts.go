package report

import (
	"fmt"
	"math"
	"strconv"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// noSeriesNote stands in for a chart over time when the result has no
// time series.
const noSeriesNote = "This result has no time series, so there is nothing to plot over time."

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
		return noDataChart(id, title, noSeriesNote)
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
			tip: fmt.Sprintf("%s: %s %s/s at %s (%s %s)", s.name, slo.Number(v, 1), what, slot.span(), groupDigits(n), what)})
	}
	return s
}

// throughputChart draws requests per second per interval: per endpoint, and
// in total when there are several.
func throughputChart(r *runner.Result, tl *htmlTimeline) *chartView {
	const id, title = "chart-throughput", "Throughput over time"
	if tl == nil {
		return noDataChart(id, title, noSeriesNote)
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
		return noDataChart(id, title, noSeriesNote)
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
