package scenarios

import (
	"regexp"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
	"go.yaml.in/yaml/v3"
)

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
		keys, values, ok := p.pairs(v, "classify.classes")
		if ok && len(keys) == 0 {
			p.at(v, 0, "classify.classes is empty: name a class and its rule, as in {rate_limited: {status: 429}}, or remove the key")
		}
		for i, k := range keys {
			if p.className(k) {
				p.sc.classifier.Custom = append(p.sc.classifier.Custom, runner.ClassRule{Name: k.Value, Rule: p.rule(values[i], "class "+k.Value)})
			}
		}
		if err := p.sc.classifier.Validate(); err != nil {
			p.at(v, 0, "classify.classes: %v", err)
		}
	}
}

// className reports whether key k names a class, and records why not:
// a name of letters, digits and _, neither a built-in class nor an SLO
// metric.
func (p *parser) className(k *yaml.Node) bool {
	name := k.Value
	if !validName(name) || strings.Contains(name, ".") || slices.Contains(runner.BuiltinClassNames(), name) {
		p.at(k, 0, "class name %q: use letters, digits and _, and not a built-in class (%s)", name, strings.Join(runner.BuiltinClassNames(), ", "))
		return false
	}
	if slo.IsMetric(name) {
		p.at(k, 0, "class name %q is an SLO metric already; choose another", name)
		return false
	}
	return true
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

// jsonMatcher reads {path, equals} or {path, exists}.
func (p *parser) jsonMatcher(n *yaml.Node, what string) runner.BodyMatcher {
	f := p.fields(n, what, "path", "equals", "exists")
	if f == nil {
		return nil
	}
	if f["path"] == nil || (f["equals"] == nil) == (f["exists"] == nil) {
		p.at(n, 0, "%s needs a path and one of equals and exists, as in {path: error.code, equals: LOCK_TIMEOUT} or {path: token, exists: false}", what)
		return nil
	}
	path := p.jsonPath(f["path"], what+".path")
	if v := f["exists"]; v != nil {
		want, _ := p.boolean(v, what+".exists")
		return jsonExists{path: path, want: want}
	}
	m := jsonEquals{path: path}
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
