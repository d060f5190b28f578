package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
	"github.com/spf13/cobra"
)

func newPlanCommand(stdout io.Writer) *cobra.Command {
	var flags runFlags
	var shards int
	cmd := &cobra.Command{
		Use:   "plan --shards N [SCENARIO | FILE.yaml] [run flags]",
		Short: "Show each shard's share of a run split over N processes",
		Long: `Check a run as 'loadgate run' would, with the same scenario and flags, and
print the share of each of N shards (run --shard I/N): its rate or workers,
its iterations and its users, and the plan's digest, which every shard's
result names. Nothing is sent. Exit 0, or 2 for a usage error or when a
shard would be refused (it is marked so, with why).`,
		Args: takes(0, 1, "one scenario, a built-in name or a FILE.yaml"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if shards < 1 || shards > runner.MaxShards {
				return usagef("--shards must be 1 to %d, got %d", runner.MaxShards, shards)
			}
			name := "smoke"
			if len(args) == 1 {
				name = args[0]
			}
			p, err := flags.prepare(cmd.Flags(), name)
			if err != nil {
				return err
			}
			return p.printShares(stdout, shards)
		},
	}
	cmd.Flags().IntVar(&shards, "shards", 1, "how many shards split the run")
	flags.register(cmd.Flags())
	return cmd
}

// printShares prints the share of each of count shards of p: what each
// would run, or why it would be refused, as run --shard I/count decides.
func (p *runPlan) printShares(w io.Writer, count int) error {
	load := p.load
	load.Shard = runner.Shard{}
	fprintf(w, "plan       %s: %s, in %d shard%s\ndigest     %s\n\n", p.scenario.Name, report.LoadText(load), count, plural(count), p.planDigest())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "shard\tworkers\titerations\tusers\t"
	if load.Open {
		header = "shard\trate/s\tmax workers\titerations\tusers\t"
	}
	fmt.Fprintln(tw, header)
	credentials := p.flags.username != ""
	var refusals []string
	for i := range count {
		load.Shard = runner.Shard{Index: i, Count: count}
		s := load.Shard
		users := bound(p.scenario.UserShare(s))
		if credentials {
			users = "--username"
		}
		workers := fmt.Sprint(s.Share(int64(load.Concurrency)))
		if len(load.Stages) > 0 {
			workers = fmt.Sprintf("ramp/%d", count)
		}
		row := []string{s.String(), workers, bound(s.Share(load.Iterations)), users}
		if load.Open {
			rate := format.Rate(load.Rate / float64(count))
			if len(load.Stages) > 0 {
				rate = fmt.Sprintf("ramp/%d", count)
			}
			row = []string{s.String(), rate, fmt.Sprint(load.PoolCap()), bound(s.Share(load.Iterations)), users}
		}
		if err := shardRefusal(p.scenario, load, credentials); err != nil {
			row[0] += " refused"
			refusals = append(refusals, err.Error())
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(refusals) > 0 {
		fprintf(w, "\n%s\n", strings.Join(refusals, "\n"))
	}
	switch {
	case len(load.Stages) > 0 && load.Open:
		fprintf(w, "\nstages: each shard takes one arrival in %d of the ramp's, so its rate is the ramp's divided by %d\n", count, count)
	case len(load.Stages) > 0:
		fprintf(w, "\nstages: each shard runs its share of the ramp's workers at every moment\n")
	}
	if len(refusals) > 0 {
		return usagef("%d of %d shards would be refused: run fewer shards, or give the load more workers or users", len(refusals), count)
	}
	return nil
}

// bound is a share of a bound, "-" for none.
func bound(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
