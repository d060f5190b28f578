package runner

import (
	"testing"
	"time"
)

// BenchmarkStripeRecord is the cost of recording one request as workers do:
// through a stripe's mutex, from all cores at once. It must not allocate.
func BenchmarkStripeRecord(b *testing.B) {
	s := newStripe([]string{"login"}, newSeriesCollector(1), nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			d := time.Duration(i%50_000) * time.Microsecond
			s.record(0, Sample{Response: d, Service: d, Status: 200}, d, nil)
		}
	})
}
