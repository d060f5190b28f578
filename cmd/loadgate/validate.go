package main

import (
	"errors"
	"io"

	"github.com/loadgate/loadgate/scenarios"
	"github.com/spf13/cobra"
)

func newValidateCommand(stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without sending anything",
		Long: `Check scenario files without sending anything. A valid file prints one
line on stdout; every problem of an invalid one prints on stderr as
file:line:col: message. The files of a tls block are read when the file's
own target is https://; otherwise the block is not used, with a warning on
stderr, as in a run. Exit 0 when every file is valid, 2 otherwise.`,
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
				if warning := tlsBlockUnused(sc.TLS, file, sc.TargetURL()); warning != "" {
					fprintf(stderr, "warning: %s\n", warning)
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
