package runner

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is the part of a load that one of several processes runs, so that
// together they run the load once (run --shard I/N). The load's numbers
// stay totals, and each shard takes an exact share:
//
//   - in the open model, shard I owns the arrivals whose index in the
//     whole schedule is I modulo N, so that the shards' schedules together
//     are the single schedule, ramps included;
//   - in the closed model, it runs its share of the workers at every
//     moment (of each stage's, with stages) and of the iterations: shares
//     that add up to the totals;
//   - iteration numbers (Iteration.Seq) are those of the whole load, so no
//     two shards run the same one.
//
// The zero Shard is the whole load, run as one; 0/1 is the whole load too,
// run as a set of one shard (a Kubernetes Job of one pod).
type Shard struct {
	Index, Count int
}

// MaxShards bounds Shard.Count.
const MaxShards = 10_000

// Whole reports whether s is the zero Shard: a run that is no shard.
func (s Shard) Whole() bool { return s.Count == 0 }

func (s Shard) String() string {
	if s.Whole() {
		return "whole"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseShard reads "I/N": shard I of N, counting from 0.
func ParseShard(text string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(text), "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q is not a shard: want I/N, as in 0/3 (shard 0 of 3)", text)
	}
	s := Shard{Index: index, Count: count}
	return s, s.Check()
}

// Check reports a shard that does not exist: a count of 1 to MaxShards, an
// index from 0 to the count less one.
func (s Shard) Check() error {
	switch {
	case s.Count < 1 || s.Count > MaxShards:
		return fmt.Errorf("shard %d/%d: the number of shards must be 1 to %d", s.Index, s.Count, MaxShards)
	case s.Index < 0 || s.Index >= s.Count:
		return fmt.Errorf("shard %d/%d: the index must be 0 to %d, counting from 0", s.Index, s.Count, s.Count-1)
	}
	return nil
}

// count is Count, at least 1.
func (s Shard) count() int64 { return int64(max(s.Count, 1)) }

// global returns the index in the whole load of the shard's j-th
// iteration or arrival.
func (s Shard) global(j int64) int64 { return j*s.count() + int64(s.Index) }

// Local returns the index among the shard's own of global, the index in
// the whole load of one of its iterations or users.
func (s Shard) Local(global int64) int64 { return global / s.count() }

// ownedBefore returns how many of the whole load's first n iterations or
// arrivals are the shard's.
func (s Shard) ownedBefore(n int64) int64 {
	if s.count() == 1 {
		return n
	}
	if n <= int64(s.Index) {
		return 0
	}
	return (n - int64(s.Index) + s.count() - 1) / s.count()
}

// fraction is the shard's part of a rate: 1/Count, 1 for the whole.
func (s Shard) fraction() float64 { return 1 / float64(s.count()) }

// Share returns the shard's part of total (workers, iterations, users):
// the shares of all shards add up to total, and differ by one at most.
func (s Shard) Share(total int64) int64 { return s.ownedBefore(total) }
