package main

import (
	"fmt"
	"slices"

	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
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

// openedDrops is openedSLO, parsed.
var openedDrops = mustParseSLO(openedSLO)

// mustParseSLO parses an SLO written in the code; it panics on a mistake
// there, which every test run would show.
func mustParseSLO(expr string) slo.SLO {
	s, err := slo.Parse(expr)
	if err != nil {
		panic(err)
	}
	return s
}

// judgeDrops returns slos with openedSLO added, and true, unless there are
// none (the scenario gates nothing) or one of them already judges drops.
// It does not change slos' backing array.
func judgeDrops(slos []slo.SLO) ([]slo.SLO, bool) {
	if len(slos) == 0 || slices.ContainsFunc(slos, slo.SLO.CountsDrops) {
		return slos, false
	}
	return append(slices.Clip(slos), openedDrops), true
}

// unjudgedDrops says, for an open run that dropped arrivals while SLOs
// gated it without judging drops (--slo left openedSLO out, or an open
// scenario file has none on them), that the gate did not see them, and
// how to add one: with the --slo flags when they were given (sloFlags),
// else in the scenario's slos, which a --slo would replace. "" when there
// is nothing to say. Two lines of at most 80 columns, for stderr after
// "warning: ".
func unjudgedDrops(r *runner.Result, slos []slo.SLO, sloFlags bool) string {
	if !r.Load.Open || r.Dropped == 0 || len(slos) == 0 || slices.ContainsFunc(slos, slo.SLO.CountsDrops) {
		return ""
	}
	add := "add --slo '" + openedSLO + "' to the others"
	if !sloFlags {
		add = "add " + openedSLO + " to the scenario's slos"
	}
	return fmt.Sprintf("no SLO judges the arrivals dropped: %d of %d (%s%%);\n         %s to gate on them",
		r.Dropped, r.Arrivals, format.Number(format.Percent(r.Dropped, r.Arrivals), 2), add)
}
