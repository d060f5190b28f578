package runner

import "testing"

// TestReuseGuard: two kept connections closed in a row send the next 100
// requests on connections of their own; a kept connection that carried its
// answer clears the count; spells double each time, up to a bound.
func TestReuseGuard(t *testing.T) {
	var g reuseGuard
	spell := func() (n int) {
		for g.fresh() {
			n++
		}
		return n
	}
	g.closed()
	g.kept()
	g.closed()
	if n := spell(); n != 0 {
		t.Errorf("%d fresh requests after closes apart", n)
	}
	for _, want := range []int{100, 200, 400} {
		g.closed()
		g.closed()
		if n := spell(); n != want {
			t.Errorf("a spell of %d, want %d", n, want)
		}
	}
	for range 20 {
		g.closed()
		g.closed()
	}
	if n := spell(); n != maxFreshRequests {
		t.Errorf("a spell of %d, want at most %d", n, maxFreshRequests)
	}
}
