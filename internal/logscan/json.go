package logscan

// maxJSONDepth bounds the nesting a JSON line may have; a deeper one is not
// read (it is no log record anyone writes, and it would cost stack).
const maxJSONDepth = 32

// parseJSON reads a line that holds one JSON object, as slog's JSON
// handler, tracing-subscriber's JSON format and railway logs --json write
// it:
//
//	{"time":"...","level":"WARN","msg":"request failed","endpoint":"login","status":503,...}
//	{"timestamp":"...","level":"WARN","fields":{"message":"...","trace_id":"340282366920938463463374607431768211455"},"target":"api","span":{...},"spans":[{...}]}
//
// The first time, level and message keys (see setMeta) are the record's;
// a key met again (tracing writes duplicates: a flattened field named
// level, the same span twice) is a field like any other. tracing's
// "fields" object holds the event's fields; its "span" and "spans" the
// spans', which go to Context. Any other nested object (a slog group) has
// its keys written group.key. Numbers and booleans are kept as written, an
// array as its JSON text; a null is no field.
func parseJSON(s string, r *Record) bool {
	p := jsonParser{s: s, r: r}
	p.space()
	if !p.object("", 0, false) {
		return false
	}
	p.space()
	if p.i != len(p.s) {
		return false
	}
	r.Format = FormatJSON
	return true
}

type jsonParser struct {
	s string
	i int
	r *Record
}

func (p *jsonParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\r' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *jsonParser) byte(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// object reads an object at p.i. prefix is written before its keys (a
// group's "name."); depth is its nesting; context sends its fields to the
// record's Context (a span's).
func (p *jsonParser) object(prefix string, depth int, context bool) bool {
	if depth > maxJSONDepth || !p.byte('{') {
		return false
	}
	if p.byte('}') {
		return true
	}
	for {
		p.space()
		key, ok := p.string()
		if !ok || !p.byte(':') {
			return false
		}
		p.space()
		if !p.member(prefix, key, depth, context) {
			return false
		}
		if p.byte('}') {
			return true
		}
		if !p.byte(',') {
			return false
		}
	}
}

// member reads the value of key.
func (p *jsonParser) member(prefix, key string, depth int, context bool) bool {
	if p.i >= len(p.s) {
		return false
	}
	top := depth == 0
	switch c := p.s[p.i]; {
	case c == '{':
		switch {
		case top && key == "fields":
			return p.object("", depth+1, false)
		case top && key == "span":
			return p.object("", depth+1, true)
		}
		return p.object(prefix+key+".", depth+1, context)
	case c == '[' && top && key == "spans":
		return p.spans(depth + 1)
	case c == '"':
		value, ok := p.string()
		if !ok {
			return false
		}
		p.keep(prefix, key, value, top, context)
		return true
	}
	start := p.i
	if !p.skipValue(depth + 1) {
		return false
	}
	if value := p.s[start:p.i]; value != "null" {
		p.keep(prefix, key, value, top, context)
	}
	return true
}

// keep records key=value: as the record's time, level or message when it
// is one of those at the top level or in tracing's "fields", else as a
// field of the event or, for a span's, of the context.
func (p *jsonParser) keep(prefix, key, value string, top, context bool) {
	switch {
	case context:
		p.r.Context = append(p.r.Context, Field{prefix + key, value})
	case prefix == "" && (top || isMessageKey(key)) && p.r.setMeta(key, value):
	default:
		p.r.Fields = append(p.r.Fields, Field{prefix + key, value})
	}
}

// spans reads tracing's "spans" array: objects, root first.
func (p *jsonParser) spans(depth int) bool {
	if !p.byte('[') {
		return false
	}
	if p.byte(']') {
		return true
	}
	for {
		p.space()
		if !p.object("", depth, true) {
			return false
		}
		if p.byte(']') {
			return true
		}
		if !p.byte(',') {
			return false
		}
	}
}

// string reads a JSON string at p.i and returns it unescaped.
func (p *jsonParser) string() (string, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false
	}
	end := quotedEnd(p.s[p.i:])
	if end < 0 {
		return "", false
	}
	q := p.s[p.i : p.i+end]
	p.i += end
	return unquote(q), true
}

// skipValue moves past the value at p.i: a number, true, false, null, or
// an array or object (not recorded).
func (p *jsonParser) skipValue(depth int) bool {
	if depth > maxJSONDepth || p.i >= len(p.s) {
		return false
	}
	switch c := p.s[p.i]; c {
	case '"':
		_, ok := p.string()
		return ok
	case '{', '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		p.i++
		if p.byte(closing) {
			return true
		}
		for {
			p.space()
			if c == '{' {
				if _, ok := p.string(); !ok || !p.byte(':') {
					return false
				}
				p.space()
			}
			if !p.skipValue(depth + 1) {
				return false
			}
			if p.byte(closing) {
				return true
			}
			if !p.byte(',') {
				return false
			}
		}
	}
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+' || p.s[p.i] == '.' || isDigit(p.s[p.i]) || p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] == 'E') {
		p.i++
	}
	switch word := p.s[start:p.i]; {
	case word == "true", word == "false", word == "null":
		return true
	case word == "":
		return false
	default:
		return word[0] == '-' || isDigit(word[0])
	}
}
