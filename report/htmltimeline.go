package report

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

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
	return slo.Number(s.start.Seconds(), 3) + "–" + slo.Number((s.start+s.width).Seconds(), 3) + " s"
}

// maxHTMLSlots bounds the slots of the charts' time axis.
const maxHTMLSlots = 2 * runner.MaxSeriesPoints

// newHTMLTimeline lays r's series on its grid, or returns nil when r has
// none. The last slot reaches to the run's end when that is within it or a
// sliver past it (see runner.Sliver): a sliver, the requests in flight when
// the run stopped, is folded into the slot before, so that its rate is not
// noise, as MergeResults folds each merged run's.
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
	if runner.Sliver(time.Duration(n-1)*interval, r.Duration(), interval) {
		n--
	}
	tl := &htmlTimeline{interval: interval, slots: make([]htmlSlot, n)}
	for k := range tl.slots {
		tl.slots[k] = htmlSlot{start: time.Duration(k) * interval, width: interval}
	}
	final := &tl.slots[n-1]
	if rest := r.Duration() - final.start; rest > 0 && (rest < interval || runner.Sliver(final.start+interval, r.Duration(), interval)) {
		final.width = rest
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
