package logscan

import "time"

// Field is one key and its value, unquoted, as a log record carries it.
// Numbers are kept as written ("1.23", or a u128 written as a string).
type Field struct{ Key, Value string }

// Record is one log line read: its time (zero when the line has none), its
// level, its message and its fields. Context holds the fields of the spans
// the event was in (tracing), outermost first; Fields are the event's own.
type Record struct {
	Time    time.Time
	Level   Level
	Message string
	Fields  []Field
	Context []Field
	Format  Format
}

// Get returns the value of key: the event's own field, the last one written
// when a key repeats (as a JSON decoder keeps the last); else the innermost
// span's. ok is false when no field has that key.
func (r *Record) Get(key string) (value string, ok bool) {
	for _, fields := range [2][]Field{r.Fields, r.Context} {
		for i := len(fields) - 1; i >= 0; i-- {
			if fields[i].Key == key {
				return fields[i].Value, true
			}
		}
	}
	return "", false
}

// first returns the value of the first of keys the record has.
func (r *Record) first(keys ...string) string {
	for _, k := range keys {
		if v, ok := r.Get(k); ok {
			return v
		}
	}
	return ""
}

func (r *Record) reset() {
	*r = Record{Fields: r.Fields[:0], Context: r.Context[:0]}
}

// Format is the log format a line was read as.
type Format uint8

const (
	FormatUnknown Format = iota
	FormatTracingText
	FormatJSON
	FormatKeyValue // Go slog's text handler and logfmt
	FormatRailwayText
)

var formatNames = [...]string{"unknown", "tracing_text", "json", "logfmt", "railway_text"}

func (f Format) String() string { return formatNames[f] }

// NumFormats is the number of formats, unknown included.
const NumFormats = len(formatNames)
