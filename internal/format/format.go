// Package format holds the conversions and number formats that the SLO
// verdicts, the result file and the reports share, so that a number reads
// the same in each.
package format

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Milliseconds is d in milliseconds, the unit of every latency in the
// verdicts, the result file and the reports.
func Milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Percent is n as a percentage of of; 0 when of is 0.
func Percent(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// Number writes v with at most decimals digits after the point and no
// trailing zeros: 0.5, 12, 0.123. A value too small for those decimals
// but not zero gets two significant digits (0.0012), so that it does not
// read as none.
func Number(v float64, decimals int) string {
	if v != 0 && math.Abs(v) < 0.5*math.Pow(10, -float64(decimals)) {
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// Rate writes a rate per second with one decimal (1000.0, 0.5), or two
// significant digits when one decimal would round it to zero.
func Rate(v float64) string {
	if v != 0 && math.Abs(v) < 0.05 {
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// Bound writes d with 3 significant digits at every scale, for the bounds
// of a bucket, which may be apart by less than FormatLatency shows:
// 476ns, 1.64µs, 16.4µs, 164µs, 1.64ms, 1.64s.
func Bound(d time.Duration) string {
	units := []struct {
		size time.Duration
		name string
	}{{time.Second, "s"}, {time.Millisecond, "ms"}, {time.Microsecond, "µs"}}
	for _, u := range units {
		v := float64(d) / float64(u.size)
		switch {
		case v >= 100:
			return strconv.FormatFloat(v, 'f', 0, 64) + u.name
		case v >= 10:
			return strconv.FormatFloat(v, 'f', 1, 64) + u.name
		case v >= 1:
			return strconv.FormatFloat(v, 'f', 2, 64) + u.name
		}
	}
	return strconv.FormatInt(d.Nanoseconds(), 10) + "ns"
}
