package servermetrics

import (
	"bytes"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// FuzzDecode: any exposition, protobuf or text, decodes to metrics whose
// deltas and quantiles are computed without a panic, or is refused.
func FuzzDecode(f *testing.F) {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h_seconds", Buckets: []float64{.001, .01}, NativeHistogramBucketFactor: 1.1})
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c_total"}, []string{"k"})
	reg.MustRegister(h, c)
	h.Observe(0.002)
	h.Observe(0.5)
	c.WithLabelValues("v").Add(3)
	families, _ := reg.Gather()
	for _, kind := range []expfmt.FormatType{expfmt.TypeProtoDelim, expfmt.TypeTextPlain} {
		var b bytes.Buffer
		enc := expfmt.NewEncoder(&b, expfmt.NewFormat(kind))
		for _, fam := range families {
			enc.Encode(fam)
		}
		f.Add(b.Bytes(), kind == expfmt.TypeProtoDelim)
	}
	f.Fuzz(func(t *testing.T, data []byte, proto bool) {
		format := expfmt.NewFormat(expfmt.TypeTextPlain)
		if proto {
			format = expfmt.NewFormat(expfmt.TypeProtoDelim)
		}
		snap, err := decode(bytes.NewReader(data), format)
		if err != nil {
			return
		}
		for _, pair := range [][2]Snapshot{{{}, snap}, {snap, snap}, {snap, {}}} {
			d, err := Subtract(pair[0], pair[1])
			if err != nil {
				continue
			}
			for _, s := range d.Series {
				if s.Counter < 0 {
					t.Fatalf("%s: a negative delta %g", s.Key(), s.Counter)
				}
				if s.Histogram != nil {
					s.Histogram.Quantile(0.5)
					s.Histogram.Quantile(1)
				}
			}
		}
	})
}
