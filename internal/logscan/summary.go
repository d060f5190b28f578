package logscan

import (
	"io"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/runner"
)

// KindLockTimeout is the error kind of a storage lock timeout, as the
// reference API and its seed service log it.
const KindLockTimeout = "storage_lock_timeout"

// lockTimeoutWarning is the bare warning the seed service logs for a lock
// timeout, matched without regard to case anywhere in a message.
const lockTimeoutWarning = "storage lock timeout"

// maxNames bounds the endpoints and the error kinds a Summary keeps
// apart, so that a log of many paths (/users/1, /users/2, ...) takes no
// more memory than another: the others are counted together as
// OtherName.
const maxNames = 64

// OtherName counts the endpoints and error kinds past the first 64.
const OtherName = "(other)"

// maxSamples is how many lines of each error kind a Summary keeps, and
// maxSampleBytes how much of each.
const (
	maxSamples     = 3
	maxSampleBytes = 512
)

// Window is the span of time whose records a Summary counts: records
// before Since or at or after Until are left out. A zero bound is open.
type Window struct{ Since, Until time.Time }

func (w Window) open() bool { return w.Since.IsZero() && w.Until.IsZero() }

// Summary is what a log says, summed up line by line (Add) and completed
// by Finish. Latencies are in HdrHistograms of runner's latency geometry
// (microseconds, 1 µs to 1 h, 3 significant digits).
type Summary struct {
	Window Window
	// Lines counts the lines read (a platform's parts joined count once),
	// Recognised those of a known format, Unrecognised the others.
	Lines, Recognised, Unrecognised int64
	ByFormat                        [NumFormats]int64 // the lines recognised, by format
	// ByLevel counts the records in the window by level.
	ByLevel [NumLevels]int64
	// FirstUnrecognised is the first line not recognised, to show why.
	FirstUnrecognised Sample
	// OutsideWindow counts recognised records left out by the window;
	// Undated those left out because a window was given and they had no
	// time.
	OutsideWindow, Undated int64
	First, Last            time.Time // of the records counted

	// Requests counts request records: those with a status or an
	// error_kind. Errors counts the errors: request records with an
	// error_kind or a status of 400 or more, and the lock timeouts (see
	// LockTimeouts), each once.
	Requests, Errors int64
	ByKind           map[string]int64 // error kind → errors
	ByEndpoint       map[string]*EndpointCounts
	ByStatus         map[int]int64
	LockTimeouts     LockTimeouts
	// LockAcquire and LockHold are the lock wait and hold times of the
	// records that log them (wait_ms, hold_ms), LockOperations their count.
	LockAcquire, LockHold *hdrhistogram.Histogram
	LockOperations        int64
	// ErrorLatency holds the duration_ms of every error record that has
	// one; KindLatency the same by kind.
	ErrorLatency *hdrhistogram.Histogram
	KindLatency  map[string]*hdrhistogram.Histogram
	// Samples are the first lines of each error kind.
	Samples map[string][]Sample

	lockPairs lockPairs
	finished  bool
}

// EndpointCounts are one endpoint's request records.
type EndpointCounts struct{ Requests, Errors, LockTimeouts int64 }

// LockTimeouts counts the storage lock timeouts a log shows. A service may
// log one as a structured record (error_kind=storage_lock_timeout), as a
// bare warning ("storage lock timeout - returning 503"), or both. The
// lines of one trace ID within LockPairLines lines of its first are
// paired: they are as many lock timeouts as the more of their records and
// their warnings, and Matched counts the fewer (those logged both ways).
// Total is those of every trace ID, plus every line without a trace ID
// (which cannot be paired).
type LockTimeouts struct {
	Structured, Warnings, Matched, Total int64
}

// Sample is one line of an error kind, or the first not recognised: its
// number in the input and its text (without wrapping or ANSI escapes, cut
// at 512 bytes). TooLong says the line was longer than MaxLineBytes and
// skipped: its Text is "".
type Sample struct {
	Line    int64
	Text    string
	TooLong bool
}

// NewSummary returns an empty Summary that counts the records in w.
func NewSummary(w Window) *Summary {
	return &Summary{
		Window:       w,
		ByKind:       map[string]int64{},
		ByEndpoint:   map[string]*EndpointCounts{},
		ByStatus:     map[int]int64{},
		LockAcquire:  runner.NewLatencyHistogram(),
		LockHold:     runner.NewLatencyHistogram(),
		ErrorLatency: runner.NewLatencyHistogram(),
		KindLatency:  map[string]*hdrhistogram.Histogram{},
		Samples:      map[string][]Sample{},
		lockPairs:    newLockPairs(),
	}
}

// Read reads a whole log into a finished Summary. The error is a read
// error; a log in which nothing was recognised is not one (see
// Summary.Recognised).
func Read(in io.Reader, w Window) (*Summary, error) {
	sc := NewScanner(in)
	s := NewSummary(w)
	for sc.Scan() {
		s.Add(sc)
	}
	s.Finish()
	return s, sc.Err()
}

// Add counts the line the scanner last read.
func (s *Summary) Add(sc *Scanner) {
	s.Lines++
	s.lockPairs.closeBefore(s.Lines, &s.LockTimeouts)
	if !sc.Recognised() {
		if s.Unrecognised == 0 {
			s.FirstUnrecognised = sampleOf(sc)
		}
		s.Unrecognised++
		return
	}
	s.Recognised++
	r := sc.Record()
	s.ByFormat[r.Format]++
	switch {
	case s.Window.open():
	case r.Time.IsZero():
		s.Undated++
		return
	case !s.Window.Since.IsZero() && r.Time.Before(s.Window.Since), !s.Window.Until.IsZero() && !r.Time.Before(s.Window.Until):
		s.OutsideWindow++
		return
	}
	s.ByLevel[r.Level]++
	if !r.Time.IsZero() {
		if s.First.IsZero() || r.Time.Before(s.First) {
			s.First = r.Time
		}
		if r.Time.After(s.Last) {
			s.Last = r.Time
		}
	}
	if wait, ok := r.Get("wait_ms"); ok {
		s.LockOperations++
		recordMillis(s.LockAcquire, wait)
		if hold, ok := r.Get("hold_ms"); ok {
			recordMillis(s.LockHold, hold)
		}
	}
	kind, status, isRequest := requestOf(r)
	switch {
	case isRequest:
		s.addRequest(sc, r, kind, status)
	case strings.Contains(strings.ToLower(r.Message), lockTimeoutWarning):
		s.LockTimeouts.Warnings++
		s.lockTimeout(r, false)
		s.sample(KindLockTimeout, sc)
	}
}

// requestOf reads a request record's error kind ("" for a success) and
// status (0 when not logged); isRequest is false for any other record.
func requestOf(r *Record) (kind string, status int, isRequest bool) {
	statusText := r.first("status", "status_code", "http.status_code", "http.response.status_code")
	status, _ = strconv.Atoi(statusText)
	if status < 100 || status > 999 {
		status = 0 // not an HTTP status
	}
	kind = r.first("error_kind")
	if kind == "" && status >= 400 {
		kind = "status_" + strconv.Itoa(status)
	}
	return kind, status, statusText != "" || kind != ""
}

// endpointOf reads a request record's endpoint: its endpoint, route or
// path, else the path of its uri (tower-http's request span writes the
// request's URI: "/api/auth/login?next=1", or a whole URL), without the
// query.
func endpointOf(r *Record) string {
	if name := r.first("endpoint", "route", "path"); name != "" {
		return name
	}
	uri, _ := r.Get("uri")
	if _, afterScheme, ok := strings.Cut(uri, "://"); ok {
		uri = "/"
		if slash := strings.IndexByte(afterScheme, '/'); slash >= 0 {
			uri = afterScheme[slash:]
		}
	}
	path, _, _ := strings.Cut(uri, "?")
	return path
}

func (s *Summary) addRequest(sc *Scanner, r *Record, kind string, status int) {
	s.Requests++
	if status > 0 {
		s.ByStatus[status]++
	}
	endpoint := endpointOf(r)
	e := s.ByEndpoint[endpoint]
	if e == nil {
		if len(s.ByEndpoint) >= maxNames {
			endpoint = OtherName
		}
		if e = s.ByEndpoint[endpoint]; e == nil {
			e = &EndpointCounts{}
			s.ByEndpoint[endpoint] = e
		}
	}
	e.Requests++
	if kind == "" {
		return
	}
	e.Errors++
	if _, known := s.ByKind[kind]; !known && kind != KindLockTimeout && len(s.ByKind) >= maxNames {
		kind = OtherName
	}
	if d, ok := r.Get("duration_ms"); ok {
		recordMillis(s.ErrorLatency, d)
		h := s.KindLatency[kind]
		if h == nil {
			h = runner.NewLatencyHistogram()
			s.KindLatency[kind] = h
		}
		recordMillis(h, d)
	}
	s.sample(kind, sc)
	if kind == KindLockTimeout {
		e.LockTimeouts++
		s.LockTimeouts.Structured++
		s.lockTimeout(r, true)
		return
	}
	s.Errors++
	s.ByKind[kind]++
}

// lockTimeout notes a lock timeout logged as a structured record, or as a
// warning.
func (s *Summary) lockTimeout(r *Record, structured bool) {
	id := r.first("trace_id", "request_id")
	if id == "" {
		s.LockTimeouts.Total++
		return
	}
	s.lockPairs.add(id, s.Lines, structured)
}

// Shown is the sample's text as a report shows it, or for a line too long
// what it was.
func (s Sample) Shown() string {
	if s.TooLong {
		return "longer than 1 MiB (" + strconv.Itoa(MaxLineBytes) + " bytes), skipped"
	}
	return s.Text
}

func (s *Summary) sample(kind string, sc *Scanner) {
	if len(s.Samples[kind]) >= maxSamples {
		return
	}
	s.Samples[kind] = append(s.Samples[kind], sampleOf(sc))
}

// sampleOf keeps the scanner's last line, cut at maxSampleBytes, with
// control characters (but tab) and invalid UTF-8 as U+FFFD, so that a
// sample printed on a terminal cannot drive it.
func sampleOf(sc *Scanner) Sample {
	text := sc.Text()
	if len(text) > maxSampleBytes {
		text = text[:maxSampleBytes]
	}
	text = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(text, "\uFFFD"))
	return Sample{Line: sc.LineNumber(), Text: text, TooLong: sc.TooLong()}
}

// Finish completes the counts that need the whole log: the lock timeouts
// still waiting for a partner, and the errors the lock timeouts add. It
// may be called more than once; the calls after the first do nothing.
func (s *Summary) Finish() {
	if s.finished {
		return
	}
	s.finished = true
	lt := &s.LockTimeouts
	s.lockPairs.closeAll(lt)
	if lt.Total > 0 {
		s.ByKind[KindLockTimeout] = lt.Total
		s.Errors += lt.Total
	}
}

// recordMillis records a value written in milliseconds ("1.25"; a
// duration with a unit, "1.25ms", is read too) in h, in microseconds,
// clamped to h's range. A value that is neither is not recorded.
func recordMillis(h *hdrhistogram.Histogram, value string) {
	var us float64
	if ms, err := strconv.ParseFloat(value, 64); err == nil {
		us = ms * 1000
	} else if d, err := time.ParseDuration(value); err == nil {
		us = float64(d) / float64(time.Microsecond)
	} else {
		return
	}
	if us != us || us < 0 {
		return
	}
	us = min(us+0.5, float64(h.HighestTrackableValue()))
	h.RecordValue(max(int64(us), h.LowestTrackableValue()))
}
