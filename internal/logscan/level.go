package logscan

import "strings"

// Level is a record's severity, whatever the format called it.
type Level uint8

const (
	LevelNone Level = iota // the line gave none
	LevelTrace
	LevelDebug
	LevelInfo
	LevelWarn
	LevelError
)

var levelNames = [...]string{"none", "trace", "debug", "info", "warn", "error"}

func (l Level) String() string { return levelNames[l] }

// NumLevels is the number of levels, none included.
const NumLevels = len(levelNames)

// parseLevel reads a level as the formats write it: tracing's TRACE DEBUG
// INFO WARN ERROR, slog's DEBUG INFO WARN ERROR with an offset ("INFO+2"
// is info), railway's DBUG and ERRO, and the usual others, in any case.
func parseLevel(s string) (Level, bool) {
	if i := strings.IndexAny(s, "+-"); i > 0 {
		s = s[:i]
	}
	switch strings.ToLower(s) {
	case "trace":
		return LevelTrace, true
	case "debug", "dbug":
		return LevelDebug, true
	case "info", "notice":
		return LevelInfo, true
	case "warn", "warning":
		return LevelWarn, true
	case "error", "erro", "err", "fatal", "critical", "crit", "panic":
		return LevelError, true
	}
	return LevelNone, false
}
