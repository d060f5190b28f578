package scenarios

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/loadgate/loadgate/runner"
)

// FuzzParse: no file makes the loader panic, every failure is a list of
// located problems, and a valid scenario builds and renders its requests.
func FuzzParse(f *testing.F) {
	builtins, _ := filepath.Glob("builtin/*.yaml")
	for _, path := range builtins {
		data, _ := os.ReadFile(path)
		f.Add(data)
	}
	f.Add([]byte("steps:\n  - {name: a, path: \"/a/{{seq}}\", extract: {t: x.y}}\n  - {name: b, path: /b, headers: {A: \"{{t}}\"}, body: [1, \"{{t}}\"]}\n"))
	f.Add([]byte("load: {rate: 5/s, stages: \"1s:5\"}\nclassify: {classes: {slow: {status: 200, body_regex: \"x+\"}}}\nsteps: [{name: a, path: /a, weight: 2}, {name: b, path: /b, weight: 1}]\nslos: [slow<1%]\n"))
	f.Add([]byte("users: {register: {count: 3, password: {length: 8, require: [digit]}}, order: random}\nsteps: [{name: a, path: /a, body: \"{{user.email}}\"}]\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("users: {register: {count: 2, email: \"{{user.username}}@x.test\"}, identity: email}\nsteps: [{name: a, path: /a, body: \"{{user.email}}\"}]\n"))
	f.Add([]byte("users: {register: {count: 2}, order: random}\nsession:\n  measure: false\n  renew: {on_status: [401, 419], after: 15m}\n" +
		"  steps:\n    - {name: in, path: /login, body: {u: \"{{user.username}}\"}, extract: {t: x.y, r: x}}\n" +
		"    - {name: refresh, path: \"/r/{{session.r}}\", retry: {max: 1}}\n" +
		"steps: [{name: a, path: \"/a/{{session.t}}\", headers: {A: \"{{session.t}}\"}}]\n"))
	f.Add([]byte("steps:\n  - &s {name: a, path: /a, body: &b {x: 1}}\n  - {<<: *s, name: b, body: {<<: [*b, {y: 2}], x: 3}}\n"))
	f.Add([]byte("target: https://127.0.0.1:1\ntls: {insecure: true, server_name: api.internal, min_version: 1.3, ca_cert: x.pem}\nsteps: [{name: a, path: /a}]\n"))
	f.Add([]byte("steps:\n  - name: r\n    path: /r\n    expect: [409, {status: 400, json: {path: data.email.code, equals: taken}}]\n    classes: {no_token: {status: 200, json: {path: token, exists: false}}}\nslos: [no_token==0]\n"))
	f.Add([]byte("users: {register: {request: {path: /r, form: {e: \"{{user.email}}\", p: \"{{user.password}}\"}}}}\nsteps:\n  - {name: a, path: /a, form: {identity: \"{{user.email}}\", \"x y\": \"a+b%\"}}\n  - {name: b, path: /b, multipart: {t: \"{{seq}}\", f: {file: up.txt, content_type: text/plain}}}\n"))
	f.Add([]byte("retry: {max: 2, on: [429, 502]}\nsteps: [{name: a, path: /a, expect: 409, retry: {max: 1, on: 503, max_wait: 1s}}, {name: b, path: /b}]\n"))
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "up.txt"), []byte("upload"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data, Options{Dir: dir})
		if err != nil {
			var problems Problems
			if !errors.As(err, &problems) || len(problems) == 0 {
				t.Fatalf("error %v is not a list of problems", err)
			}
			return
		}
		if sc.users.reg != nil && sc.users.reg.count > 10 {
			sc.users.reg.count = 10
		}
		if sc.CheckCredentials() == nil {
			sc.Build(Env{RunID: "f", Username: "a@b.test", Password: "p+%", Target: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}})
		}
		r := sc.Build(Env{RunID: "f", Embedded: true})
		it := runner.Iteration{Seq: 3, Vars: make([]string, r.Vars)}
		if s := r.Session; s != nil {
			it.User = s.User(it.Seq)
			if it.User < 0 || it.User >= s.Users {
				t.Fatalf("iteration 3 takes user %d of %d", it.User, s.Users)
			}
			it.Session = make([]string, s.Vars)
			exercise(t, r.Classifier, s.Steps, runner.Iteration{Seq: -1, User: it.User, Vars: it.Session})
		}
		exercise(t, r.Classifier, r.Steps, it)
	})
}

// exercise builds every request of steps for it, extracts from a body and
// classifies answers; a step's retry policy must be one the runner takes.
func exercise(t *testing.T, classifier runner.Classifier, steps []runner.Step, it runner.Iteration) {
	for _, s := range steps {
		if err := s.Retry.Validate(s.Expect); err != nil {
			t.Fatalf("a valid file's step %s has a retry policy the runner refuses: %v", s.Name, err)
		}
		for _, status := range []int{200, 400} {
			classifier.Classify(status, []byte(`{"x":{"y":1}}`), s.Classes, s.Expect)
		}
		if s.Skip != nil {
			s.Skip(it)
		}
		if s.Vary != nil {
			s.Vary(it)
		}
		if s.Body != nil {
			s.Body(it)
		}
		if s.Extract != nil {
			s.Extract(it, []byte(`{"x":{"y":1}}`))
		}
	}
}

// FuzzTemplate: no text makes the template engine panic, and one that
// compiles renders.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"x {{seq}}", "{{user.name}}/{{v}}", "{{", "}}{{", "{{ env.HOME }}", "{{n}}"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, esc uint8) {
		sc := &scope{userFields: []string{"name"}, vars: map[string]int{"v": 0}, index: esc%2 == 0}
		tpl, offset, err := compileTemplate(s, escape(esc%4), sc)
		if err != nil {
			if offset < 0 || offset > len(s) {
				t.Fatalf("offset %d outside %q", offset, s)
			}
			return
		}
		tpl.string(&renderContext{it: runner.Iteration{Vars: []string{"\"v\n"}}, user: []string{"n"}})
	})
}

// FuzzJSONPath: no path text makes the parser panic, and a parsed path
// looks values up without one.
func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"a.b", "$.a[0]", `$["k"]`, "[", "$", "a..b"} {
		f.Add(s, []byte(`{"a":{"b":[1]}}`))
	}
	f.Fuzz(func(t *testing.T, s string, body []byte) {
		p, offset, err := parseJSONPath(s)
		if err != nil {
			if offset < 0 || offset > len(s) {
				t.Fatalf("offset %d outside %q", offset, s)
			}
			return
		}
		if doc, ok := decodeJSON(body); ok {
			p.find(doc)
		}
	})
}
