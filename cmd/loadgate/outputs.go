package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/internal/readfile"
	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
	"github.com/spf13/pflag"
)

// envStepSummary is the file GitHub Actions shows as a job's summary.
const envStepSummary = "GITHUB_STEP_SUMMARY"

// defaultMaxRegression is the limit of --baseline without --max-regression.
const defaultMaxRegression = "p95=10%,error_rate=0.1%"

// outputFlags are the report files `run` and `report` write, and the
// baseline they compare with.
type outputFlags struct {
	out, junit, markdown, html string
	baseline, maxRegression    string
	quiet                      bool

	baselineResult *runner.Result // read by prepare
	limits         []slo.Limit
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.out, "out", "", "write the result JSON to this file")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report (one test case per SLO) to this file")
	fs.StringVar(&o.markdown, "markdown", "", "write a Markdown summary to this file (also appended to $"+envStepSummary+" when set)")
	fs.StringVar(&o.html, "html", "", "write a self-contained HTML report with charts to this file")
	fs.StringVar(&o.baseline, "baseline", "", "compare with this earlier result JSON, endpoint by endpoint; a regression exits 3")
	fs.StringVar(&o.maxRegression, "max-regression", "", "limits for --baseline, such as 'p95=10%,error_rate=0.1%' (default \""+defaultMaxRegression+"\")")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the SLO lines (and the baseline comparison)")
}

// prepare checks every output path, these and the command's other files
// (more), and reads the baseline, before anything is run.
func (o *outputFlags) prepare(fs *pflag.FlagSet, more ...outputFile) error {
	files := append([]outputFile{{name: "--out", path: o.out}, {name: "--junit", path: o.junit},
		{name: "--markdown", path: o.markdown}, {name: "--html", path: o.html}}, more...)
	for _, f := range append(slices.Clone(files), outputFile{name: "--baseline", path: o.baseline}) {
		if f.path == "" && fs.Changed(strings.TrimPrefix(f.name, "--")) {
			// An unset variable (--baseline "$LAST") is a mistake, never a run without the file.
			return usagef("%s is empty: give a file name, or leave the flag out", f.name)
		}
	}
	files = append(files, outputFile{name: "$" + envStepSummary, path: os.Getenv(envStepSummary), appended: true})
	if err := checkOutputs(files); err != nil {
		return err
	}
	if fs.Changed("max-regression") && o.baseline == "" {
		return usagef("--max-regression sets the limits of --baseline; give --baseline OLD.json")
	}
	if o.baseline == "" {
		return nil
	}
	limits, err := slo.ParseLimits(cmp.Or(o.maxRegression, defaultMaxRegression))
	if err != nil {
		return usagef("invalid --max-regression: %v", err)
	}
	o.limits = limits
	saved, err := readResultFile(o.baseline)
	if err != nil {
		return usagef("--baseline %v", err)
	}
	o.baselineResult = saved.Result
	return nil
}

// checkBaseline refuses a baseline of another scenario than the result's
// (scenario): compared endpoint by endpoint, no endpoint would be in both
// and the totals of two different loads would pass for a regression.
func (o *outputFlags) checkBaseline(scenario string) error {
	if o.baselineResult == nil || o.baselineResult.Scenario == scenario {
		return nil
	}
	return usagef("--baseline %s is of scenario %q, the result of %q: compare results of one scenario",
		o.baseline, o.baselineResult.Scenario, scenario)
}

// readResultFile reads a result JSON file.
func readResultFile(path string) (*resultfile.Saved, error) {
	data, err := readfile.Limited(path, resultfile.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	saved, err := resultfile.Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return saved, nil
}

// write writes every report file asked for and adds to the GitHub Actions
// step summary when there is one, then prints the summary (or the SLO lines)
// and the baseline comparison to stdout. The files come first, so that
// nothing that happens to stdout can keep them from being written. The
// reports that list SLOs list the baseline's limits with them. It returns
// the verdicts of the SLOs and of the baseline's limits, and the first
// failure to write.
func (o *outputFlags) write(stdout io.Writer, r *runner.Result, verdicts []slo.Verdict, extra func(io.Writer) error) (all []slo.Verdict, err error) {
	var errs []error
	keep := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	var comparison *resultfile.Comparison
	all = verdicts // the SLOs, and the baseline's limits
	limits := cmp.Or(o.maxRegression, defaultMaxRegression)
	if o.baselineResult != nil {
		comparison = &resultfile.Comparison{Baseline: o.baseline, Limits: limits, Deltas: slo.Compare(o.baselineResult, r, o.limits)}
		all = append(slices.Clone(verdicts), slo.BaselineVerdicts(comparison.Deltas)...)
	}
	render := func(path string, f func(io.Writer) error) {
		if path == "" {
			return
		}
		var b bytes.Buffer
		if err := f(&b); err != nil {
			keep("rendering "+path, err)
			return
		}
		keep("writing", writeOutput(path, b.Bytes()))
	}
	render(o.out, func(w io.Writer) error {
		data, err := resultfile.Encode(r, verdicts, comparison)
		if err == nil {
			_, err = w.Write(append(data, '\n'))
		}
		return err
	})
	render(o.junit, func(w io.Writer) error { return report.JUnit(w, r, all) })
	render(o.markdown, func(w io.Writer) error { return report.Markdown(w, r, all) })
	render(o.html, func(w io.Writer) error { return report.HTML(w, r, all) })
	summary := os.Getenv(envStepSummary)
	if summary != "" {
		keep("$"+envStepSummary, appendStepSummary(summary, r, all))
	}

	if o.quiet {
		keep("printing the SLOs", report.Verdicts(stdout, verdicts))
	} else {
		keep("printing the summary", report.Text(stdout, r, verdicts))
		if extra != nil {
			keep("printing the summary", extra(stdout))
		}
	}
	if comparison != nil {
		regressions := slo.Regressions(comparison.Deltas)
		fprintf(stdout, "\nbaseline %s: %d regression%s beyond %s\n", o.baseline, regressions, plural(regressions), limits)
		keep("printing the comparison", report.Deltas(stdout, comparison.Deltas))
	}
	if summary != "" {
		keep("printing annotations", report.Annotations(stdout, all))
	}
	return all, errors.Join(errs...)
}

// appendStepSummary appends the Markdown summary to GitHub's step summary.
func appendStepSummary(path string, r *runner.Result, verdicts []slo.Verdict) error {
	var b bytes.Buffer
	if err := report.Markdown(&b, r, verdicts); err != nil {
		return err
	}
	return writeInPlace(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, b.Bytes())
}

// checkShard refuses, for a shard, the outputs that hold verdicts: a
// shard judges no SLO, the merge of all the shards is judged. A shard
// must write its result (--out) for that merge.
func (o *outputFlags) checkShard(fs *pflag.FlagSet) error {
	for _, name := range []string{"junit", "markdown", "html", "baseline"} {
		if fs.Changed(name) {
			return usagef("--%s: a shard judges no SLO; the merge of all the shards is judged by `loadgate report --expect-shards N`, which writes --%s", name, name)
		}
	}
	if o.out == "" {
		return usagef("a shard writes its result for `loadgate report --expect-shards N`: give --out FILE")
	}
	return nil
}

// writeShard writes a shard's result, with its SLOs unjudged, to --out,
// then prints the summary (unless --quiet) and says where the SLOs are
// judged. It returns the first failure to write.
func (o *outputFlags) writeShard(stdout io.Writer, r *runner.Result, slos []slo.SLO, extra func(io.Writer) error) error {
	var exprs []string
	for _, s := range slos {
		exprs = append(exprs, s.Expr)
	}
	data, err := resultfile.EncodeShard(r, exprs)
	if err == nil {
		err = writeOutput(o.out, append(data, '\n'))
	}
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("writing: %w", err))
	}
	if !o.quiet {
		if err := report.Text(stdout, r, nil); err != nil {
			errs = append(errs, fmt.Errorf("printing the summary: %w", err))
		} else if err := extra(stdout); err != nil {
			errs = append(errs, fmt.Errorf("printing the summary: %w", err))
		}
	}
	fprintf(stdout, "\nshard %s: %d SLO%s not judged here; `loadgate report --expect-shards %d` judges the merge of all the shards' results\n",
		r.Load.Shard, len(exprs), plural(len(exprs)), r.Load.Shard.Count)
	return errors.Join(errs...)
}
