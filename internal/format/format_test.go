package format_test

import (
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/format"
)

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		v        float64
		decimals int
		want     string
	}{{0.5, 3, "0.5"}, {12, 3, "12"}, {0.1234, 3, "0.123"}, {100.031, 3, "100.031"}, {2.0004, 3, "2"}, {1200, 0, "1200"}, {-0.5, 2, "-0.5"}, {0.0012, 2, "0.0012"}, {1e-9, 2, "1e-09"}, {0.004, 2, "0.004"}, {0.005, 2, "0.01"}, {0, 2, "0"}} {
		if got := format.Number(tc.v, tc.decimals); got != tc.want {
			t.Errorf("Number(%v, %d) = %q, want %q", tc.v, tc.decimals, got, tc.want)
		}
	}
}

func TestPercentAndMilliseconds(t *testing.T) {
	if got := format.Percent(1, 0); got != 0 {
		t.Errorf("Percent(1, 0) = %v, want 0", got)
	}
	if got := format.Percent(1, 8); got != 12.5 {
		t.Errorf("Percent(1, 8) = %v, want 12.5", got)
	}
	if got := format.Milliseconds(1500 * time.Microsecond); got != 1.5 {
		t.Errorf("Milliseconds(1.5ms) = %v", got)
	}
}

func TestRate(t *testing.T) {
	for v, want := range map[float64]string{1000: "1000.0", 0.5: "0.5", 0.05: "0.1", 0.001: "0.001", 1e-9: "1e-09", 0: "0.0"} {
		if got := format.Rate(v); got != want {
			t.Errorf("Rate(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestBound(t *testing.T) {
	for d, want := range map[time.Duration]string{
		476: "476ns", 1640: "1.64µs", 16400: "16.4µs", 164000: "164µs", 1640000: "1.64ms",
		34078000: "34.1ms", 1640000000: "1.64s", 999600: "1000µs", 1000000: "1.00ms", 100 * time.Second: "100s", 1234 * time.Second: "1234s",
	} {
		if got := format.Bound(d); got != want {
			t.Errorf("Bound(%d) = %s, want %s", d, got, want)
		}
	}
}
