// Package logscan reads a service's log, line by line, into records (time,
// level, message, fields) and sums them up the way loadgate's audit asks:
// requests and errors by kind, endpoint and status, storage lock timeouts,
// lock acquisition times and error latencies.
//
// It reads the formats such services emit: tracing-subscriber's default text
// output (with or without ANSI colours) and its JSON, Go's log/slog text and
// JSON, logfmt, and the same lines wrapped by a platform: kubectl
// --timestamps, CRI node files (partial lines joined), Docker's json-file
// envelope, and railway logs (its text and --json output). The scanner is
// written by hand, one pass over each line, and keeps nothing per line: a
// log of any length is read in the same memory: it keeps the trace IDs of
// lock timeouts only for LockPairLines lines, to pair a timeout's record
// with its warning.
package logscan
