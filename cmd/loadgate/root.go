package main

import (
	"io"

	"github.com/spf13/cobra"
)

// rootCommand is the loadgate command tree plus what execute needs to know
// after it ran.
type rootCommand struct {
	*cobra.Command
	// parsed is set once the command line was parsed and validated, just
	// before a command's own code runs.
	parsed bool
}

func newRootCommand(stdout, stderr io.Writer) *rootCommand {
	root := &rootCommand{}
	root.Command = &cobra.Command{
		Use:           "loadgate",
		Short:         "Load and smoke testing harness for HTTP auth APIs",
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRun: func(*cobra.Command, []string) {
			root.parsed = true
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newRunCommand(stdout, stderr, ""),
		newRunCommand(stdout, stderr, "smoke"),
		newServeCommand(stdout, stderr),
		newScenariosCommand(stdout),
		newValidateCommand(stdout, stderr),
		newReportCommand(stdout, stderr),
		newLogsCommand(stdout),
		newPlanCommand(stdout),
		newKubernetesCommand(stdout),
		newVersionCommand(stdout))
	ownWords(root.Command)
	return root
}
