package runner

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestShardShares: the shards' shares add up to the total and differ by
// one at most, and each shard owns exactly the indexes it counts.
func TestShardShares(t *testing.T) {
	for n := 1; n <= 7; n++ {
		for total := int64(0); total <= 30; total++ {
			var sum, least, most int64 = 0, total, 0
			for i := range n {
				s := Shard{Index: i, Count: n}
				share := s.Share(total)
				sum += share
				least, most = min(least, share), max(most, share)
				owned := int64(0)
				for j := int64(0); s.global(j) < total; j++ {
					if s.global(j)%int64(n) != int64(i) {
						t.Fatalf("shard %v: its %d-th is %d", s, j, s.global(j))
					}
					owned++
				}
				if owned != share || s.ownedBefore(total) != share {
					t.Errorf("shard %v of %d: share %d, owns %d, ownedBefore %d", s, total, share, owned, s.ownedBefore(total))
				}
			}
			if sum != total || most-least > 1 {
				t.Errorf("%d shards of %d: shares sum to %d, from %d to %d", n, total, sum, least, most)
			}
		}
	}
	if (Shard{}).Share(7) != 7 || !(Shard{}).Whole() || (Shard{}).global(5) != 5 {
		t.Error("the zero Shard is not the whole load")
	}
}

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("2/3"); err != nil || s != (Shard{2, 3}) {
		t.Errorf("2/3: %v, %v", s, err)
	}
	for _, bad := range []string{"3/3", "-1/3", "0/0", "1", "a/b", "0/10001", "1/2/3"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

// TestShardedScheduleIsTheSchedule: the arrivals of three shards of a
// ramp, taken together, are those of the whole schedule, each once and at
// the same intended time.
func TestShardedScheduleIsTheSchedule(t *testing.T) {
	stages, err := ParseStages("2s:50,1s:50,2s:0")
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		seq int64
		at  time.Duration
	}
	run := func(s Shard) []seen {
		var mu sync.Mutex
		var got []seen
		synctest.Test(t, func(t *testing.T) {
			started := time.Now()
			d := dispatcher{profile: profile{start: 10, stages: stages}, maxWorkers: 100, shard: s, iterations: 140,
				wait: timerWait,
				work: func(_ int, first arrival, h *handOff) {
					for a, ok := first, true; ok; a, ok = h.next() {
						mu.Lock()
						got = append(got, seen{a.seq, a.intended.Sub(started)})
						mu.Unlock()
					}
				}}
			arrivals := d.run(context.Background(), started, func(dropCause, int64) { t.Error("a drop") })
			if arrivals != int64(len(got)) {
				t.Errorf("shard %v: %d arrivals, %d handed over", s, arrivals, len(got))
			}
		})
		slices.SortFunc(got, func(a, b seen) int { return int(a.seq - b.seq) })
		return got
	}
	whole := run(Shard{})
	var union []seen
	for i := range 3 {
		union = append(union, run(Shard{Index: i, Count: 3})...)
	}
	slices.SortFunc(union, func(a, b seen) int { return int(a.seq - b.seq) })
	if len(whole) != 140 || !slices.Equal(whole, union) {
		t.Errorf("the whole schedule has %d arrivals, the shards %d together; equal: %v", len(whole), len(union), slices.Equal(whole, union))
	}
}

// FuzzParseShard: any text is a shard that writes back as itself, or a
// clear refusal; never a panic.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "2/3", "3/3", "-1/2", "1/0", "a/b", "9999/10000", " 1/2 ", "1//2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseShard(text)
		if err != nil {
			return
		}
		if s.Check() != nil || s.Share(int64(s.Count)) != 1 {
			t.Fatalf("%q: shard %v", text, s)
		}
		if again, err := ParseShard(s.String()); err != nil || again != s {
			t.Fatalf("%q: %v writes as %q, which reads as %v, %v", text, s, s.String(), again, err)
		}
	})
}
