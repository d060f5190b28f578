package servermetrics

import (
	"fmt"
	"maps"
	"math"
	"slices"

	dto "github.com/prometheus/client_model/go"
)

// Histogram is one histogram series: native (Schema, ZeroCount and the
// positive buckets by index), classic (upper bounds and cumulative counts),
// or both. Durations are never negative, so negative native buckets are
// not kept (a histogram that has some is refused).
type Histogram struct {
	Count uint64
	Sum   float64

	// Native is set when the histogram has native buckets: bucket i of
	// Schema s holds the values in (2^((i-1)/2^s), 2^(i/2^s)]; the zero
	// bucket holds those up to ZeroThreshold.
	Native        bool
	Schema        int32
	ZeroThreshold float64
	ZeroCount     uint64
	Positive      map[int32]uint64

	// Bounds are the classic buckets' upper bounds, in order, +Inf last;
	// Cumulative the values up to each.
	Bounds     []float64
	Cumulative []uint64
}

// fromDTO reads a histogram of the exposition format.
func fromDTO(h *dto.Histogram) (*Histogram, error) {
	if h == nil {
		return nil, fmt.Errorf("a histogram without its values")
	}
	if h.GetSampleCountFloat() > 0 || h.GetZeroCountFloat() > 0 || len(h.PositiveCount) > 0 {
		return nil, fmt.Errorf("a float histogram (of rates, not counts)")
	}
	out := &Histogram{Count: h.GetSampleCount(), Sum: h.GetSampleSum()}
	for _, b := range h.Bucket {
		out.Bounds = append(out.Bounds, b.GetUpperBound())
		out.Cumulative = append(out.Cumulative, b.GetCumulativeCount())
	}
	if len(out.Bounds) > 0 && !math.IsInf(out.Bounds[len(out.Bounds)-1], 1) {
		out.Bounds, out.Cumulative = append(out.Bounds, math.Inf(1)), append(out.Cumulative, out.Count)
	}
	for i, b := range out.Bounds {
		switch {
		case math.IsNaN(b) || math.IsInf(b, 0) && i < len(out.Bounds)-1:
			return nil, fmt.Errorf("a bucket bound %g", b)
		case i > 0 && (b <= out.Bounds[i-1] || out.Cumulative[i] < out.Cumulative[i-1]):
			return nil, fmt.Errorf("buckets out of order")
		}
	}
	if h.Schema == nil {
		return out, nil
	}
	if len(h.NegativeSpan) > 0 {
		return nil, fmt.Errorf("negative values in a histogram of durations")
	}
	out.Native, out.Schema, out.ZeroThreshold, out.ZeroCount = true, h.GetSchema(), h.GetZeroThreshold(), h.GetZeroCount()
	if z := out.ZeroThreshold; math.IsNaN(z) || math.IsInf(z, 0) || z < 0 || out.Schema < -4 || out.Schema > 8 {
		return nil, fmt.Errorf("a native histogram of schema %d and zero threshold %g", out.Schema, z)
	}
	out.Positive = map[int32]uint64{}
	index, deltas, count := int32(0), h.PositiveDelta, int64(0)
	for i, span := range h.PositiveSpan {
		if i == 0 {
			index = span.GetOffset()
		} else {
			index += span.GetOffset()
		}
		for range span.GetLength() {
			if len(deltas) == 0 {
				return nil, fmt.Errorf("native spans longer than their counts")
			}
			count += deltas[0]
			deltas = deltas[1:]
			if count < 0 {
				return nil, fmt.Errorf("a native bucket of negative count")
			}
			if count > 0 {
				out.Positive[index] = uint64(count)
			}
			index++
		}
	}
	return out, nil
}

// reduced returns h's native buckets at schema s, no finer than h's: each
// bucket of the coarser schema sums those it covers.
func (h *Histogram) reduced(s int32) map[int32]uint64 {
	if s >= h.Schema {
		return h.Positive
	}
	shift := h.Schema - s
	out := map[int32]uint64{}
	for i, n := range h.Positive {
		out[((i-1)>>shift)+1] += n
	}
	return out
}

// sub returns h - before, and false when some count went down: a reset.
// Native buckets are subtracted at the coarser schema of the two; classic
// ones only when both have the same bounds (else the delta has none).
func (h *Histogram) sub(before *Histogram) (*Histogram, bool) {
	if h.Count < before.Count {
		return nil, false
	}
	out := &Histogram{Count: h.Count - before.Count, Sum: h.Sum - before.Sum}
	if h.Native && before.Native {
		s := min(h.Schema, before.Schema)
		now, then := h.reduced(s), before.reduced(s)
		out.Native, out.Schema, out.ZeroThreshold = true, s, max(h.ZeroThreshold, before.ZeroThreshold)
		if h.ZeroCount < before.ZeroCount {
			return nil, false
		}
		out.ZeroCount = h.ZeroCount - before.ZeroCount
		out.Positive = map[int32]uint64{}
		for i, n := range now {
			switch {
			case n < then[i]:
				return nil, false
			case n > then[i]:
				out.Positive[i] = n - then[i]
			}
		}
		for i := range then {
			if _, ok := now[i]; !ok && then[i] > 0 {
				return nil, false
			}
		}
	}
	if slices.Equal(h.Bounds, before.Bounds) {
		out.Bounds = h.Bounds
		for i, n := range h.Cumulative {
			if n < before.Cumulative[i] {
				return nil, false
			}
			out.Cumulative = append(out.Cumulative, n-before.Cumulative[i])
		}
	}
	return out, true
}

// Bracket is a quantile read from buckets: the value is in (Lower, Upper].
type Bracket struct {
	Lower, Upper float64
}

// Quantile returns the bucket that holds quantile q (0 < q ≤ 1) of h's
// values, from its native buckets when it has them, else its classic ones;
// false when h is empty or has no buckets.
func (h *Histogram) Quantile(q float64) (Bracket, bool) {
	if h.Count == 0 {
		return Bracket{}, false
	}
	rank := uint64(math.Ceil(q * float64(h.Count)))
	rank = max(rank, 1)
	if h.Native {
		if rank <= h.ZeroCount {
			return Bracket{Lower: 0, Upper: h.ZeroThreshold}, true
		}
		seen := h.ZeroCount
		indexes := make([]int32, 0, len(h.Positive))
		for i := range h.Positive {
			indexes = append(indexes, i)
		}
		slices.Sort(indexes)
		for _, i := range indexes {
			if seen += h.Positive[i]; seen >= rank {
				return Bracket{Lower: nativeBound(h.Schema, i-1), Upper: nativeBound(h.Schema, i)}, true
			}
		}
		return Bracket{}, false
	}
	lower := 0.0
	for i, n := range h.Cumulative {
		if n >= rank {
			return Bracket{Lower: lower, Upper: h.Bounds[i]}, true
		}
		lower = h.Bounds[i]
	}
	return Bracket{}, false
}

// nativeBound is the upper bound of native bucket i at schema s.
func nativeBound(s int32, i int32) float64 {
	return math.Exp2(float64(i) * math.Exp2(-float64(s)))
}

// add returns the histogram of h's values and o's together: native buckets
// at the coarser schema of the two when both have them, classic ones when
// both have the same bounds.
func (h *Histogram) add(o *Histogram) *Histogram {
	out := &Histogram{Count: h.Count + o.Count, Sum: h.Sum + o.Sum}
	if h.Native && o.Native {
		s := min(h.Schema, o.Schema)
		out.Native, out.Schema, out.ZeroThreshold, out.ZeroCount = true, s, max(h.ZeroThreshold, o.ZeroThreshold), h.ZeroCount+o.ZeroCount
		out.Positive = maps.Clone(h.reduced(s))
		if out.Positive == nil {
			out.Positive = map[int32]uint64{}
		}
		for i, n := range o.reduced(s) {
			out.Positive[i] += n
		}
	}
	if slices.Equal(h.Bounds, o.Bounds) {
		out.Bounds = h.Bounds
		for i, n := range h.Cumulative {
			out.Cumulative = append(out.Cumulative, n+o.Cumulative[i])
		}
	}
	return out
}
