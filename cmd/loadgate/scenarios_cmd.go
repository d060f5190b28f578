package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/loadgate/loadgate/scenarios"
	"github.com/spf13/cobra"
)

func newScenariosCommand(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios, one line each",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			for _, s := range scenarios.Builtin() {
				fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Description)
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in scenario's file, as a starting point to copy",
		Args:  takes(1, 1, "the name of a built-in scenario"),
		RunE: func(_ *cobra.Command, args []string) error {
			sc, ok := scenarios.Lookup(args[0])
			if !ok {
				return usagef("unknown scenario %q: built-in scenarios are %s", args[0], strings.Join(scenarios.Names(), ", "))
			}
			_, err := stdout.Write(sc.Source)
			return err
		},
	})
	return cmd
}
