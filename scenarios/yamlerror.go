package scenarios

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

var yamlLineRE = regexp.MustCompile(`^line (\d+): `)

// yamlProblem turns a YAML syntax error in data into a Problem. The YAML
// parser's error names the line where the enclosing list or mapping starts,
// not the mistake; the mistake is on the first line from which a prefix of
// the file fails with the same message, found by bisection (the parser
// stops at its first error, so every longer prefix fails the same way). An
// unclosed bracket is thus reported where it is left open. The column is
// where that line's text starts.
func yamlProblem(file string, data []byte, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return Problem{File: file, Msg: "invalid YAML: " + msg}
	}
	problem := msg[len(m[0]):]
	lines := bytes.SplitAfter(data, []byte("\n"))
	context, _ := strconv.Atoi(m[1])
	lo, hi := max(context, 1), len(lines) // the first lo-1 lines parse past; all hi fail
	for lo < hi {
		mid := (lo + hi) / 2
		if failsWith(bytes.Join(lines[:mid], nil), problem) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	column := 1
	if lo <= len(lines) {
		column += len(lines[lo-1]) - len(bytes.TrimLeft(lines[lo-1], " "))
	}
	return Problem{File: file, Line: lo, Column: column, Msg: "invalid YAML: " + problem}
}

// failsWith reports whether parsing data fails with problem, wherever.
func failsWith(data []byte, problem string) bool {
	_, _, err := unmarshal(data)
	return err != nil && strings.HasSuffix(err.Error(), ": "+problem)
}
