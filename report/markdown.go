package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// Markdown writes a GitHub-flavoured Markdown summary of r and its verdicts,
// for a pull request or a job's step summary: a heading with the scenario and
// PASS or FAIL, the target, load and duration, a table of the SLOs, a table
// of the endpoints and their total, the open model's dropped arrivals, the
// failed connection attempts, the requests of each outcome class other than
// ok and each endpoint's failure messages when there are any, and, when the
// run retried, each endpoint's retries and first attempts. Scenario,
// endpoint, class names, SLO expressions and messages are written as code,
// so nothing in them is read as Markdown, a link or a mention.
func Markdown(w io.Writer, r *runner.Result, verdicts []slo.Verdict) error {
	var b strings.Builder
	tally := Count(verdicts)
	verdict := "✅ PASS (" + tally.String() + ")"
	switch {
	case tally.Failed():
		verdict = "❌ FAIL (" + tally.String() + ")"
	case len(verdicts) == 0:
		verdict = tally.String()
	}
	fmt.Fprintf(&b, "## loadgate %s: %s\n\n", mdCode(r.Scenario), verdict)
	fmt.Fprintf(&b, "**Target** %s · **Load** %s · **Ran** %s from %s%s\n",
		mdCode(r.Target), mdText(describeLoad(r)), r.Duration().Round(time.Millisecond), r.Started.UTC().Format(time.RFC3339), onCores(r))
	if r.Interrupted {
		b.WriteString("\n> **Interrupted**: the figures cover what ran before the signal.\n")
	}
	if r.TLSUnverified {
		b.WriteString("\n> **Unverified**: " + mdText(unverifiedNote) + ".\n")
	}
	if setup := setupSentence(r.Setup); setup != "" {
		b.WriteString("\n**Setup** " + mdText(setup) + "\n")
	}
	if remote := UsersLeftAtTarget(r.Setup); remote != "" {
		b.WriteString("\n> **Users left at the target**: " + mdText(remote) + ".\n")
	}
	if session := sessionSentence(r.Session); session != "" {
		b.WriteString("\n**Sessions** " + mdText(session) + "\n")
	}

	mdServer(&b, r)

	mdVerdicts(&b, verdicts)

	b.WriteString("\n### Endpoints\n\n")
	mdRow(&b, "Endpoint", "Requests", "OK", "Errors", "Error rate", "p50", "p95", "p99", "Max", "req/s")
	b.WriteString("|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	rows := append(append([]*runner.EndpointStats{}, r.Endpoints...), r.Total)
	for i, e := range rows {
		name := mdEndpoint(e.Name, i == len(rows)-1)
		// Error rate and latencies, which a row without requests has not.
		rate, p50, p95, p99, most := "–", "–", "–", "–", "–"
		if n := e.Requests(); n > 0 {
			rate = format.Number(format.Percent(e.Errors(), n), 2) + "%"
			p50, p95, p99 = FormatLatency(e.Percentile(50)), FormatLatency(e.Percentile(95)), FormatLatency(e.Percentile(99))
			most = FormatLatency(e.Max())
		}
		mdRow(&b, name, mdCount(e.Requests()), mdCount(e.OK()), mdCount(e.Errors()), rate, p50, p95, p99, most,
			strconv.FormatFloat(r.RPS(e), 'f', 1, 64))
	}
	if r.Load.Open {
		mdOpen(&b, r)
	}

	if s := connectSentence(r.Total); s != "" {
		fmt.Fprintf(&b, "\n**Connections**: %s.\n", mdText(s))
	}
	mdClasses(&b, r, rows)
	mdMessages(&b, r)
	mdRetries(&b, rows)
	_, err := io.WriteString(w, b.String())
	return err
}

// mdOpen writes the open model's paragraph: the rate asked for and
// achieved, the arrivals dropped and why, the generator's lateness, and a
// warning when the generator or the worker pool limited the run.
func mdOpen(b *strings.Builder, r *runner.Result) {
	achieved := fmt.Sprintf("%.1f iterations/s (%.1f req/s over the whole run)", r.IterationRate(), r.RPS(r.Total))
	if !r.IterationsKnown() {
		achieved = fmt.Sprintf("%.1f req/s", r.RPS(r.Total))
	}
	fmt.Fprintf(b, "\n**Open model**: target %s iterations/s, achieved %s; %s of %s arrivals dropped (%s%%",
		format.Rate(r.TargetRate()), achieved, mdCount(r.Dropped), mdCount(r.Arrivals), format.Number(format.Percent(r.Dropped, r.Arrivals), 2))
	if causes := dropCauses(r); causes != "" {
		b.WriteString(": " + causes)
	}
	fmt.Fprintf(b, "), peak %d worker%s.", r.PeakWorkers, plural(r.PeakWorkers))
	if late := lateness(r); late != "" {
		b.WriteString(" The generator sent late by " + late + ".")
	}
	b.WriteString(" Latency counts from each request's scheduled start, so it includes any wait to be sent.\n")
	if w := generatorWarning(r); w != "" {
		fmt.Fprintf(b, "\n> **Warning**: %s; %s.\n", mdText(w), mdText(generatorMeaning))
	}
	if w := poolWarning(r); w != "" {
		fmt.Fprintf(b, "\n> **Warning**: %s.\n", mdText(w))
	}
}

// mdClasses writes, when any request had a class other than ok, a table of
// those classes' requests by endpoint: a column per class that occurred.
func mdClasses(b *strings.Builder, r *runner.Result, rows []*runner.EndpointStats) {
	names := r.Classes()
	total := rows[len(rows)-1]
	var classes []int
	for class := int(runner.ClassOK) + 1; class < len(names); class++ {
		if total.Classes[class] > 0 {
			classes = append(classes, class)
		}
	}
	if len(classes) == 0 {
		return
	}
	b.WriteString("\n### Outcomes other than ok\n\n")
	header := []string{"Endpoint"}
	align := "|:--|"
	for _, class := range classes {
		header = append(header, mdCode(names[class]))
		align += "--:|"
	}
	mdRow(b, header...)
	b.WriteString(align + "\n")
	for i, e := range rows {
		cells := []string{mdEndpoint(e.Name, i == len(rows)-1)}
		for _, class := range classes {
			cells = append(cells, mdCount(e.Classes[class]))
		}
		mdRow(b, cells...)
	}
}

// mdMessages writes, when requests failed with messages, a table of each
// endpoint's, the most frequent first.
func mdMessages(b *strings.Builder, r *runner.Result) {
	if len(r.Total.Messages) == 0 {
		return
	}
	b.WriteString("\n### Why requests failed\n\n")
	mdRow(b, "Endpoint", "Class", "Requests", "Message")
	b.WriteString("|:--|:--|--:|:--|\n")
	for _, e := range r.Endpoints {
		for _, m := range e.TopMessages(len(e.Messages)) {
			mdRow(b, mdCode(e.Name), mdCode(messageLabel(r, m)), mdCount(m.Count), mdCode(m.Text))
		}
	}
	b.WriteString("\nThe first few distinct messages of each class per endpoint; the requests of a class beyond them are in its count alone.\n")
}

// mdRetries writes, for a run that retried, a table of retries by endpoint
// and of the first attempts alone: the errors that retries made up for.
func mdRetries(b *strings.Builder, rows []*runner.EndpointStats) {
	attempts := retryRows(rows)
	if attempts == nil {
		return
	}
	b.WriteString("\n### Retries\n\n")
	mdRow(b, "Endpoint", "Retries", "First attempts", "First-attempt errors", "First-attempt error rate")
	b.WriteString("|:--|--:|--:|--:|--:|\n")
	for i, a := range attempts {
		rate := "–"
		if a.requests > 0 {
			rate = format.Number(a.errorRate(), 2) + "%"
		}
		mdRow(b, mdEndpoint(a.name, i == len(attempts)-1), mdCount(a.retries), mdCount(a.requests), mdCount(a.errors), rate)
	}
	b.WriteString("\nEvery attempt counts in the tables above; first attempts are what a client that never retries would have seen.\n")
}

// mdEndpoint writes a table row's endpoint name, or **total** for the
// total's row.
func mdEndpoint(name string, total bool) string {
	if total {
		return "**total**"
	}
	return mdCode(name)
}

// mdCount writes n with thousands separated by commas: 12,345.
func mdCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// mdRow writes one table row. Each cell is Markdown already; a | in it is
// escaped, which GitHub's tables undo inside code spans too.
func mdRow(b *strings.Builder, cells ...string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
	}
	b.WriteString("\n")
}

// mdText escapes what Markdown would read as emphasis, code, links, HTML,
// entities, strikethrough or maths in text of our own (reasons, the load).
func mdText(s string) string {
	var b strings.Builder
	for _, r := range mdLine(s) {
		if strings.ContainsRune("\\`*_[]<>&~$", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode writes s as a code span, which shows every character as it is: the
// fence is a run of backticks longer than any in s, and a space pads s where
// it begins or ends with a backtick or a space. The empty string is "(none)".
func mdCode(s string) string {
	s = mdLine(s)
	if s == "" {
		return "(none)"
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdLine keeps s on one line: control characters, line breaks among them,
// become U+FFFD.
func mdLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// Annotations writes one GitHub Actions workflow command per failed SLO, so
// that the failure shows on the run's page:
//
//	::error title=SLO failed::p95<500ms: 612.4ms is not < 500ms
//
// It writes nothing when every SLO passed.
func Annotations(w io.Writer, verdicts []slo.Verdict) error {
	var b strings.Builder
	for _, v := range verdicts {
		if !v.Pass {
			fmt.Fprintf(&b, "::error title=%s::%s\n", ghProperty("SLO failed"), ghData(v.SLO.Expr+": "+v.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes a workflow command's message.
var ghData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// ghProperty escapes a workflow command's property value.
var ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace

// mdServer writes the server's own view, when the run has one.
func mdServer(b *strings.Builder, r *runner.Result) {
	if r.Server == nil {
		return
	}
	b.WriteString("\n### Server\n\n" + mdText(serverTitle) + "\n")
	for _, n := range serverNotes(r.Server) {
		b.WriteString("\n> **Warning**: " + mdText(n) + "\n")
	}
	tables := serverViewTables(r)
	if len(tables) == 0 && len(r.Server.Problems) == 0 {
		b.WriteString("\n" + mdText(serverNothing) + ".\n")
	}
	for _, part := range tables {
		b.WriteString("\n")
		mdRow(b, part.header...)
		b.WriteString("|:--" + strings.Repeat("|--:", len(part.header)-1) + "|\n")
		for _, row := range part.rows {
			cells := []string{mdText(row[0])}
			for _, c := range row[1:] {
				cells = append(cells, mdText(c))
			}
			mdRow(b, cells...)
		}
	}
}

// mdVerdicts writes the SLOs' table, when there are SLOs.
func mdVerdicts(b *strings.Builder, verdicts []slo.Verdict) {
	if len(verdicts) == 0 {
		return
	}
	b.WriteString("\n### SLOs\n\n")
	mdRow(b, "Result", "SLO", "Actual", "Threshold", "Reason")
	b.WriteString("|:--|:--|--:|--:|:--|\n")
	for _, v := range verdicts {
		mark, actual := "✅ PASS", v.SLO.Format(v.Actual)
		if !v.Pass {
			mark = "❌ FAIL"
		}
		if v.NoSamples {
			actual = "–"
		}
		mdRow(b, mark, mdCode(v.SLO.Expr), mdText(actual), mdText(v.SLO.Op.String()+" "+v.SLO.Format(v.SLO.Threshold)), mdText(v.Reason))
	}
}
