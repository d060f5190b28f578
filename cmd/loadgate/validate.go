package main

import (
	"errors"
	"io"

	"github.com/loadgate/loadgate/scenarios"
	"github.com/spf13/cobra"
)

func newValidateCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without sending anything",
		Long: `Check scenario files without sending anything. A valid file prints one
line on stdout; every problem of an invalid one prints on stderr as
file:line:col: message. Exit 0 when every file is valid, 2 otherwise.`,
		Args: takes(1, -1, "one scenario file"),
		RunE: func(_ *cobra.Command, files []string) error {
			var all scenarios.Problems
			for _, file := range files {
				sc, err := scenarios.LoadFile(file, scenarios.Options{ReadTLSFiles: true})
				var problems scenarios.Problems
				if errors.As(err, &problems) {
					all = append(all, problems...)
					continue
				}
				endpoints, slos := len(sc.Endpoints()), len(sc.SLOs)
				fprintf(stdout, "%s: valid: scenario %s, %d endpoint%s, %d SLO%s\n", file, sc.Name, endpoints, plural(endpoints), slos, plural(slos))
			}
			if len(all) > 0 {
				return usageError{all}
			}
			return nil
		},
	}
}
