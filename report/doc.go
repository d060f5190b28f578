// Package report renders a runner.Result and its verdicts for people and
// for CI systems: the text summary, Markdown (and GitHub annotations),
// JUnit XML, the HTML page and the baseline comparison's table. It judges
// nothing (internal/slo does) and reads no file (internal/resultfile
// does).
package report
