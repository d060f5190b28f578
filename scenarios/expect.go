package scenarios

import (
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/loadgate/loadgate/runner"
)

// What a step accepts besides 2xx (expect), and the classes of its own
// (classes): both written as the rules of classify.

// expectations reads expect: a status, or a list of statuses and rules
// ({status, body_contains | body_regex | json}, as in classify); a rule
// accepts only the answers of its status whose body it matches.
func (p *parser) expectations(n *yaml.Node, what string) []runner.Rule {
	n = resolve(n)
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items, _ = p.list(n, what)
		if len(items) == 0 {
			p.at(n, 0, "%s is empty: list the statuses or rules that are ok besides a 2xx, or remove the key", what)
		}
	}
	var out []runner.Rule
	for _, item := range items {
		if item.Kind == yaml.MappingNode {
			r := p.rule(item, what)
			if r.Body != nil && r.Status >= 200 && r.Status < 300 {
				p.at(item, 0, "%s: a %d is ok whatever its body; to require something of its body, give the step a class of its own (classes:) for the answers without it", what, r.Status)
			}
			out = append(out, r)
			continue
		}
		if s, ok := p.integer(item, what, 100, 999); ok {
			out = append(out, runner.Rule{Status: int(s)})
		}
	}
	return out
}

// stepClasses reads a step's classes: name → rule, as classify.classes,
// for this step's answers alone, tried before the file's. A name the file
// has not used yet adds a custom class; a name it has (in classify or
// another step) is that class.
func (p *parser) stepClasses(n *yaml.Node, what string) []runner.StepClass {
	keys, values, ok := p.pairs(n, what)
	if ok && len(keys) == 0 {
		p.at(n, 0, "%s is empty: name a class and its rule, as in {no_token: {status: 200, json: {path: token, exists: false}}}, or remove the key", what)
	}
	c := &p.sc.classifier
	var out []runner.StepClass
	for i, k := range keys {
		if !p.className(k) {
			continue
		}
		rule := p.rule(values[i], what+"."+k.Value)
		index := slices.IndexFunc(c.Custom, func(r runner.ClassRule) bool { return r.Name == k.Value })
		if index < 0 {
			index = len(c.Custom)
			c.Custom = append(c.Custom, runner.ClassRule{Name: k.Value}) // the zero rule: the step's matches
			if index == runner.MaxClasses-runner.NumBuiltinClasses {
				p.at(k, 0, "%s: class %s is one too many: at most %d classes in all, in classify.classes and the steps' classes", what, k.Value, index)
			}
		}
		out = append(out, runner.StepClass{Class: runner.Class(runner.NumBuiltinClasses + index), Rule: rule})
	}
	return out
}
