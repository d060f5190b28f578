package report

import (
	"fmt"

	"github.com/loadgate/loadgate/runner"
)

// The open model's own figures, in the words every report uses: why
// arrivals dropped, how late the generator sent, and whether it, not the
// target, limited the run.

// dropCauses says why r's arrivals dropped: "5 found no free worker, 2 the
// generator was behind on"; "" when none dropped or the result does not
// say (a file older than the causes). In an interrupted run, the arrivals
// due before the signal that were never sent count as behind too, and it
// says so.
func dropCauses(r *runner.Result) string {
	if r.Dropped == 0 || !r.DropCausesKnown() {
		return ""
	}
	behind := "the generator was behind on"
	if r.Interrupted {
		behind += " or the interrupt cut off"
	}
	return fmt.Sprintf("%d found no free worker, %d %s", r.DroppedNoWorker, r.DroppedBehind, behind)
}

// lateness sums up the generator's lateness: "p50 12µs, p99 0.95ms, max
// 3.10ms"; "" when r has none recorded.
func lateness(r *runner.Result) string {
	h := r.Lateness
	if h == nil || h.TotalCount() == 0 {
		return ""
	}
	return fmt.Sprintf("p50 %s, p99 %s, max %s", FormatLatency(runner.Micros(h.ValueAtQuantile(50))),
		FormatLatency(runner.Micros(h.ValueAtQuantile(99))), FormatLatency(runner.Micros(h.Max())))
}

// generatorWarning says, for a run the generator limited, that it did, in
// one line; "" otherwise. generatorMeaning says what that means.
func generatorWarning(r *runner.Result) string {
	if !r.GeneratorLimited() {
		return ""
	}
	return "the generator, not the target, limited this run"
}

// generatorMeaning follows generatorWarning.
const generatorMeaning = "the latencies include its lateness: they are this machine's limit"

// poolWarning says, for a run whose arrivals found every worker busy with
// the pool at its cap, that the pool limited it; "" otherwise. Unlike
// generatorWarning it has no 0.1% threshold: a single arrival the pool
// could not take is a finding about the target (or --max-workers), while
// a few dropped behind are this machine's hiccup. A merge leaves the cap
// out: it is each run's. It says what to raise, since most users never set
// the cap.
func poolWarning(r *runner.Result) string {
	switch {
	case r.DroppedNoWorker == 0:
		return ""
	case len(r.Parts) > 0:
		return "the worker pool limited this run: raise --max-workers"
	}
	return fmt.Sprintf("the worker pool (at most %d) limited this run: raise --max-workers", r.Load.PoolCap())
}
