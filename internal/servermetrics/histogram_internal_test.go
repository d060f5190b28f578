package servermetrics

import (
	"maps"
	"testing"
)

// TestSubtractAcrossSchemas: a native histogram whose resolution was
// halved between the readings subtracts at the coarser schema, each of its
// buckets the sum of the two finer ones it covers.
func TestSubtractAcrossSchemas(t *testing.T) {
	// Schema 1: bucket -17 is (2^-9, 2^-8.5], -16 is (2^-8.5, 2^-8]; at
	// schema 0 both are bucket -8, (2^-9, 2^-8].
	before := &Histogram{Count: 3, Native: true, Schema: 1, Positive: map[int32]uint64{-17: 2, -16: 1}}
	after := &Histogram{Count: 10, Native: true, Schema: 0, Positive: map[int32]uint64{-8: 7, -7: 3}}
	d, ok := after.sub(before)
	if !ok || d.Schema != 0 || d.Count != 7 || !maps.Equal(d.Positive, map[int32]uint64{-8: 4, -7: 3}) {
		t.Errorf("delta %+v, %v; want schema 0, buckets -8: 4, -7: 3", d, ok)
	}
	if _, ok := before.sub(after); ok {
		t.Error("a histogram that went down subtracted")
	}
	fewer := &Histogram{Count: 10, Native: true, Schema: 0, Positive: map[int32]uint64{-7: 10}}
	if _, ok := fewer.sub(before); ok {
		t.Error("a bucket that went down subtracted")
	}
}
