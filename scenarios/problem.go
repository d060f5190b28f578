package scenarios

import (
	"fmt"
	"strings"

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
	found Problems
}

// at records a problem at node n, offset bytes into its value when the
// value is written on one line as it is (a plain or quoted scalar).
func (ps *problems) at(n *yaml.Node, offset int, format string, args ...any) {
	col := n.Column
	if offset > 0 && n.Kind == yaml.ScalarNode {
		switch n.Style {
		case 0:
			col += offset
		case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
			col += offset + 1
		}
	}
	ps.found = append(ps.found, Problem{File: ps.file, Line: n.Line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// whole records a problem with the whole file.
func (ps *problems) whole(format string, args ...any) {
	ps.found = append(ps.found, Problem{File: ps.file, Msg: fmt.Sprintf(format, args...)})
}
