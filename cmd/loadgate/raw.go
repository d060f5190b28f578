package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

// rawColumns are the fields of a raw record, in CSV order.
var rawColumns = []string{"time", "endpoint", "status", "class", "latency_ms", "intended_start", "retry"}

// rawFile writes raw records as they come, through a buffer; it is a
// runner.RawSink. It keeps its first error and writes no more after one.
// The mutex lets close run while a write the runner gave up on is stuck.
type rawFile struct {
	mu      sync.Mutex
	f       *os.File
	buf     *bufio.Writer
	csv     *csv.Writer // nil for JSON lines
	classes []string
	err     error
}

// createRawFile creates path for records of a run with these class names.
func createRawFile(path string, classes []string) (*rawFile, error) {
	format, err := rawFormat(path)
	if err != nil {
		return nil, err
	}
	f, err := createOutput(path)
	if err != nil {
		return nil, fmt.Errorf("--raw: %w", err)
	}
	r := &rawFile{f: f, buf: bufio.NewWriterSize(f, 256<<10), classes: classes}
	if format == "csv" {
		r.csv = csv.NewWriter(r.buf)
		r.err = r.csv.Write(rawColumns)
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
}

// WriteRecords implements runner.RawSink.
func (r *rawFile) WriteRecords(batch []runner.RawRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range batch {
		if r.err != nil {
			return
		}
		class := r.classes[rec.Class]
		latency := float64(rec.Latency.Round(time.Microsecond)) / float64(time.Millisecond)
		if r.csv != nil {
			r.err = r.csv.Write([]string{rec.Ended.UTC().Format(time.RFC3339Nano), rec.Endpoint, strconv.Itoa(rec.Status), class,
				strconv.FormatFloat(latency, 'f', -1, 64), rec.Intended.UTC().Format(time.RFC3339Nano), strconv.FormatBool(rec.Retry)})
			continue
		}
		line, err := json.Marshal(rawJSON{Time: rec.Ended.UTC(), Endpoint: rec.Endpoint, Status: rec.Status, Class: class,
			LatencyMS: latency, IntendedStart: rec.Intended.UTC(), Retry: rec.Retry})
		if err == nil {
			_, err = r.buf.Write(append(line, '\n'))
		}
		r.err = err
	}
}

// close flushes and closes the file, returning the first error. lost is
// how many records the run could not hand over: the file stopped taking them
// (a pipe nobody reads); then a write still stuck in it is abandoned, and
// nothing more is tried.
func (r *rawFile) close(lost int64) error {
	if lost > 0 {
		r.f.SetWriteDeadline(time.Now()) // unblocks a stuck write to a pipe; a regular file never blocks
		r.mu.Lock()
		defer r.mu.Unlock()
		r.f.Close()
		return fmt.Errorf("--raw %s: %d records not written: the file took no more for longer than --timeout", r.f.Name(), lost)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.csv != nil {
		r.csv.Flush()
		if r.err == nil {
			r.err = r.csv.Error()
		}
	}
	if err := r.buf.Flush(); r.err == nil {
		r.err = err
	}
	if err := r.f.Close(); r.err == nil {
		r.err = err
	}
	if r.err != nil {
		return fmt.Errorf("--raw %s: %w", r.f.Name(), r.err)
	}
	return nil
}

// createOutput creates or truncates the file at path for writing. A named
// pipe is opened without waiting for a reader: with none, opening it would
// block before the run began, beyond the reach of an interrupt.
func createOutput(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if errors.Is(err, syscall.ENXIO) {
			return nil, fmt.Errorf("%s is a named pipe that nothing reads", path)
		}
		return f, err
	}
	return os.Create(path)
}
