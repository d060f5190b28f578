package scenarios

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/loadgate/loadgate/runner"
)

// request is what a step or a setup request sends, compiled.
type request struct {
	method string
	path   *template
	header []headerTemplate
	body   *template // nil: none
	expect []runner.Rule
}

type headerTemplate struct {
	name  string
	value *template
}

// step is one step of a scenario file.
type step struct {
	name string
	request
	classes  []runner.StepClass
	extract  []extraction
	weighted bool
	weight   int
	retry    runner.Retry
}

// extraction sets variable index from the value at path of an ok response.
// missing and notJSON are its failures, made once: they name the variable
// and the path as the file wrote them.
type extraction struct {
	index   int
	path    jsonPath
	missing error
	notJSON error
}

// newExtraction returns the extraction of variable name, index, from path
// (source as written).
func newExtraction(name string, index int, path jsonPath, source string) extraction {
	return extraction{index: index, path: path,
		missing: fmt.Errorf("%s: %s not found in body", name, source),
		notJSON: fmt.Errorf("%s: %s not found: the body is not JSON", name, source)}
}

// reservedNames cannot name an extracted variable.
var reservedNames = []string{"seq", "worker", "run_id", "n", "user", "env"}

var stepKeys = []string{"name", "method", "path", "headers", "body", "form", "multipart", "expect", "classes", "extract", "weight", "retry"}

// steps reads the iteration's steps; session holds the session's
// variables, nil without one.
func (p *parser) steps(n *yaml.Node, retry runner.Retry, session *sessionVars) {
	items, ok := p.list(n, "steps")
	switch {
	case ok && len(items) == 0:
		p.at(n, 0, "steps is empty: a scenario needs at least one step")
	case len(items) > maxSteps:
		p.at(n, 0, "%d steps; at most %d (each endpoint keeps its own histograms)", len(items), maxSteps)
		return
	}
	sc := &scope{userFields: p.sc.users.fields, vars: map[string]int{}, later: map[string]bool{}, used: map[int]bool{}}
	if session != nil {
		sc.session, sc.sessionUsed = session.index, session.used
	}
	p.markLater(items, "", sc)
	var varKeys []*yaml.Node // by variable index
	weightedVars := map[int]bool{}
	for _, item := range items {
		st, f := p.step(item, iterationStep, retry, sc, &varKeys)
		if f == nil {
			continue
		}
		if v := f["expect"]; v != nil && p.sc.session != nil {
			p.checkRenewOn(&st, v)
		}
		for _, x := range st.extract {
			if st.weighted {
				weightedVars[x.index] = true
			} else {
				sc.vars[varKeys[x.index].Value] = x.index
			}
		}
		p.sc.steps = append(p.sc.steps, st)
	}
	for i, k := range varKeys {
		switch {
		case weightedVars[i]:
			p.at(k, 0, "variable %q: a weighted step cannot extract, since the steps after it may run without it", k.Value)
		case !sc.used[i]:
			p.at(k, 0, "variable %q is extracted but no later step uses it", k.Value)
		}
	}
	p.sc.vars = len(varKeys)
	p.mix(n)
}

// markLater records in sc.later the variables that the steps of items
// extract, each name after prefix, so that a step using one before it is
// extracted is told so.
func (p *parser) markLater(items []*yaml.Node, prefix string, sc *scope) {
	for _, item := range items {
		if item.Kind != yaml.MappingNode {
			continue
		}
		keys, values := p.entries(item)
		for i, k := range keys {
			if k.Value == "extract" && values[i].Kind == yaml.MappingNode {
				names, _ := p.entries(values[i])
				for _, name := range names {
					sc.later[prefix+name.Value] = true
				}
			}
		}
	}
}

// stepKind is what a step is read as: one of an iteration's steps or of
// a session's.
type stepKind struct {
	name   string   // in messages: "step" or "session step"
	keys   []string // the keys it may have
	labels string   // what its name labels
}

var (
	iterationStep = stepKind{name: "step", keys: stepKeys, labels: "the endpoint in reports and SLOs"}
	sessionStep   = stepKind{name: "session step", keys: sessionStepKeys, labels: "the endpoint in reports"}
)

// step reads one step of kind; retry is the file's policy, which it takes
// unless it has its own, and extracted the keys of the variables extracted
// so far, to which it adds its own (its extractions index them). It
// returns the step and its fields, nil when item is not a step's mapping.
// The caller puts the step's variables in sc for the steps after it.
func (p *parser) step(item *yaml.Node, kind stepKind, retry runner.Retry, sc *scope, extracted *[]*yaml.Node) (step, map[string]*yaml.Node) {
	st := step{retry: retry}
	f := p.fields(item, "a "+kind.name, kind.keys...)
	if f == nil {
		return st, nil
	}
	if v := f["name"]; v != nil {
		st.name, _ = p.str(v, kind.name+" name")
		if !plainName(st.name) {
			p.at(v, 0, "%s name %q: a name of letters, digits, - and _ labels %s", kind.name, st.name, kind.labels)
		}
	} else {
		p.at(item, 0, "a %s needs a name: it labels %s", kind.name, kind.labels)
	}
	what := kind.name + " " + st.name
	st.request = p.request(f, item, what, sc)
	if v := f["classes"]; v != nil {
		st.classes = p.stepClasses(v, what+".classes")
	}
	if v := f["weight"]; v != nil {
		w, _ := p.integer(v, what+".weight", 0, maxWeightTotal)
		st.weighted, st.weight = true, int(w)
	}
	if v := f["retry"]; v != nil {
		st.retry = p.retry(v)
	}
	if v := f["expect"]; v != nil {
		p.checkRetryOn(&st, what, v)
	}
	if v := f["extract"]; v != nil {
		st.extract = p.extractions(v, what, extracted)
	}
	return st, f
}

// extractions reads a step's extract; extracted holds the keys of the
// variables extracted so far (a variable's index is its place there), and
// gets the new ones.
func (p *parser) extractions(v *yaml.Node, what string, extracted *[]*yaml.Node) []extraction {
	var out []extraction
	keys, values, _ := p.pairs(v, what+".extract")
	for i, k := range keys {
		if !validName(k.Value) || strings.Contains(k.Value, ".") || slices.Contains(reservedNames, k.Value) {
			p.at(k, 0, "%q cannot name a variable: use letters, digits and _, but not %s", k.Value, strings.Join(reservedNames, ", "))
			continue
		}
		if slices.ContainsFunc(*extracted, func(e *yaml.Node) bool { return e.Value == k.Value }) {
			p.at(k, 0, "variable %q is extracted twice", k.Value)
			continue
		}
		out = append(out, newExtraction(k.Value, len(*extracted), p.jsonPath(values[i], what+".extract."+k.Value), values[i].Value))
		*extracted = append(*extracted, k)
	}
	return out
}

// mix checks the weights of the weighted steps and lays out the order in
// which iterations choose them.
func (p *parser) mix(n *yaml.Node) {
	var weights []int
	for _, st := range p.sc.steps {
		if st.weighted {
			weights = append(weights, st.weight)
		}
	}
	if len(weights) == 0 {
		return
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	switch {
	case total == 0:
		p.at(n, 0, "the weights of the steps sum to zero: give at least one a positive weight")
	case total > maxWeightTotal:
		p.at(n, 0, "the weights of the steps sum to %d; at most %d", total, maxWeightTotal)
	default:
		p.sc.mix = mixCycle(weights)
	}
}

// mixCycle spreads choices among weighted items over a cycle as long as
// the weights' sum, each item as often as its weight and as evenly as it
// can (smooth weighted round-robin): weights 3 and 1 give 0 0 1 0.
func mixCycle(weights []int) []int {
	total := 0
	for _, w := range weights {
		total += w
	}
	current := make([]int, len(weights))
	cycle := make([]int, total)
	for k := range cycle {
		best := 0
		for i, w := range weights {
			current[i] += w
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		cycle[k] = best
	}
	return cycle
}

// chosen returns the weighted step iteration seq runs: the mix cycle,
// rotated one place further every cycle, so that each cycle keeps the
// weights exactly and the choice does not repeat in step with users taken
// in order (in a cycle of 10 and 5 users, the tenth step would otherwise
// always go to the same user).
func chosen(mix []int, seq int64) int {
	n := int64(len(mix))
	return mix[(seq+seq/n)%n]
}

// runnerStep builds the runner's step; user returns an iteration's user.
func (st *step) runnerStep(runID string, user func(runner.Iteration) []string, mix []int, weighted int) runner.Step {
	ctx := func(it runner.Iteration) *renderContext {
		return &renderContext{it: it, user: user(it), runID: runID}
	}
	out := runner.Step{Name: st.name, Method: st.method, Expect: st.expect, Classes: st.classes, Retry: st.retry, Header: http.Header{}}
	var varying []headerTemplate
	for _, h := range st.header {
		if v, ok := h.value.static(); ok {
			out.Header[h.name] = append(out.Header[h.name], v)
		} else {
			varying = append(varying, h)
		}
	}
	path, static := st.path.static()
	out.Path = path
	if !static || len(varying) > 0 {
		out.Vary = func(it runner.Iteration) (string, http.Header) {
			c := ctx(it)
			h := http.Header{}
			for _, v := range varying {
				h[v.name] = append(h[v.name], v.value.string(c))
			}
			return st.path.string(c), h
		}
	}
	if st.body != nil {
		out.Body = func(it runner.Iteration) []byte { return st.body.render(nil, ctx(it)) }
	}
	if len(st.extract) > 0 {
		out.Extract = func(it runner.Iteration, body []byte) error {
			doc, ok := decodeJSON(body)
			if !ok {
				return st.extract[0].notJSON
			}
			for _, x := range st.extract {
				v, ok := x.path.find(doc)
				if !ok {
					return x.missing
				}
				it.Vars[x.index] = v
			}
			return nil
		}
	}
	if st.weighted {
		out.Skip = func(it runner.Iteration) bool { return chosen(mix, it.Seq) != weighted }
	}
	return out
}

// setup renders r as a setup request for c.
func (r request) setup(label string, c *renderContext) runner.SetupRequest {
	out := runner.SetupRequest{Label: label, Method: r.method, Path: r.path.string(c), Expect: r.expect, Header: http.Header{}}
	for _, h := range r.header {
		out.Header[h.name] = append(out.Header[h.name], h.value.string(c))
	}
	if r.body != nil {
		out.Body = r.body.render(nil, c)
	}
	return out
}
