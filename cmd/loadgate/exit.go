package main

import (
	"errors"
	"fmt"
	"io"
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

// exitCode maps the error a command returned to the process exit code. An
// error that cobra returned before the command's hooks ran (parsed is false)
// is about the command line, so it is a usage error; any other untyped error
// means the run could not be carried out.
func exitCode(err error, parsed bool) int {
	var usage usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usage), !parsed:
		return exitUsage
	default:
		return exitRunFailed
	}
}

// fprintf writes to a terminal or pipe; a failed write there has nowhere
// better to be reported, so it is ignored on purpose.
func fprintf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, args...)
}
