package main

import (
	"slices"

	"github.com/loadgate/loadgate/internal/slo"
)

// openedSLO is judged besides a closed scenario's own SLOs when --rate
// makes it open and --slo does not replace them: those SLOs were written
// for a model without arrivals, and a gate that passed with most arrivals
// dropped would have passed a smaller load than the one asked for. It
// allows what the built-in ping allows of errors.
const openedSLO = "dropped<1%"

// openedNote says why openedSLO is judged, for the run's stderr after
// "note: ", in 80 columns.
const openedNote = "--rate makes this closed scenario open: " + openedSLO + " is judged besides\n      its SLOs (--slo replaces them all)"

// judgeDrops returns slos with openedSLO added, and true, unless one of
// them already judges drops. It does not change slos' backing array.
func judgeDrops(slos []slo.SLO) ([]slo.SLO, bool) {
	if slices.ContainsFunc(slos, slo.SLO.CountsDrops) {
		return slos, false
	}
	dropped, err := slo.Parse(openedSLO)
	if err != nil {
		return slos, false // a constant: TestOpenedScenarioJudgesDrops parses it
	}
	return append(slices.Clip(slos), dropped), true
}
