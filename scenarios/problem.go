package scenarios

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a scenario file, and where.
type Problem struct {
	File         string
	Line, Column int // 1-based; 0 when the problem is with the whole file
	Msg          string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Msg)
}

// Problems is an invalid scenario file's every problem, in file order.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects the problems of one file.
type problems struct {
	file  string
	lines []string // the file's lines, to place a problem inside a value
	found Problems
}

// at records a problem at node n, offset bytes into its value when the
// value's text up to there stands as it is on the node's first line (a
// plain or quoted scalar without escapes or line breaks before it), else at
// the node.
func (ps *problems) at(n *yaml.Node, offset int, format string, args ...any) {
	col := n.Column
	if offset > 0 && n.Kind == yaml.ScalarNode && n.Line >= 1 && n.Line <= len(ps.lines) {
		line := []rune(ps.lines[n.Line-1])
		start := n.Column - 1
		if n.Style == yaml.SingleQuotedStyle || n.Style == yaml.DoubleQuotedStyle {
			start++
		}
		before := n.Value[:min(offset, len(n.Value))]
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && start <= len(line) && strings.HasPrefix(string(line[start:]), before) {
			col = start + 1 + utf8.RuneCountInString(before)
		}
	}
	ps.found = append(ps.found, Problem{File: ps.file, Line: n.Line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// plural is the "s" that follows a count of n things, when n is not 1.
func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}
