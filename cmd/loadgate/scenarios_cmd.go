package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/loadgate/loadgate/scenarios"
	"github.com/spf13/cobra"
)

func newScenariosCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios, one line each",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			for _, s := range scenarios.Builtin() {
				fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Description)
			}
			return tw.Flush()
		},
	}
}
