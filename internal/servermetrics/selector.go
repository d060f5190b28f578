package servermetrics

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Selector picks the series of one metric whose labels have the given
// values: storage_lock_wait_seconds{op="login"}. Labels it does not name
// may have any value; the series it picks are summed.
type Selector struct {
	Name   string
	Labels map[string]string
}

func (s Selector) String() string { return Series{Name: s.Name, Labels: s.Labels}.Key() }

// ParseSelector reads a selector: a metric name, then optionally labels in
// braces, each name="value" (a Go-quoted string), separated by commas.
func ParseSelector(text string) (Selector, error) {
	name, rest, braced := strings.Cut(strings.TrimSpace(text), "{")
	sel := Selector{Name: strings.TrimSpace(name), Labels: map[string]string{}}
	if !validName(sel.Name) {
		return sel, fmt.Errorf("%q is not a metric name: letters, digits, _ and :, not starting with a digit", sel.Name)
	}
	if !braced {
		return sel, nil
	}
	rest, ok := strings.CutSuffix(strings.TrimSpace(rest), "}")
	if !ok {
		return sel, fmt.Errorf("%q: the labels' } is missing", text)
	}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		label, after, ok := strings.Cut(rest, "=")
		label = strings.TrimSpace(label)
		if !ok || !validName(label) || strings.Contains(label, ":") {
			return sel, fmt.Errorf("%q: want label=\"value\" pairs, as in op=\"login\"", text)
		}
		after = strings.TrimSpace(after)
		quoted, err := strconv.QuotedPrefix(after)
		if err != nil || quoted[0] != '"' {
			return sel, fmt.Errorf("%q: the value of %s must be in double quotes", text, label)
		}
		if _, dup := sel.Labels[label]; dup {
			return sel, fmt.Errorf("%q: label %s is given twice", text, label)
		}
		sel.Labels[label], _ = strconv.Unquote(quoted)
		rest = strings.TrimSpace(after[len(quoted):])
		if rest != "" {
			if rest[0] != ',' {
				return sel, fmt.Errorf("%q: labels are separated by commas", text)
			}
			rest = rest[1:]
		}
	}
	return sel, nil
}

// validName reports whether s is a Prometheus metric name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// matches reports whether s picks series.
func (s Selector) matches(series Series) bool {
	if series.Name != s.Name {
		return false
	}
	for k, v := range s.Labels {
		if series.Labels[k] != v {
			return false
		}
	}
	return true
}

// Counter returns the sum of the counter series s picks in d, and whether
// it picked any.
func (d Delta) Counter(s Selector) (float64, bool) {
	sum, found := 0.0, false
	for _, series := range d.Series {
		if series.Histogram == nil && s.matches(series) {
			sum, found = sum+series.Counter, true
		}
	}
	return sum, found
}

// Histogram returns the histogram of all the values of the histogram
// series s picks in d; nil when it picked none.
func (d Delta) Histogram(s Selector) *Histogram {
	var sum *Histogram
	for _, series := range d.Series {
		switch {
		case series.Histogram == nil || !s.matches(series):
		case sum == nil:
			sum = series.Histogram
		default:
			sum = sum.add(series.Histogram)
		}
	}
	return sum
}

// Labels returns the values label takes in the series sel picks.
func (d Delta) Labels(sel Selector, label string) []string {
	seen := map[string]bool{}
	for _, s := range d.Series {
		if v, ok := s.Labels[label]; ok && sel.matches(s) {
			seen[v] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// Has reports whether d has a series of the metric name: a name that
// matches none is a metric the server does not have (a mistyped
// --server-metric), not one that counted nothing.
func (d Delta) Has(name string) bool {
	return slices.ContainsFunc(d.Series, func(s Series) bool { return s.Name == name })
}
