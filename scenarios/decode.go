package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder reads the YAML nodes of one scenario file, recording a problem
// for anything of the wrong shape. Its methods report false (or return
// nil) after recording the problem, so that a caller goes on to find more.
type decoder struct {
	problems
	merged map[*yaml.Node]mapEntries // by mapping: its entries, merge keys resolved
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describe names what n is, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "empty"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}

// fields returns the values of mapping n by key (merge keys resolved, see
// entries), or nil when n is not a mapping. A key not in known, or given
// twice, is a problem.
func (d *decoder) fields(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.at(n, 0, "%s must be a mapping, not %s", what, describe(n))
		return nil
	}
	out := map[string]*yaml.Node{}
	keys, values := d.entries(n)
	for i, k := range keys {
		v := values[i]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.at(k, 0, "a key in %s must be a name, not %s", what, describe(k))
		case !slices.Contains(known, k.Value):
			d.at(k, 0, "unknown key %q in %s; known keys are %s", k.Value, what, strings.Join(known, ", "))
		case out[k.Value] != nil:
			d.at(k, 0, "%q is given twice in %s", k.Value, what)
		default:
			out[k.Value] = v
		}
	}
	return out
}

// pairs returns mapping n's keys and values in file order (merge keys
// resolved, see entries), or false when n is not a mapping. A key given
// twice is a problem.
func (d *decoder) pairs(n *yaml.Node, what string) (keys, values []*yaml.Node, ok bool) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.at(n, 0, "%s must be a mapping, not %s", what, describe(n))
		return nil, nil, false
	}
	seen := map[string]bool{}
	allKeys, allValues := d.entries(n)
	for i, k := range allKeys {
		v := allValues[i]
		if k.Kind != yaml.ScalarNode {
			d.at(k, 0, "a key in %s must be a name, not %s", what, describe(k))
			continue
		}
		if seen[k.Value] {
			d.at(k, 0, "%q is given twice in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		keys, values = append(keys, k), append(values, v)
	}
	return keys, values, true
}

// list returns the items of sequence n.
func (d *decoder) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.at(n, 0, "%s must be a list, not %s", what, describe(n))
		return nil, false
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, item := range n.Content {
		items[i] = resolve(item)
	}
	return items, true
}

// str reads a scalar as text; a number or boolean is taken as written.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.at(n, 0, "%s must be a string, not %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// strs reads one string or a list of strings.
func (d *decoder) strs(n *yaml.Node, what string) ([]string, bool) {
	if n = resolve(n); n.Kind == yaml.ScalarNode {
		s, ok := d.str(n, what)
		return []string{s}, ok
	}
	items, ok := d.list(n, what)
	var out []string
	for _, item := range items {
		s, itemOK := d.str(item, what)
		ok = ok && itemOK
		out = append(out, s)
	}
	return out, ok
}

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	n = resolve(n)
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		d.at(n, 0, "%s must be true or false, not %s", what, describe(n))
		return false, false
	}
	return v, true
}

// integer reads a whole number within [lo, hi].
func (d *decoder) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	n = resolve(n)
	// A plain number of more digits than an int64 holds is tagged a float.
	digits := isNumber(n) && n.Value != "" && strings.Trim(n.Value, "0123456789") == ""
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" && !digits {
		d.at(n, 0, "%s must be a whole number, not %s", what, mistaken(n))
		return 0, false
	}
	var v int64
	if n.Decode(&v) != nil {
		d.at(n, 0, "%s: %s is too large; at most %d", what, n.Value, hi)
		return 0, false
	}
	if v < lo || v > hi {
		d.at(n, 0, "%s must be from %d to %d, not %d", what, lo, hi, v)
		return 0, false
	}
	return v, true
}

// number reads a non-negative number.
func (d *decoder) number(n *yaml.Node, what string) (float64, bool) {
	n = resolve(n)
	var v float64
	if !isNumber(n) || n.Decode(&v) != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		d.at(n, 0, "%s must be a number of at least 0, not %s", what, mistaken(n))
		return 0, false
	}
	return v, true
}

// duration reads a non-negative duration such as 500ms or 1m30s.
func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return 0, false
	}
	v, err := time.ParseDuration(s)
	switch {
	case err != nil && isNumber(resolve(n)):
		d.at(n, 0, "%s must be a duration such as 500ms, 30s or 1m30s, not %s: give it a unit", what, describe(resolve(n)))
		return 0, false
	case err != nil && durationSyntax.MatchString(s):
		d.at(n, 0, "%s: %q is too large; at most %s", what, s, maxDurationText)
		return 0, false
	case err != nil || v < 0:
		d.at(n, 0, "%s: %q is not a duration such as 500ms, 30s or 1m30s", what, s)
		return 0, false
	}
	return v, true
}

// durationSyntax matches what time.ParseDuration reads, without a minus
// sign: a duration it refuses nonetheless is too large for a
// time.Duration.
var durationSyntax = regexp.MustCompile(`^\+?(([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

// maxDurationText is the longest duration, in whole hours, as the
// command line's flags say it.
const maxDurationText = "2562047h"

// isNumber reports whether n is a YAML number: an unquoted integer or float.
func isNumber(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float")
}

// mistaken names what n is, for a message saying it is not the number that
// was wanted; a number in quotes is named as the string it is, with the fix.
func mistaken(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && looksNumeric(n.Value) {
		return describe(n) + ": a number in quotes is a string; write it without them"
	}
	return describe(n)
}

// looksNumeric reports whether s is written as a number: digits, perhaps
// with a sign, a point, an exponent, underscores or a 0x prefix.
func looksNumeric(s string) bool {
	if s == "" || !strings.ContainsAny(s[:1], "0123456789+-.") {
		return false
	}
	if strings.Trim(s, "0123456789") == "" {
		return true // however many digits
	}
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// template compiles scalar n as a template written with esc in scope sc.
func (d *decoder) template(n *yaml.Node, what string, esc escape, sc *scope) (*template, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return nil, false
	}
	t, offset, err := compileTemplate(s, esc, sc)
	if err != nil {
		d.at(n, offset, "%s: %v", what, err)
		return nil, false
	}
	return t, true
}
