package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// rawFormat returns the format --raw writes, by the file's extension.
func rawFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv", nil
	case ".jsonl", ".ndjson":
		return "jsonl", nil
	}
	return "", usagef("--raw %s: name a .csv, .jsonl or .ndjson file", path)
}

// rawColumns are the fields of a raw record, in CSV order; a run with
// --request-id-header adds rawRequestIDColumn.
var rawColumns = []string{"time", "endpoint", "status", "class", "latency_ms", "intended_start", "retry"}

const rawRequestIDColumn = "request_id"

// rawFile writes raw records as they come, through a buffer that it
// flushes after each batch, so that the file follows the run (the engine
// hands batches over every quarter second); it is a runner.RawSink. No
// write to the file may take longer than stall: a file that takes no more
// (a pipe nobody reads) fails the write, and from the first error on the
// records are counted, not written. It is used by one goroutine at a time.
type rawFile struct {
	f       *os.File
	out     *stallWriter
	buf     *bufio.Writer
	csv     *csv.Writer   // nil for JSON lines; writes a record to line
	line    *bytes.Buffer // the record being written
	classes []string
	ids     bool // a request_id column (CSV)
	err     error
	records int64   // records received
	given   int64   // bytes given to buf
	ends    []int64 // where each record not yet wholly in the file ends, in given's count
	dropped int64   // records not given to buf, after an error
}

// createRawFile creates path for records of a run with these class names
// (and with request IDs, when ids); a write to it that takes longer than
// stall fails.
func createRawFile(path string, classes []string, stall time.Duration, ids bool) (*rawFile, error) {
	format, err := rawFormat(path)
	if err != nil {
		return nil, err
	}
	f, err := openOutput(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return nil, fmt.Errorf("--raw: %w", err)
	}
	out := &stallWriter{f: f, stall: stall}
	r := &rawFile{f: f, out: out, buf: bufio.NewWriterSize(out, 256<<10), line: &bytes.Buffer{}, classes: classes, ids: ids}
	if format == "csv" {
		r.csv = csv.NewWriter(r.line)
		columns := rawColumns
		if ids {
			columns = append(slices.Clone(columns), rawRequestIDColumn)
		}
		r.csv.Write(columns)
		r.csv.Flush()
		_, r.err = r.buf.Write(r.line.Bytes())
		r.given = int64(r.line.Len())
	}
	return r, nil
}

// rawJSON is one JSON line.
type rawJSON struct {
	Time          time.Time `json:"time"`
	Endpoint      string    `json:"endpoint"`
	Status        int       `json:"status"`
	Class         string    `json:"class"`
	LatencyMS     float64   `json:"latency_ms"`
	IntendedStart time.Time `json:"intended_start"`
	Retry         bool      `json:"retry"`
	RequestID     string    `json:"request_id,omitempty"`
}

// WriteRecords implements runner.RawSink.
func (r *rawFile) WriteRecords(batch []runner.RawRecord) {
	for _, rec := range batch {
		r.records++
		if r.err != nil {
			r.dropped++
			continue
		}
		r.line.Reset()
		class := r.classes[rec.Class]
		latency := float64(rec.Latency.Round(time.Microsecond)) / float64(time.Millisecond)
		if r.csv != nil {
			row := []string{rec.Ended.UTC().Format(time.RFC3339Nano), rec.Endpoint, strconv.Itoa(rec.Status), class,
				strconv.FormatFloat(latency, 'f', -1, 64), rec.Intended.UTC().Format(time.RFC3339Nano), strconv.FormatBool(rec.Retry)}
			if r.ids {
				row = append(row, rec.RequestID)
			}
			r.csv.Write(row)
			r.csv.Flush()
		} else {
			json.NewEncoder(r.line).Encode(rawJSON{Time: rec.Ended.UTC(), Endpoint: rec.Endpoint, Status: rec.Status, Class: class,
				LatencyMS: latency, IntendedStart: rec.Intended.UTC(), Retry: rec.Retry, RequestID: rec.RequestID})
		}
		_, r.err = r.buf.Write(r.line.Bytes())
		r.given += int64(r.line.Len())
		r.ends = append(r.ends, r.given)
	}
	if r.err == nil {
		r.err = r.buf.Flush()
	}
	r.settle()
}

// settle forgets the records that are wholly in the file.
func (r *rawFile) settle() {
	n := 0
	for n < len(r.ends) && r.ends[n] <= r.out.written {
		n++
	}
	if n > 0 {
		r.ends = r.ends[:copy(r.ends, r.ends[n:])]
	}
}

// close flushes and closes the file. It returns an error saying how many of
// the records are not in the file, when any is not.
func (r *rawFile) close() error {
	if r.err == nil {
		r.err = r.buf.Flush()
	}
	if err := r.f.Close(); r.err == nil {
		r.err = err
	}
	r.settle()
	if r.err == nil {
		return nil
	}
	return fmt.Errorf("--raw %s: %d of %d records not written: %w", r.f.Name(), r.dropped+int64(len(r.ends)), r.records, r.err)
}

// stallWriter writes to f, failing a write that takes longer than stall
// (on a pipe; a regular file does not wait), and counts what it wrote.
type stallWriter struct {
	f       *os.File
	stall   time.Duration
	written int64
}

func (w *stallWriter) Write(p []byte) (int, error) {
	w.f.SetWriteDeadline(time.Now().Add(w.stall)) // an error here: a file that never blocks
	n, err := w.f.Write(p)
	w.written += int64(n)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("the file took no more for %s", w.stall)
	}
	return n, err
}
