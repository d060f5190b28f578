// Command loadgate is a load and smoke testing harness for HTTP auth APIs.
// This package is the only place that reads flags, prints, and decides the
// exit code.
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/loadgate/loadgate/scenarios"
)

func main() {
	// A write to a closed stdout or stderr then fails with EPIPE, which
	// printOut takes as the end of printing, instead of killing the process
	// before it wrote its result files.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var finished atomic.Bool
	go func() {
		// After the first signal, restore the default handling so that a
		// second one ends the process at once, and say so.
		<-ctx.Done()
		stop()
		if !finished.Load() { // not the stop below
			fprintf(os.Stderr, "loadgate: interrupted: finishing the requests in flight; interrupt again to quit at once\n")
		}
	}()
	code := execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	finished.Store(true)
	stop()
	os.Exit(code)
}

// execute runs loadgate with args (without the program name) and returns the
// exit code. Tests call it in-process. ctx ending means the user interrupted.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stdout, stderr = &printOut{w: stdout}, &printOut{w: stderr}
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	code := exitCode(err, root.parsed)
	var problems scenarios.Problems
	switch {
	case errors.As(err, &problems):
		// An invalid scenario file: one line per problem, file:line:col: message.
		fprintf(stderr, "%s\n", problems.Error())
	case err != nil:
		// Joined errors print on one line, so that every error is one line.
		fprintf(stderr, "loadgate: %s\n", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return code
}
