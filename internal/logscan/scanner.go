package logscan

import (
	"bufio"
	"errors"
	"io"
)

// MaxLineBytes bounds a line (after joining a platform's parts); a longer
// one is counted as not recognised and skipped.
const MaxLineBytes = 1 << 20

// Scanner reads a log line by line. Each Scan reads one line (a
// platform's partial lines joined into one) and parses it; Record then
// holds it until the next Scan. Memory does not grow with the log.
type Scanner struct {
	in        *bufio.Reader
	record    Record
	ok        bool
	text      string // the application's line, without wrapping or ANSI escapes
	number    int64  // of the last physical line read
	pending   []byte // partial lines waiting for their end
	oversized bool   // pending passed MaxLineBytes
	tooLong   bool   // the last line was longer than MaxLineBytes
	ansiBuf   []byte
	err       error
}

// NewScanner returns a Scanner that reads r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{in: bufio.NewReaderSize(r, 64<<10)}
}

// Scan reads the next line. It returns false at the end of the input or
// on a read error (see Err).
func (s *Scanner) Scan() bool {
	for {
		raw, tooLong, err := s.readLine()
		switch {
		case tooLong:
			s.record.reset()
			s.text, s.ok, s.tooLong = "", false, true
			return true
		case err == nil && len(raw) == 0:
			continue // a blank line is no line of the log
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
			if len(s.pending) > 0 || s.oversized { // a last part never ended
				return s.finish(unwrapped{})
			}
			return false
		}
		u := unwrap(string(raw))
		if u.partial {
			if len(s.pending)+len(u.line) > MaxLineBytes {
				s.oversized, s.pending = true, s.pending[:0]
			} else if !s.oversized {
				s.pending = append(s.pending, u.line...)
			}
			continue
		}
		return s.finish(u)
	}
}

// finish parses the line u ends (after the parts pending, if any).
func (s *Scanner) finish(u unwrapped) bool {
	s.record.reset()
	line := u.line
	s.tooLong = false
	if len(s.pending) > 0 || s.oversized {
		if s.oversized || len(s.pending)+len(line) > MaxLineBytes {
			s.pending, s.oversized, s.text, s.ok, s.tooLong = s.pending[:0], false, "", false, true
			return true
		}
		line = string(append(s.pending, line...))
		s.pending = s.pending[:0]
	}
	clean, buf := stripANSI([]byte(line), s.ansiBuf)
	s.ansiBuf = buf
	if len(clean) != len(line) {
		line = string(clean)
	}
	s.text = line
	s.ok = parseLine(line, &s.record)
	if s.ok && s.record.Time.IsZero() {
		s.record.Time = u.time
	}
	return true
}

// readLine reads one physical line without its newline (and without a
// carriage return before it); tooLong reports a line longer than
// MaxLineBytes, which is skipped.
func (s *Scanner) readLine() (line []byte, tooLong bool, err error) {
	line, err = s.in.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = s.in.ReadSlice('\n')
			if len(long) <= MaxLineBytes {
				long = append(long, line...)
			}
		}
		if len(long) > MaxLineBytes {
			s.number++
			return nil, true, nil
		}
		line = long
	}
	if len(line) == 0 && err != nil {
		return nil, false, err
	}
	s.number++
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
	}
	if n > 0 && line[n-1] == '\r' {
		n--
	}
	return line[:n], false, nil
}

// Recognised reports whether the last line read was of a known format.
func (s *Scanner) Recognised() bool { return s.ok }

// Record returns the last line read, parsed; valid until the next Scan.
func (s *Scanner) Record() *Record { return &s.record }

// Text returns the last line as the application wrote it: without a
// platform's wrapping and without ANSI escapes; "" when TooLong.
func (s *Scanner) Text() string { return s.text }

// TooLong reports whether the last line was longer than MaxLineBytes, and
// skipped: not recognised, and without a Text.
func (s *Scanner) TooLong() bool { return s.tooLong }

// LineNumber returns the number of the last physical line read, from 1.
func (s *Scanner) LineNumber() int64 { return s.number }

// Err returns the read error that ended Scan, if any (not io.EOF).
func (s *Scanner) Err() error { return s.err }
