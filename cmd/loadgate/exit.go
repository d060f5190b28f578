package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/loadgate/loadgate/report"
)

// The exit codes of DESIGN §4.2. They are decided in exitCode and nowhere else.
const (
	exitOK          = 0
	exitRunFailed   = 1
	exitUsage       = 2
	exitSLOFailed   = 3
	exitInterrupted = 130
)

// usageError marks a problem with the command line or configuration, found
// before any request is sent.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// sloFailedError ends a run in which at least one SLO failed, or a metric
// regressed beyond its limit from the baseline.
type sloFailedError struct{ failed, total, regressions int }

func (e sloFailedError) Error() string {
	switch {
	case e.regressions == 0:
		return fmt.Sprintf("%d of %d SLOs failed", e.failed, e.total)
	case e.failed == 0:
		return fmt.Sprintf("%d regression(s) from the baseline", e.regressions)
	}
	return fmt.Sprintf("%d of %d SLOs failed, and %d regression(s) from the baseline", e.failed, e.total, e.regressions)
}

// runOutcome decides how a finished run ends: a failure to write its
// output first (1), then an interruption (130), then failed SLOs or
// regressions from the baseline (3).
func runOutcome(interrupted bool, verdicts []report.Verdict, regressions int, writeErr error) error {
	failed := 0
	for _, v := range verdicts {
		if !v.Pass {
			failed++
		}
	}
	switch {
	case writeErr != nil:
		return writeErr
	case interrupted:
		return errInterrupted
	case failed > 0 || regressions > 0:
		return sloFailedError{failed: failed, total: len(verdicts), regressions: regressions}
	}
	return nil
}

// exitCode maps the error a command returned to the process exit code. An
// error that cobra returned before the command's hooks ran (parsed is false)
// is about the command line, so it is a usage error; any other untyped error
// means the run could not be carried out.
func exitCode(err error, parsed bool) int {
	var usage usageError
	var sloFailed sloFailedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usage), !parsed:
		return exitUsage
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.As(err, &sloFailed):
		return exitSLOFailed
	default:
		return exitRunFailed
	}
}

// fprintf writes to a terminal or pipe; a failed write there has nowhere
// better to be reported, so it is ignored on purpose.
func fprintf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, args...)
}
