package runner

import (
	"slices"
	"testing"
	"time"
)

// intervalList keeps the intervals handed to it.
type intervalList []Interval

func (l *intervalList) WriteInterval(in Interval) { *l = append(*l, in) }

// TestLateSecond: a piece handed over after its second was passed on comes
// in a further interval of the same start, so that sums by start are
// exact; seconds without requests come too, empty.
func TestLateSecond(t *testing.T) {
	var got intervalList
	l := newLive(&Plan{IntervalSinks: []IntervalSink{&got}}, []string{"login"})
	l.start(time.Now().Add(time.Hour), nil) // its ticker passes nothing on
	piece := func(start time.Duration, n int) *piece {
		p := &piece{}
		for range n {
			p.put(Sample{Response: time.Millisecond}, start, time.Second, l, 0)
		}
		return p
	}
	l.take(0, piece(0, 3))
	l.take(0, piece(2*time.Second, 1))
	l.passSeconds(3 * time.Second)
	l.take(0, piece(0, 2)) // late
	l.finish(3 * time.Second)
	var starts []time.Duration
	var counts []int64
	for _, in := range got {
		starts, counts = append(starts, in.Start), append(counts, in.Points[0].Requests())
	}
	if want := []time.Duration{0, time.Second, 2 * time.Second, 0}; !slices.Equal(starts, want) || !slices.Equal(counts, []int64{3, 0, 1, 2}) {
		t.Errorf("intervals at %v with %v requests; want at %v with [3 0 1 2]", starts, counts, want)
	}
}
