package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/format"
	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/loadgate/loadgate/runner"
)

// The server's own view of a run (runner.Result.Server), beside the
// client's, in every report: per storage operation, how many had the lock,
// their wait and hold p95 and p99 and the lock timeouts; per endpoint, the
// server's p95 next to the client's. A value from buckets is the bucket that
// holds it.

const serverTitle = "server, by its own metrics, from the load's start to its last answer"

// serverNothing stands in for the tables of a server view that has none,
// read without a problem (one that was not read shows nothing).
const serverNothing = "no operation took the storage lock; the server timed none of these endpoints"

var (
	serverOperationHeader = []string{"op", "locked", "wait p95", "wait p99", "hold p95", "hold p99", "timeouts"}
	serverEndpointHeader  = []string{"endpoint", "client p95", "server p95"}
)

// serverOperations are the rows of the operations that locked or timed out
// during the run.
func serverOperations(v *servermetrics.View) [][]string {
	var rows [][]string
	for _, op := range v.Operations() {
		// Those that had the lock: the holds counted, or the waits when the
		// server times no hold.
		locked := uint64(0)
		switch {
		case op.Hold != nil:
			locked = op.Hold.Count
		case op.Wait != nil:
			locked = op.Wait.Count
		}
		if locked == 0 && op.Timeouts == 0 {
			continue // not during the run
		}
		rows = append(rows, []string{op.Name, strconv.FormatUint(locked, 10), bracket(op.Wait, 0.95), bracket(op.Wait, 0.99),
			bracket(op.Hold, 0.95), bracket(op.Hold, 0.99), strconv.FormatFloat(op.Timeouts, 'f', -1, 64)})
	}
	return rows
}

// serverEndpoints are the rows of the endpoints the server timed.
func serverEndpoints(r *runner.Result) [][]string {
	var rows [][]string
	for _, e := range r.Endpoints {
		if h := r.Server.Duration(e.Name); h != nil {
			rows = append(rows, []string{e.Name, quantile(e.Latency, 95), bracket(h, 0.95)})
		}
	}
	return rows
}

// serverTable is one table of the server's view: its header and rows, the
// first column a name, the others values.
type serverTable struct {
	header []string
	rows   [][]string
}

// serverViewTables are the tables of r's server view that have rows.
func serverViewTables(r *runner.Result) []serverTable {
	var out []serverTable
	for _, t := range []serverTable{{serverOperationHeader, serverOperations(r.Server)}, {serverEndpointHeader, serverEndpoints(r)}} {
		if len(t.rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// serverNotes are the problems of reading the metrics, and what a text
// exposition leaves out.
func serverNotes(v *servermetrics.View) []string {
	notes := append([]string{}, v.Problems...)
	if v.Text {
		notes = append(notes, "a text exposition: classic buckets only")
	}
	return notes
}

// serverTables writes the server's view in the summary.
func serverTables(w io.Writer, r *runner.Result) error {
	if r.Server == nil {
		return nil
	}
	lines := []string{serverTitle}
	for _, n := range serverNotes(r.Server) {
		lines = append(lines, "  warning: "+n)
	}
	tables := serverViewTables(r)
	if len(tables) == 0 && len(r.Server.Problems) == 0 {
		lines = append(lines, "  "+serverNothing)
	}
	if _, err := fmt.Fprintln(w, strings.Join(lines, "\n")); err != nil {
		return err
	}
	for _, part := range tables {
		numbers := []int{}
		for i := 2; i <= len(part.header); i++ {
			numbers = append(numbers, i)
		}
		t := newTable(append([]string{""}, part.header...), numbers...)
		for _, row := range part.rows {
			t.add(append([]string{""}, row...)...)
		}
		if err := t.write(w); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// bracket writes quantile q of h as the bucket that holds it, "0.90-1.10ms",
// "950µs-1.04ms";
// "-" when h has none.
func bracket(h *servermetrics.Histogram, q float64) string {
	if h == nil {
		return "-"
	}
	b, ok := h.Quantile(q)
	switch {
	case !ok:
		return "-"
	case math.IsInf(b.Upper, 1):
		return ">" + format.Bound(seconds(b.Lower))
	case b.Lower <= 0:
		return "≤" + format.Bound(seconds(b.Upper))
	}
	lower, upper := format.Bound(seconds(b.Lower)), format.Bound(seconds(b.Upper))
	unit := strings.TrimLeft(upper, "0123456789.")
	return strings.TrimSuffix(lower, unit) + "-" + upper // one unit for both: 1.47-1.60µs
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
