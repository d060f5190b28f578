package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/report"
)

// checkShardSet reports why files, read as saved, and the files absent
// (named but not there) are not the complete result of one sharded run of
// count shards (of runID, when not empty): a file absent or not such a
// shard, an index missing or given twice, two run ids or plan digests, a
// shard that was interrupted. Every problem is named, with its files, on
// one line.
func checkShardSet(files []string, saved []*resultfile.Saved, absent []string, count int, runID string) error {
	var problems []string
	for _, file := range absent {
		problems = append(problems, fmt.Sprintf("%s does not exist", file))
	}
	byIndex := make([][]string, count)
	if runID == "" && len(saved) > 0 {
		runID = saved[0].Result.Identity.RunID
	}
	digest := ""
	for i, s := range saved {
		r := s.Result
		switch shard := r.Load.Shard; {
		case shard.Whole():
			problems = append(problems, fmt.Sprintf("%s is not a shard (a whole run)", files[i]))
			continue
		case shard.Count != count:
			problems = append(problems, fmt.Sprintf("%s is shard %s, of %d shards, not %d", files[i], shard, shard.Count, count))
			continue
		default:
			byIndex[shard.Index] = append(byIndex[shard.Index], files[i])
		}
		if r.Interrupted {
			problems = append(problems, fmt.Sprintf("%s was interrupted: its part of the load did not all run", files[i]))
		}
		if r.Identity.RunID != runID {
			problems = append(problems, fmt.Sprintf("%s is of run %q, not %q", files[i], r.Identity.RunID, runID))
		}
		if digest == "" {
			digest = r.Identity.PlanDigest
		} else if r.Identity.PlanDigest != digest {
			problems = append(problems, fmt.Sprintf("%s ran another plan (digest %s, not %s): another scenario, load, SLOs or target", files[i], r.Identity.PlanDigest, digest))
		}
	}
	var missing []string
	for index, got := range byIndex {
		switch {
		case len(got) == 0:
			missing = append(missing, fmt.Sprint(index))
		case len(got) > 1:
			problems = append(problems, fmt.Sprintf("shard %d/%d comes %d times: %s", index, count, len(got), strings.Join(got, ", ")))
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d shards missing: %s", len(missing), count, strings.Join(missing, ", ")))
	}
	if len(problems) == 0 {
		return nil
	}
	return refusedError{fmt.Errorf("cannot judge run %q as %d shards: %s", runID, count, strings.Join(problems, "; "))}
}

// printStartSkew says how far apart the shards began, and how long after
// their --start-at the last one did.
func printStartSkew(w io.Writer, saved []*resultfile.Saved) {
	var starts []time.Time
	for _, s := range saved {
		starts = append(starts, s.Result.Started)
	}
	first, last := slices.MinFunc(starts, time.Time.Compare), slices.MaxFunc(starts, time.Time.Compare)
	line := fmt.Sprintf("\nshards     %d, run %s: began within %s of each other", len(saved), saved[0].Result.Identity.RunID,
		report.FormatLatency(last.Sub(first)))
	if at := saved[0].Result.Identity.StartAt; !at.IsZero() {
		line += fmt.Sprintf(", the last %s after --start-at %s", report.FormatLatency(last.Sub(at)), at.Format(time.RFC3339Nano))
	}
	fprintf(w, "%s\n", line)
}

// errNoShards is --run-id without --expect-shards.
var errNoShards = errors.New("--run-id names the run whose shards --expect-shards N checks; give --expect-shards")
