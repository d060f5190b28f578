package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// jsonPath picks a value out of a JSON document: "data.access_token",
// "$.items[0].id", `$["odd key"]`. A leading "$" or "$." is optional.
type jsonPath []pathStep

// pathStep is an object key, or an array index when key is empty.
type pathStep struct {
	key   string
	index int
}

// parseJSONPath parses s; an error names the byte offset of the problem.
func parseJSONPath(s string) (jsonPath, int, error) {
	rest := strings.TrimPrefix(s, "$")
	var p jsonPath
	at := len(s) - len(rest)
	first := true
	for rest != "" {
		switch {
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, at, fmt.Errorf(`"[" without "]"`)
			}
			inner := rest[1:end]
			if key, err := strconv.Unquote(inner); err == nil && strings.HasPrefix(inner, `"`) {
				p = append(p, pathStep{key: key})
			} else if n, err := strconv.Atoi(inner); err == nil && n >= 0 {
				p = append(p, pathStep{index: n})
			} else {
				return nil, at, fmt.Errorf("%q is neither an index nor a quoted key", inner)
			}
			rest, at = rest[end+1:], at+end+1
		case rest[0] == '.' || first:
			if rest[0] == '.' {
				rest, at = rest[1:], at+1
			}
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return nil, at, fmt.Errorf("empty key")
			}
			p = append(p, pathStep{key: rest[:end]})
			rest, at = rest[end:], at+end
		default:
			return nil, at, fmt.Errorf(`want "." or "[" at %q`, rest)
		}
		first = false
	}
	if len(p) == 0 {
		return nil, 0, fmt.Errorf("the path is empty: name a field, as in data.token")
	}
	return p, 0, nil
}

// decodeJSON parses a JSON document, keeping numbers as written; it
// reports false when body is not JSON.
func decodeJSON(body []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	return v, dec.Decode(&v) == nil
}

// find returns the value at p in a decoded document, as text: a string as
// it is, a number or a boolean as written, an object or an array as compact
// JSON. It reports false when there is no value (or null) there.
func (p jsonPath) find(v any) (string, bool) {
	for _, s := range p {
		switch node := v.(type) {
		case map[string]any:
			if s.key == "" {
				return "", false
			}
			v = node[s.key]
		case []any:
			if s.key != "" || s.index >= len(node) {
				return "", false
			}
			v = node[s.index]
		default:
			return "", false
		}
	}
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	default:
		b, err := json.Marshal(v)
		return string(b), err == nil
	}
}

// jsonEquals is a runner.BodyMatcher: a JSON body whose value at path is
// want (compared as find renders it).
type jsonEquals struct {
	path jsonPath
	want string
}

func (m jsonEquals) Match(body []byte) bool {
	doc, ok := decodeJSON(body)
	if !ok {
		return false
	}
	v, ok := m.path.find(doc)
	return ok && v == m.want
}

// jsonExists is a runner.BodyMatcher: with want, a JSON body with a value
// (not null) at path; without, any other body, one that is not JSON
// included.
type jsonExists struct {
	path jsonPath
	want bool
}

func (m jsonExists) Match(body []byte) bool {
	found := false
	if doc, ok := decodeJSON(body); ok {
		_, found = m.path.find(doc)
	}
	return found == m.want
}
