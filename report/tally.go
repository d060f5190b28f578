package report

import (
	"fmt"

	"github.com/loadgate/loadgate/internal/slo"
)

// Tally counts verdicts, the SLOs and the baseline's limits apart: one
// count for every report and message that says how a run was judged.
type Tally struct {
	SLOs, FailedSLOs      int
	Limits, CrossedLimits int // the baseline's, from BaselineVerdicts
}

// Count tallies verdicts.
func Count(verdicts []slo.Verdict) Tally {
	var t Tally
	for _, v := range verdicts {
		switch {
		case v.Limit:
			t.Limits++
			if !v.Pass {
				t.CrossedLimits++
			}
		default:
			t.SLOs++
			if !v.Pass {
				t.FailedSLOs++
			}
		}
	}
	return t
}

// Failed reports whether an SLO failed or a baseline limit was crossed.
func (t Tally) Failed() bool { return t.FailedSLOs > 0 || t.CrossedLimits > 0 }

// String says how the run was judged: "1 of 2 SLOs failed; 0 of 4 baseline
// limits crossed" when one failed, "all 2 SLOs met; 1 baseline limit held"
// when none did, "no SLOs" when there was nothing to judge. The
// baseline's part is there only with a baseline.
func (t Tally) String() string {
	if t.SLOs == 0 && t.Limits == 0 {
		return "no SLOs"
	}
	slos, limits := all(t.SLOs, "SLO")+" met", all(t.Limits, "baseline limit")+" held"
	if t.Failed() {
		slos = fmt.Sprintf("%d of %d SLO%s failed", t.FailedSLOs, t.SLOs, plural(t.SLOs))
		limits = fmt.Sprintf("%d of %d baseline limit%s crossed", t.CrossedLimits, t.Limits, plural(t.Limits))
	}
	switch {
	case t.Limits == 0:
		return slos
	case t.SLOs == 0:
		return limits
	}
	return slos + "; " + limits
}

// all counts n things that all did something: "1 SLO", "all 3 SLOs".
func all(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("all %d %ss", n, thing)
}
