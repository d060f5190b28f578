package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// table is the rows of a plain-text table, its header first, whose number
// columns align right and the others left.
type table struct {
	rows    [][]string
	numbers []int // the columns that hold numbers
}

// newTable starts a table with a header; numbers are the indexes of the
// columns that hold numbers.
func newTable(header []string, numbers ...int) *table {
	return &table{rows: [][]string{header}, numbers: numbers}
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write writes the table, columns two spaces apart: each number column,
// its header too, padded on the left to its widest cell.
func (t *table) write(w io.Writer) error {
	for _, col := range t.numbers {
		width := 0
		for _, row := range t.rows {
			width = max(width, utf8.RuneCountInString(row[col]))
		}
		for _, row := range t.rows {
			row[col] = strings.Repeat(" ", width-utf8.RuneCountInString(row[col])) + row[col]
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range t.rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}
