package scenarios

import (
	"math"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Bounds on a JSON body: its nesting, the values in it (an alias counts
// as often as it is used), and its size.
const (
	maxBodyDepth  = 64
	maxBodyValues = 100_000
	maxBodyBytes  = 1 << 20
)

// jsonBody compiles one JSON body.
type jsonBody struct {
	*parser
	what   string
	sc     *scope
	b      templateBuilder
	values int
	failed bool // a bound was passed: stop, with one problem
}

// value appends the JSON for n.
func (j *jsonBody) value(n *yaml.Node, depth int) {
	n = resolve(n)
	if j.failed {
		return
	}
	j.values++
	if depth > maxBodyDepth || j.values > maxBodyValues || j.b.size > maxBodyBytes {
		j.at(n, 0, "%s is too large: at most %d levels, %d values (aliases counted each time) and %d bytes", j.what, maxBodyDepth, maxBodyValues, maxBodyBytes)
		j.failed = true
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		keys, values, _ := j.pairs(n, j.what)
		j.b.literal("{")
		for i, k := range keys {
			if i > 0 {
				j.b.literal(",")
			}
			j.b.literal(string(appendJSONString([]byte{'"'}, k.Value)) + `":`)
			j.value(values[i], depth+1)
		}
		j.b.literal("}")
	case yaml.SequenceNode:
		j.b.literal("[")
		for i, item := range n.Content {
			if i > 0 {
				j.b.literal(",")
			}
			j.value(item, depth+1)
		}
		j.b.literal("]")
	case yaml.ScalarNode:
		j.scalar(n)
	default:
		j.at(n, 0, "%s: cannot send %s", j.what, describe(n))
	}
}

// jsonNumber matches a number as JSON writes it.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func (j *jsonBody) scalar(n *yaml.Node) {
	switch n.Tag {
	case "!!null":
		j.b.literal("null")
	case "!!bool":
		var v bool
		n.Decode(&v)
		j.b.literal(strconv.FormatBool(v))
	case "!!int", "!!float":
		var f float64
		switch {
		case jsonNumber.MatchString(n.Value):
			j.b.literal(n.Value) // as written, however many digits
		case n.Decode(&f) != nil || math.IsInf(f, 0) || math.IsNaN(f):
			j.at(n, 0, "%s: %s is not a JSON number", j.what, n.Value)
		default: // 0x1F, 1_000, +5: YAML's forms of a number
			var i int64
			if n.Tag == "!!int" && n.Decode(&i) == nil {
				j.b.literal(strconv.FormatInt(i, 10))
			} else {
				j.b.literal(strconv.FormatFloat(f, 'g', -1, 64))
			}
		}
	default:
		s, offset, err := compileTemplate(n.Value, escapeJSON, j.sc)
		if err != nil {
			j.at(n, offset, "%s: %v", j.what, err)
			return
		}
		j.b.literal(`"`)
		j.b.add(s, func(lit string) string { return string(appendJSONString(nil, lit)) })
		j.b.literal(`"`)
	}
}
