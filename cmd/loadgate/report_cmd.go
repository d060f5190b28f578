package main

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
	"github.com/spf13/cobra"
)

func newReportCommand(stdout, stderr io.Writer) *cobra.Command {
	var outputs outputFlags
	var slos []string
	var expectShards int
	var runID string
	cmd := &cobra.Command{
		Use:   "report RESULT.json...",
		Short: "Render and re-judge saved results, merged when there are several",
		Long: `Render saved result files (from run --out) without a target: the summary,
and --out, --junit, --markdown, --html as run writes them. Several files of
the same scenario merge exactly (counts summed, histograms merged) before
they are judged; one run given twice is refused. The SLOs are --slo when
given, else the first file's. --baseline must be a result of the same
scenario. With --expect-shards N, the files must be the N shards' results of
one run (run --shard): every index once, one run id and one plan; the
merge is then judged once, by their SLOs. Exit 0 when every SLO passed and
nothing regressed from --baseline, 3 otherwise, 2 for a file that cannot be
read or merged, 4 for a set of shards that is incomplete or mixed.`,
		Args: takes(1, -1, "one result file"),
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := outputs.prepare(cmd.Flags()); err != nil {
				return err
			}
			sharded := cmd.Flags().Changed("expect-shards")
			switch {
			case sharded && (expectShards < 1 || expectShards > runner.MaxShards):
				return usagef("--expect-shards must be 1 to %d, got %d", runner.MaxShards, expectShards)
			case cmd.Flags().Changed("run-id") && !sharded:
				return usageError{errNoShards}
			}
			var results []*runner.Result
			var all []*resultfile.Saved
			var read, absent []string
			for _, file := range files {
				if _, err := os.Stat(file); sharded && errors.Is(err, fs.ErrNotExist) {
					// A shard that never wrote its result (late, or
					// failed) is a shard missing, not a usage error.
					absent = append(absent, file)
					continue
				}
				read = append(read, file)
				s, err := readResultFile(file)
				if err != nil {
					return usageError{err}
				}
				all = append(all, s)
				results = append(results, s.Result)
			}
			if sharded {
				if err := checkShardSet(read, all, absent, expectShards, runID); err != nil {
					return err
				}
			}
			saved := all[0].SLOs
			r, err := mergeFiles(read, results)
			if err != nil {
				return err
			}
			if err := outputs.checkBaseline(r.Scenario); err != nil {
				return err
			}
			if cmd.Flags().Changed("slo") {
				saved = slos
			}
			var endpoints []string
			for _, e := range r.Endpoints {
				endpoints = append(endpoints, e.Name)
			}
			parsed, err := parseSLOs(saved, r.Classes()[runner.NumBuiltinClasses:], endpoints)
			if err != nil {
				return err
			}
			var skew func(io.Writer) error
			if sharded {
				skew = func(w io.Writer) error { printStartSkew(w, all); return nil }
			}
			verdicts, writeErr := outputs.write(stdout, r, slo.Judge(r, parsed), skew)
			if w := unjudgedDrops(r, parsed, cmd.Flags().Changed("slo")); w != "" {
				fprintf(stderr, "warning: %s\n", w)
			}
			return runOutcome(false, verdicts, writeErr)
		},
	}
	cmd.Flags().StringArrayVar(&slos, "slo", nil, "SLO such as p95<500ms (repeatable; replaces the saved SLOs)")
	cmd.Flags().IntVar(&expectShards, "expect-shards", 0, "the files are the results of this many shards of one run (run --shard): check that each is there once, of one run and one plan, then judge their merge (exit 4 if not)")
	cmd.Flags().StringVar(&runID, "run-id", "", "with --expect-shards: the run the shards must be of (default: the first file's)")
	outputs.register(cmd.Flags())
	return cmd
}

// mergeFiles merges the results read from files, in that order; a file
// that holds a run an earlier one holds is refused by both names.
func mergeFiles(files []string, results []*runner.Result) (*runner.Result, error) {
	r, err := runner.MergeResults(results...)
	var same *runner.SameRunError
	switch {
	case errors.As(err, &same):
		return nil, usagef("cannot merge %s and %s: they hold the same run (the same start, end and requests), whose requests would count twice",
			files[same.Of], files[same.Result])
	case err != nil:
		return nil, usagef("cannot merge the results: %v", err)
	}
	return r, nil
}

// parseSLOs parses SLO expressions: classes are the scenario's own
// outcome classes, each a metric; endpoints are the valid scopes.
func parseSLOs(exprs, classes, endpoints []string) ([]slo.SLO, error) {
	var out []slo.SLO
	for _, expr := range exprs {
		parsed, err := slo.Parse(expr, classes...)
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, parsed)
	}
	if err := slo.CheckScopes(out, endpoints); err != nil {
		return nil, usageError{err}
	}
	return out, nil
}
