package report

import (
	"io"

	"github.com/loadgate/loadgate/internal/slo"
)

// Deltas writes the comparison as a table: one line per endpoint and
// metric, with the baseline's value, the current one, the change and the
// limit.
func Deltas(w io.Writer, deltas []slo.Delta) error {
	t := newTable([]string{"endpoint", "metric", "baseline", "now", "change", "limit", "verdict"}, 2, 3, 4, 5)
	for _, d := range deltas {
		m := d.Limit.Metric()
		if d.Missing {
			t.add(d.Endpoint, m.Metric, "-", "-", "-", d.Limit.Describe(), "not in both runs")
			continue
		}
		verdict := "ok"
		if d.Regressed {
			verdict = "REGRESSION"
		}
		t.add(d.Endpoint, m.Metric, m.Format(d.Old), m.Format(d.New), d.Change(), d.Limit.Describe(), verdict)
	}
	return t.write(w)
}
