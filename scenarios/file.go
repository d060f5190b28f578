package scenarios

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/loadgate/loadgate/internal/readfile"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// maxFileBytes bounds a scenario file.
const maxFileBytes = 1 << 20

// Limits on what a file may ask for.
const (
	maxUsers       = 100_000
	maxSteps       = 100
	maxWorkers     = 100_000
	maxRetries     = 100
	maxWeightTotal = 10_000
	defaultMaxWait = 10 * time.Second
)

// LoadFile reads and validates the scenario file at path. An invalid file
// gives Problems, each with its line and column.
func LoadFile(path string) (*Scenario, error) {
	data, err := readfile.Limited(path, maxFileBytes)
	if err != nil {
		return nil, Problems{{File: path, Msg: err.Error()}}
	}
	return Parse(path, data, filepath.Dir(path))
}

// Parse validates the scenario in data, read from file (a name for
// messages); dir is where relative paths in it (a CSV of users) start.
func Parse(file string, data []byte, dir string) (sc *Scenario, err error) {
	d := &decoder{problems{file: file}}
	doc, more, err := unmarshal(data)
	if err != nil {
		return nil, Problems{yamlProblem(file, err)}
	}
	if len(doc.Content) == 0 {
		return nil, Problems{{File: file, Msg: "the file is empty: a scenario needs at least steps"}}
	}
	d.lines = strings.Split(string(data), "\n")
	if more != nil {
		d.at(more, 0, "a second YAML document: a scenario file holds one")
	}
	p := &parser{decoder: d, dir: dir, sc: &Scenario{Source: data}}
	p.scenario(doc.Content[0], file)
	if len(d.found) > 0 {
		slices.SortStableFunc(d.found, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, d.found
	}
	return p.sc, nil
}

// unmarshal parses the first YAML document of data, and returns the start
// of a second one if there is one. A panic of the parser is an error.
func unmarshal(data []byte) (doc, second *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: unreadable: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = &yaml.Node{}
	if err := dec.Decode(doc); err != nil && err != io.EOF {
		return nil, nil, err
	}
	var next yaml.Node
	if dec.Decode(&next) == nil {
		second = &next
		if len(next.Content) > 0 {
			second = next.Content[0]
		}
	}
	return doc, second, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlProblem turns a YAML syntax error into a Problem at its line.
func yamlProblem(file string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Problem{File: file, Msg: "invalid YAML: " + msg}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Column = 1
		p.Msg = "invalid YAML: " + strings.TrimSpace(strings.TrimPrefix(msg[strings.Index(msg, m[0])+len(m[0]):], ":"))
	}
	return p
}

// isMetric reports whether name is an SLO metric already, of any kind.
func isMetric(name string) bool {
	for _, threshold := range []string{"==0", "<1ms", "<1%"} {
		if _, err := report.ParseSLO(name + threshold); err == nil {
			return true
		}
	}
	return false
}

// plainName reports whether s is a non-empty name of ASCII letters,
// digits, - and _.
func plainName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '-' && c != '_' && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// parser builds a Scenario from a file's nodes.
type parser struct {
	*decoder
	dir        string
	sc         *Scenario
	iterations *yaml.Node // load.iterations, or the load or the file when not given
}

var topKeys = []string{"name", "description", "target", "timeout", "load", "users", "steps", "classify", "retry", "slos"}

func (p *parser) scenario(root *yaml.Node, file string) {
	f := p.fields(root, "the scenario", topKeys...)
	if f == nil {
		return
	}
	sc := p.sc
	sc.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	if n := f["name"]; n == nil && !plainName(sc.Name) {
		p.at(root, 0, "the file's name %q cannot name the scenario: give it a name: of letters, digits, - and _", sc.Name)
	} else if n != nil {
		if name, ok := p.str(n, "name"); ok {
			if !plainName(name) {
				p.at(n, 0, "name %q: use letters, digits, - and _", name)
			}
			sc.Name = name
		}
	}
	if n := f["description"]; n != nil {
		sc.Description, _ = p.str(n, "description")
	}
	if n := f["target"]; n != nil {
		if s, ok := p.str(n, "target"); ok {
			u, err := url.Parse(s)
			if err == nil {
				err = runner.CheckTarget(u)
			}
			if err != nil {
				p.at(n, 0, "target: %v", err)
			}
			sc.Target = s
		}
	}
	if n := f["timeout"]; n != nil {
		if d, ok := p.duration(n, "timeout"); ok {
			if err := runner.CheckTimeout(d); err != nil {
				p.at(n, 0, "timeout must be positive")
			}
			sc.Timeout = d
		}
	}
	sc.Load = runner.Load{Concurrency: 1, Iterations: 1}
	p.iterations = root
	if n := f["load"]; n != nil {
		p.iterations = n
		p.load(n)
	}
	sc.classifier = runner.DefaultClassifier()
	if n := f["classify"]; n != nil {
		p.classify(n)
	}
	if n := f["users"]; n != nil {
		p.users(n)
	}
	if limit := sc.IterationLimit(); limit > 0 && sc.Load.Iterations > limit {
		p.at(p.iterations, 0, "load.iterations %d: users.order unique allows at most %d iterations, one per user", sc.Load.Iterations, limit)
	}
	var retry runner.Retry
	if n := f["retry"]; n != nil {
		retry = p.retry(n)
	}
	if n := f["steps"]; n != nil {
		p.steps(n, retry)
	} else {
		p.at(root, 0, "the scenario has no steps: add steps:, a list of requests")
	}
	if n := f["slos"]; n != nil {
		p.slos(n)
	}
}

func (p *parser) load(n *yaml.Node) {
	before := len(p.found)
	f := p.fields(n, "load", "model", "concurrency", "rate", "max_workers", "stages", "duration", "iterations", "pause")
	if f == nil {
		return
	}
	l := runner.Load{}
	if v := f["model"]; v != nil {
		if model, ok := p.str(v, "load.model"); ok {
			switch model {
			case "open":
				l.Open = true
			case "closed":
			default:
				p.at(v, 0, "load.model must be open or closed, not %q", model)
			}
		}
	}
	if v := f["rate"]; v != nil {
		if f["model"] != nil && !l.Open {
			p.at(v, 0, "load.rate sets the open model's arrivals; the closed model takes load.concurrency")
		}
		if s, ok := p.str(v, "load.rate"); ok {
			rate, err := runner.ParseRate(s)
			if err != nil {
				p.at(v, 0, "load.rate: %v", err)
			}
			l.Open, l.Rate = true, rate
		}
	}
	if v := f["concurrency"]; v != nil {
		if l.Open {
			p.at(v, 0, "load.concurrency sets the closed model's workers; the open model takes load.max_workers")
		}
		c, _ := p.integer(v, "load.concurrency", 1, maxWorkers)
		l.Concurrency = int(c)
	}
	if v := f["max_workers"]; v != nil {
		if !l.Open {
			p.at(v, 0, "load.max_workers applies to the open model: set load.rate or model: open")
		}
		m, _ := p.integer(v, "load.max_workers", 1, maxWorkers)
		l.MaxWorkers = int(m)
	}
	if v := f["stages"]; v != nil {
		l.Stages = p.stages(v)
		for _, st := range l.Stages {
			if !l.Open && st.Target > maxWorkers {
				p.at(v, 0, "load.stages: a target of %v workers; at most %d", st.Target, maxWorkers)
				break
			}
		}
	}
	if v := f["duration"]; v != nil {
		l.Duration, _ = p.duration(v, "load.duration")
	}
	if v := f["iterations"]; v != nil {
		p.iterations = v
		l.Iterations, _ = p.integer(v, "load.iterations", 1, math.MaxInt64)
	}
	if v := f["pause"]; v != nil {
		l.Pause, _ = p.duration(v, "load.pause")
	}
	if !l.Open && l.Concurrency == 0 && len(l.Stages) == 0 {
		l.Concurrency = 1
	}
	if !l.Open && l.Iterations == 0 && l.Duration == 0 && len(l.Stages) == 0 {
		l.Iterations = 1
	}
	checked := l
	if checked.Open && checked.MaxWorkers == 0 {
		checked.MaxWorkers = 1 // run sets it from the rate and the timeout
	}
	if len(p.found) == before {
		for _, problem := range checked.Problems(func(f runner.LoadField) string { return "load." + string(f) }) {
			at := f[string(problem.Field)]
			if at == nil {
				at = n
			}
			p.at(at, 0, "%s", problem.Message)
		}
	}
	p.sc.Load = l
}

// stages reads a list of {duration, target} or a string such as "30s:100,1m:100".
func (p *parser) stages(n *yaml.Node) []runner.Stage {
	if n.Kind == yaml.ScalarNode {
		s, _ := p.str(n, "load.stages")
		stages, err := runner.ParseStages(s)
		if err != nil {
			p.at(n, 0, "load.stages: %v", err)
		}
		return stages
	}
	items, _ := p.list(n, "load.stages")
	var stages []runner.Stage
	for _, item := range items {
		f := p.fields(item, "a stage", "duration", "target")
		if f == nil {
			continue
		}
		if f["duration"] == nil || f["target"] == nil {
			p.at(item, 0, "a stage needs a duration and a target, as in {duration: 30s, target: 100}")
			continue
		}
		d, _ := p.duration(f["duration"], "stage duration")
		target, _ := p.number(f["target"], "stage target")
		stages = append(stages, runner.Stage{Duration: d, Target: target})
	}
	return stages
}

// number reads a non-negative number.
func (p *parser) number(n *yaml.Node, what string) (float64, bool) {
	var v float64
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&v) != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		p.at(n, 0, "%s must be a number of at least 0, not %s", what, describe(n))
		return 0, false
	}
	return v, true
}

func (p *parser) retry(n *yaml.Node) runner.Retry {
	f := p.fields(n, "retry", "max", "max_wait")
	if f == nil {
		return runner.Retry{}
	}
	r := runner.Retry{MaxWait: defaultMaxWait}
	if v := f["max"]; v != nil {
		m, _ := p.integer(v, "retry.max", 0, maxRetries)
		r.Max = int(m)
	} else {
		p.at(n, 0, "retry needs max: how many times a 503 or 429 is tried again")
	}
	if v := f["max_wait"]; v != nil {
		if d, ok := p.duration(v, "retry.max_wait"); ok && d == 0 {
			p.at(v, 0, "retry.max_wait must be positive")
		} else if ok {
			r.MaxWait = d
		}
	}
	return r
}

func (p *parser) classify(n *yaml.Node) {
	f := p.fields(n, "classify", "lock_timeout", "classes")
	if f == nil {
		return
	}
	if v := f["lock_timeout"]; v != nil {
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			p.sc.classifier.Lock = runner.Rule{}
		} else {
			p.sc.classifier.Lock = p.rule(v, "classify.lock_timeout")
		}
	}
	if v := f["classes"]; v != nil {
		keys, values, _ := p.pairs(v, "classify.classes")
		for i, k := range keys {
			name := k.Value
			if !validName(name) || strings.Contains(name, ".") || slices.Contains(runner.BuiltinClassNames(), name) {
				p.at(k, 0, "class name %q: use letters, digits and _, and not a built-in class (%s)", name, strings.Join(runner.BuiltinClassNames(), ", "))
				continue
			}
			if isMetric(name) {
				p.at(k, 0, "class name %q is an SLO metric already; choose another", name)
				continue
			}
			p.sc.classifier.Custom = append(p.sc.classifier.Custom, runner.ClassRule{Name: name, Rule: p.rule(values[i], "class "+name)})
		}
		if err := p.sc.classifier.Validate(); err != nil {
			p.at(v, 0, "classify.classes: %v", err)
		}
	}
}

// rule reads {status, body_contains | body_regex | json: {path, equals}}.
func (p *parser) rule(n *yaml.Node, what string) runner.Rule {
	f := p.fields(n, what, "status", "body_contains", "body_regex", "json")
	if f == nil {
		return runner.Rule{}
	}
	var r runner.Rule
	if v := f["status"]; v != nil {
		s, _ := p.integer(v, what+".status", 100, 999)
		r.Status = int(s)
	} else {
		p.at(n, 0, "%s needs a status", what)
	}
	matchers := 0
	if v := f["body_contains"]; v != nil {
		matchers++
		subs, _ := p.strs(v, what+".body_contains")
		if slices.Contains(subs, "") {
			p.at(v, 0, "%s.body_contains: an empty string matches every body", what)
		}
		r.Body = runner.Substrings(subs)
	}
	if v := f["body_regex"]; v != nil {
		matchers++
		if s, ok := p.str(v, what+".body_regex"); ok {
			re, err := regexp.Compile(s)
			if err != nil {
				p.at(v, 0, "%s.body_regex: %v", what, err)
			}
			r.Body = re
		}
	}
	if v := f["json"]; v != nil {
		matchers++
		r.Body = p.jsonMatcher(v, what+".json")
	}
	if matchers > 1 {
		p.at(n, 0, "%s: use one of body_contains, body_regex and json", what)
	}
	return r
}

func (p *parser) jsonMatcher(n *yaml.Node, what string) runner.BodyMatcher {
	f := p.fields(n, what, "path", "equals")
	if f == nil {
		return nil
	}
	if f["path"] == nil || f["equals"] == nil {
		p.at(n, 0, "%s needs a path and the value it equals, as in {path: error.code, equals: LOCK_TIMEOUT}", what)
		return nil
	}
	m := jsonEquals{path: p.jsonPath(f["path"], what+".path")}
	m.want, _ = p.str(f["equals"], what+".equals")
	return m
}

func (p *parser) jsonPath(n *yaml.Node, what string) jsonPath {
	s, ok := p.str(n, what)
	if !ok {
		return nil
	}
	path, offset, err := parseJSONPath(s)
	if err != nil {
		p.at(n, offset, "%s %q: %v", what, s, err)
	}
	return path
}

func (p *parser) slos(n *yaml.Node) {
	items, _ := p.list(n, "slos")
	endpoints := p.sc.Endpoints()
	var custom []string
	for _, r := range p.sc.classifier.Custom {
		custom = append(custom, r.Name)
	}
	for _, item := range items {
		expr, ok := p.str(item, "an SLO")
		if !ok {
			continue
		}
		slo, err := report.ParseSLO(expr, custom...)
		var sloErr *report.SLOError
		switch {
		case errors.As(err, &sloErr):
			p.at(item, sloErr.Column-1, "invalid SLO %q: %s", expr, sloErr.Msg)
		case err != nil:
			p.at(item, 0, "%v", err)
		default:
			if slo.Scope != "" && !slices.Contains(endpoints, slo.Scope) {
				p.at(item, 0, "invalid SLO %q: the scenario has no step %q; its steps are %s", expr, slo.Scope, strings.Join(endpoints, ", "))
			} else if err := report.CheckScopes([]report.SLO{slo}, endpoints); err != nil {
				p.at(item, 0, "%v", err)
			}
		}
		p.sc.SLOs = append(p.sc.SLOs, expr)
	}
}

// request reads what a step or a setup request sends, from its fields.
func (p *parser) request(f map[string]*yaml.Node, at *yaml.Node, what string, sc *scope) request {
	var r request
	if v := f["path"]; v != nil {
		r.path = p.path(v, what+".path", sc)
	} else {
		p.at(at, 0, "%s needs a path, such as /api/auth/login", what)
	}
	if v := f["headers"]; v != nil {
		keys, values, _ := p.pairs(v, what+".headers")
		for i, k := range keys {
			switch name := http.CanonicalHeaderKey(k.Value); {
			case !runner.IsToken(k.Value):
				p.at(k, 0, "%q is not a header name", k.Value)
				continue
			case name == "Host" || name == "Content-Length" || name == "Transfer-Encoding" || name == "Connection":
				p.at(k, 0, "header %s is loadgate's to set: it frames the request", name)
				continue
			}
			t, ok := p.template(values[i], "header "+k.Value, escapeNone, sc)
			if s, static := t.staticOK(ok); static && strings.ContainsAny(s, "\r\n") {
				p.at(values[i], 0, "header %s: a value cannot hold a line break", k.Value)
			}
			r.header = append(r.header, headerTemplate{name: http.CanonicalHeaderKey(k.Value), value: t})
		}
	}
	if v := f["body"]; v != nil {
		r.body = p.body(v, what+".body", sc)
	}
	r.method = http.MethodGet
	if r.body != nil {
		r.method = http.MethodPost
	}
	if v := f["method"]; v != nil {
		if m, ok := p.str(v, what+".method"); ok {
			r.method = strings.ToUpper(m)
			if !runner.IsToken(m) {
				p.at(v, 0, "%q is not an HTTP method", m)
			}
		}
	}
	if v := f["expect"]; v != nil {
		r.expect = p.statuses(v, what+".expect")
	}
	return r
}

// staticOK is t's text when ok and t has no references.
func (t *template) staticOK(ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	return t.static()
}

// path compiles a path template: references before "?" are escaped as a
// path segment, after it as a query value.
func (p *parser) path(n *yaml.Node, what string, sc *scope) *template {
	s, ok := p.str(n, what)
	if !ok {
		return nil
	}
	if !strings.HasPrefix(s, "/") && s != "" {
		p.at(n, 0, "%s %q must start with /", what, s)
		return nil
	}
	pathPart, query, hasQuery := strings.Cut(s, "?")
	t, offset, err := compileTemplate(pathPart, escapePath, sc)
	if err == nil && hasQuery {
		var q *template
		q, offset, err = compileTemplate(query, escapeQuery, sc)
		offset += len(pathPart) + 1
		if err == nil {
			var b templateBuilder
			b.add(t, nil)
			b.literal("?")
			b.add(q, nil)
			t = b.template()
		}
	}
	if err != nil {
		p.at(n, offset, "%s: %v", what, err)
		return nil
	}
	if static, ok := t.static(); ok {
		if _, err := url.Parse(static); err != nil {
			p.at(n, 0, "%s: %v", what, err)
		}
	}
	return t
}

// statuses reads one status or a list of them.
func (p *parser) statuses(n *yaml.Node, what string) []int {
	var items []*yaml.Node
	if n.Kind == yaml.SequenceNode {
		items, _ = p.list(n, what)
	} else {
		items = []*yaml.Node{n}
	}
	var out []int
	for _, item := range items {
		s, ok := p.integer(item, what, 100, 999)
		if ok {
			out = append(out, int(s))
		}
	}
	return out
}

// body compiles a body: a mapping or a list is sent as JSON, with
// templates in its strings; a string is sent as it is.
func (p *parser) body(n *yaml.Node, what string, sc *scope) *template {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		t, _ := p.template(n, what, escapeNone, sc)
		return t
	}
	j := &jsonBody{parser: p, what: what, sc: sc}
	j.value(n, 0)
	return j.b.template()
}

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
