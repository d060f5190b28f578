package scenarios

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/runner"
	"go.yaml.in/yaml/v3"
)

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
	r.body = p.anyBody(f, what, sc, &r.header)
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
		r.expect = p.expectations(v, what+".expect")
	}
	return r
}

// anyBody compiles the body of one of body, form and multipart (giving two
// is a problem), and adds to header the Content-Type of a form or
// multipart body unless header has one: the file's wins.
func (p *parser) anyBody(f map[string]*yaml.Node, what string, sc *scope, header *[]headerTemplate) *template {
	var given []string
	for _, key := range []string{"body", "form", "multipart"} {
		if v := f[key]; v != nil {
			given = append(given, key)
			if len(given) == 2 {
				p.at(v, 0, "%s has %s and %s: give one of body, form and multipart", what, given[0], key)
			}
		}
	}
	var body *template
	contentType := ""
	switch {
	case f["body"] != nil:
		body = p.body(f["body"], what+".body", sc)
	case f["form"] != nil:
		body, contentType = p.form(f["form"], what+".form", sc), formContentType
	case f["multipart"] != nil:
		body, contentType = p.multipart(f["multipart"], what+".multipart", sc)
	}
	if contentType != "" && !slices.ContainsFunc(*header, func(h headerTemplate) bool { return h.name == "Content-Type" }) {
		*header = append(*header, headerTemplate{name: "Content-Type", value: &template{parts: []part{{literal: contentType}}}})
	}
	return body
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

// retry reads a retry policy. Its statuses are checked here, but for those
// a step expects (checkRetryOn), which depend on the step.
func (p *parser) retry(n *yaml.Node) runner.Retry {
	f := p.fields(n, "retry", "max", "max_wait", "on")
	if f == nil {
		return runner.Retry{}
	}
	r := runner.Retry{MaxWait: defaultMaxWait}
	if v := f["max"]; v != nil {
		m, _ := p.integer(v, "retry.max", 0, maxRetries)
		r.Max = int(m)
	} else {
		p.at(n, 0, "retry needs max: how many times an answer is tried again")
	}
	if v := f["max_wait"]; v != nil {
		if d, ok := p.duration(v, "retry.max_wait"); ok && d == 0 {
			p.at(v, 0, "retry.max_wait must be positive")
		} else if ok {
			r.MaxWait = d
		}
	}
	if v := f["on"]; v != nil {
		r.On = p.notOKStatuses(v, "retry.on", "an ok answer is never retried")
		if v := resolve(v); v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			p.at(v, 0, "retry.on is empty: list the statuses to retry, such as [429, 503], or set max: 0")
		}
	}
	return r
}

// notOKStatuses reads one status or a list of them that only an answer
// that is not ok can meet (retry.on, session.renew.on_status): a 2xx is
// refused, since it is ok whatever its body; does says what an ok answer
// never does.
func (p *parser) notOKStatuses(n *yaml.Node, what, does string) []int {
	items := []*yaml.Node{n}
	if resolve(n).Kind == yaml.SequenceNode {
		items, _ = p.list(n, what)
	}
	var out []int
	for _, item := range items {
		s, ok := p.integer(item, what, 100, 999)
		switch {
		case ok && s >= 200 && s <= 299:
			p.at(item, 0, "%s %d: a 2xx is ok, and %s", what, s, does)
		case ok:
			out = append(out, int(s))
		}
	}
	return out
}

// expectsAlways reports whether st expects status whatever the body: such
// an answer is ok.
func (st *step) expectsAlways(status int) bool {
	return slices.ContainsFunc(st.expect, func(r runner.Rule) bool { return r.Status == status && r.Body == nil })
}

// checkRetryOn reports a status of st's retry.on that st (what) expects
// whatever the body: the answer is ok, and never retried.
func (p *parser) checkRetryOn(st *step, what string, expect *yaml.Node) {
	for _, status := range st.retry.On {
		if st.expectsAlways(status) {
			p.at(expect, 0, "%s: retry.on %d is also in expect, so it is ok and never retried: take it out of one of them", what, status)
		}
	}
}
