package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/report"
)

// The exit codes of docs/contracts.md §2. They are decided in exitCode and
// nowhere else.
const (
	exitOK          = 0
	exitRunFailed   = 1
	exitUsage       = 2
	exitSLOFailed   = 3
	exitRefused     = 4
	exitInterrupted = 130
)

// usageError marks a problem with the command line or configuration, found
// before any request is sent.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// refusedError marks what loadgate refuses to run or to judge: a shard
// that would begin later than --max-late after --start-at, or a set of
// shards' results that is incomplete or mixed.
type refusedError struct{ err error }

func (e refusedError) Error() string { return e.err.Error() }
func (e refusedError) Unwrap() error { return e.err }

// sloFailedError ends a run in which at least one SLO failed, or a metric
// crossed its baseline limit. It says so with the count every report
// gives: "1 of 2 SLOs failed; 0 of 4 baseline limits crossed".
type sloFailedError struct{ tally report.Tally }

func (e sloFailedError) Error() string { return e.tally.String() }

// runOutcome decides how a finished run ends: a failure to write its
// output first (1), then an interruption (130), then failed SLOs or
// crossed baseline limits (3). verdicts are the SLOs' and the baseline
// limits'.
func runOutcome(interrupted bool, verdicts []slo.Verdict, writeErr error) error {
	tally := report.Count(verdicts)
	switch {
	case writeErr != nil:
		return writeErr
	case interrupted:
		return errInterrupted
	case tally.Failed():
		return sloFailedError{tally}
	}
	return nil
}

// exitCode maps the error a command returned to the process exit code. An
// error that cobra returned before the command's hooks ran (parsed is false)
// is about the command line, so it is a usage error; any other untyped error
// means the run could not be carried out.
func exitCode(err error, parsed bool) int {
	var usage usageError
	var refused refusedError
	var sloFailed sloFailedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usage), !parsed:
		return exitUsage
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.As(err, &refused):
		return exitRefused
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
