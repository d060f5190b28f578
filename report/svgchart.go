package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/loadgate/loadgate/runner"
)

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

// tickView is a tick's label and, when Grid is set, its grid line.
type tickView struct {
	X1, Y1, X2, Y2 float64
	Grid           bool
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
			pv.YTicks = append(pv.YTicks, tickView{X1: chartLeft, Y1: at, X2: chartLeft + plotW, Y2: at, Grid: true,
				LX: chartLeft - 8, LY: at + 4, Label: t.label})
		}
		for _, t := range xTicks {
			if t.value > xMax*(1+1e-9) {
				continue
			}
			at := px(t.value)
			// No grid line just inside the plot's right edge, where it
			// would double the border.
			pv.XTicks = append(pv.XTicks, tickView{X1: at, Y1: pv.Top, X2: at, Y2: bottom, Grid: chartLeft+plotW-at >= 12,
				LX: at, LY: bottom + 18, Label: t.label})
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
