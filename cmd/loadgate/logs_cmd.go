package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/loadgate/loadgate/internal/logscan"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/report"
	"github.com/spf13/cobra"
)

// logWriteGrace is how long after a run's end its window lasts: a server
// logs a request after it answered it, so a request the client counted
// may be logged just after the client's end.
const logWriteGrace = time.Second

// logsFlags are the flags of `loadgate logs`.
type logsFlags struct {
	format, junit, markdown string
	slos                    []string
	since, until, run       string
}

func newLogsCommand(stdout io.Writer) *cobra.Command {
	var f logsFlags
	cmd := &cobra.Command{
		Use:   "logs FILE|-",
		Short: "Read a service's log: errors by kind, lock timeouts, lock times; judge SLOs on them",
		Long: `Read a service's log (a file, or - for stdin) and say what it shows:
requests and errors by error_kind, endpoint and status, storage lock
timeouts (a structured record and the bare "storage lock timeout" warning
of one trace ID paired within 10,000 lines), lock acquisition times (wait_ms, hold_ms),
error latency (duration_ms), the first lines of each error kind, and how
many lines were recognised. It reads tracing-subscriber text (ANSI colours
or not) and JSON, Go slog text and JSON, logfmt, railway logs, and these
lines as kubectl --timestamps, CRI node files or Docker's json-file wrap
them. --run takes the window of a run's result file and sets the client's
counts beside the log's. Exit 0 when every SLO passed, 3 when one failed,
2 for a usage error (a log that cannot be opened or read included), 1 when nothing in the log was recognised or the
window holds no record.`,
		Args: takes(1, 1, "one log file (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(cmd, args[0], f, cmd.InOrStdin(), stdout)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.format, "format", "text", "what to print: text, or json (the loadgate.logs/v1 document)")
	fs.StringVar(&f.junit, "junit", "", "write a JUnit XML report (one test case per SLO) to this file")
	fs.StringVar(&f.markdown, "markdown", "", "write a Markdown summary to this file")
	fs.StringArrayVar(&f.slos, "slo", nil, "SLO on the log such as storage_lock_timeout==0, lock_acquire.p95<5ms, errors==0 (repeatable)")
	fs.StringVar(&f.since, "since", "", "count only records at or after this RFC 3339 time")
	fs.StringVar(&f.until, "until", "", "count only records before this RFC 3339 time")
	fs.StringVar(&f.run, "run", "", "a run's result file: count the records of its window (started_at to ended_at, plus 1s) and show its counts beside the log's")
	return cmd
}

// runLogs checks the flags, reads the log, prints and writes its summary
// and judges its SLOs.
func runLogs(cmd *cobra.Command, source string, f logsFlags, stdin io.Reader, stdout io.Writer) error {
	rep := report.LogsReport{Source: source}
	if f.format != "text" && f.format != "json" {
		return usagef("--format must be text or json, not %q", f.format)
	}
	if err := checkOutputs([]outputFile{{name: "--junit", path: f.junit}, {name: "--markdown", path: f.markdown}}); err != nil {
		return err
	}
	for _, name := range []string{"junit", "markdown", "run", "since", "until"} {
		if cmd.Flags().Changed(name) && cmd.Flags().Lookup(name).Value.String() == "" {
			return usagef("--%s is empty: give a value, or leave the flag out", name)
		}
	}
	var slos []slo.SLO
	for _, expr := range f.slos {
		s, err := slo.ParseLogs(expr)
		if err != nil {
			return usageError{err}
		}
		slos = append(slos, s)
	}
	window, err := logsWindow(f, &rep)
	if err != nil {
		return err
	}
	in := stdin
	if source != "-" {
		file, err := os.Open(source)
		if err != nil {
			return usagef("%v", err)
		}
		defer file.Close()
		in = file
	}
	sum, err := logscan.Read(in, window)
	if err != nil {
		return usagef("%v", err) // a directory opens, and fails here
	}
	rep.Summary = sum
	if err := checkRecognised(source, sum); err != nil {
		return err
	}
	rep.Verdicts = slo.JudgeLogs(sum, slos)
	return runOutcome(false, rep.Verdicts, writeLogs(stdout, f, rep))
}

// logsWindow reads --since/--until, or the window of --run (whose result
// it sets in rep).
func logsWindow(f logsFlags, rep *report.LogsReport) (logscan.Window, error) {
	var w logscan.Window
	if f.run != "" {
		if f.since != "" || f.until != "" {
			return w, usagef("--run sets the window; leave out --since and --until, or --run")
		}
		saved, err := readResultFile(f.run)
		if err != nil {
			return w, usagef("--run %v", err)
		}
		rep.Run, rep.RunFile = saved.Result, f.run
		rep.WindowFrom = "the run in " + f.run
		return logscan.Window{Since: saved.Result.Started, Until: saved.Result.Ended.Add(logWriteGrace)}, nil
	}
	for _, bound := range []struct {
		name, value string
		t           *time.Time
	}{{"--since", f.since, &w.Since}, {"--until", f.until, &w.Until}} {
		if bound.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, bound.value)
		if err != nil {
			return w, usagef("%s %q is not an RFC 3339 time such as 2026-11-28T12:00:00Z", bound.name, bound.value)
		}
		*bound.t = t
		rep.WindowFrom = "--since/--until"
	}
	if !w.Since.IsZero() && !w.Until.IsZero() && !w.Since.Before(w.Until) {
		return w, usagef("--since %s is not before --until %s", f.since, f.until)
	}
	return w, nil
}

// errNothingRecognised ends `logs` when the log had no line of a known
// format, or none in the window: a count of 0 errors there would mean
// nothing.
var errNothingRecognised = errors.New("the log has nothing to count")

// checkRecognised refuses a log with nothing to count, saying why.
func checkRecognised(source string, s *logscan.Summary) error {
	switch {
	case s.Lines == 0:
		return fmt.Errorf("%w: %s has no line", errNothingRecognised, source)
	case s.Recognised == 0:
		first := s.FirstUnrecognised
		shown := fmt.Sprintf("%.200q", first.Text)
		if first.TooLong {
			shown = first.Shown()
		}
		return fmt.Errorf("%w: no line of %s is of a known log format (tracing-subscriber text or JSON, slog text or JSON, logfmt, railway), so its errors cannot be counted (%d line%s read; line %d: %s)",
			errNothingRecognised, source, s.Lines, plural(s.Lines), first.Line, shown)
	case s.Recognised == s.OutsideWindow+s.Undated:
		return fmt.Errorf("%w: none of the %d records of %s is in the window %s (%d outside it, %d without a time)",
			errNothingRecognised, s.Recognised, source, report.WindowText(s.Window), s.OutsideWindow, s.Undated)
	}
	return nil
}

// writeLogs writes the report files asked for, then prints the summary (or
// the JSON document); it returns the first failure to write.
func writeLogs(stdout io.Writer, f logsFlags, rep report.LogsReport) error {
	var errs []error
	render := func(path string, write func(io.Writer, report.LogsReport) error) {
		if path == "" {
			return
		}
		var b bytes.Buffer
		if err := write(&b, rep); err != nil {
			errs = append(errs, fmt.Errorf("rendering %s: %w", path, err))
			return
		}
		if err := writeOutput(path, b.Bytes()); err != nil {
			errs = append(errs, fmt.Errorf("writing: %w", err))
		}
	}
	render(f.junit, report.LogsJUnit)
	render(f.markdown, report.LogsMarkdown)
	print := report.LogsText
	if f.format == "json" {
		print = report.LogsJSON
	}
	if err := print(stdout, rep); err != nil {
		errs = append(errs, fmt.Errorf("printing the summary: %w", err))
	}
	return errors.Join(errs...)
}
