package scenarios

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/runner"
)

// TestProblemsAreLocated: each kind of mistake in a file is reported at its
// line and column, with a message that names it.
func TestProblemsAreLocated(t *testing.T) {
	t.Setenv("LG_TEST_SECRET", "s3cret")
	cases := []struct {
		name, file string
		want       []string // "line:col: part of the message", in order
	}{
		{"unknown key", "steps:\n  - name: a\n    path: /a\n    bodyy: {}\n", []string{"4:5: unknown key \"bodyy\""}},
		{"target without scheme", "target: 127.0.0.1:8080\nsteps:\n  - {name: a, path: /a}\n", []string{"1:9: target 127.0.0.1:8080: missing scheme; did you mean http://127.0.0.1:8080?"}},
		{"target with a password", "target: \"ftp://bob:pw1234@h/\"\nsteps:\n  - {name: a, path: /a}\n", []string{`1:9: target ftp://bob:xxxxx@h/: scheme "ftp" is not supported`}},
		{"target without host", "target: \"http://\"\nsteps:\n  - {name: a, path: /a}\n", []string{"1:9: target http://: no host"}},
		{"one user", "load: {iterations: 5}\nusers:\n  register: {count: 1}\n  order: unique\nsteps:\n  - {name: a, path: /a}\n", []string{"1:20: load.iterations 5: users.order unique allows at most 1 iteration, one per user"}},
		{"wrong type", "load:\n  concurrency: many\nsteps:\n  - {name: a, path: /a}\n", []string{"2:16: load.concurrency must be a whole number"}},
		{"quoted number", "load:\n  concurrency: \"4\"\nsteps:\n  - {name: a, path: /a}\n", []string{`2:16: load.concurrency must be a whole number, not the string "4": a number in quotes is a string; write it without them`}},
		{"quoted long number", "load:\n  iterations: '123456789012345678901'\nsteps:\n  - {name: a, path: /a}\n", []string{`2:15: load.iterations must be a whole number, not the string "123456789012345678901": a number in quotes`}},
		{"quoted stage target", "load: {stages: [{duration: 1s, target: \"5\"}]}\nsteps:\n  - {name: a, path: /a}\n", []string{`1:40: stage target must be a number of at least 0, not the string "5": a number in quotes`}},
		{"quoted status", "steps:\n  - {name: a, path: /a, expect: [\"201\"]}\n", []string{`2:34: step a.expect must be a whole number, not the string "201": a number in quotes`}},
		{"long number", "load:\n  iterations: 123456789012345678901\nsteps:\n  - {name: a, path: /a}\n", []string{`2:15: load.iterations: 123456789012345678901 is too large`}},
		{"http2 not a boolean", "http2: \"yes\"\nsteps:\n  - {name: a, path: /a}\n", []string{`1:8: http2 must be true or false, not the string "yes"`}},
		{"duration without unit", "timeout: 30\nsteps:\n  - {name: a, path: /a}\n", []string{`1:10: timeout must be a duration such as 500ms, 30s or 1m30s, not the number 30: give it a unit`}},
		{"bad duration", "load:\n  duration: 10 minutes\nsteps:\n  - {name: a, path: /a}\n", []string{"2:13: load.duration: \"10 minutes\" is not a duration"}},
		{"bad SLO", "steps:\n  - {name: a, path: /a}\nslos:\n  - p95<500\n", []string{"4:9: invalid SLO \"p95<500\": latency \"500\" needs a unit"}},
		{"SLO scope", "steps:\n  - {name: a, path: /a}\nslos:\n  - nope.p95<5ms\n", []string{"4:5: invalid SLO \"nope.p95<5ms\": the scenario has no step \"nope\""}},
		{"undefined variable", "steps:\n  - name: a\n    path: /a\n    body: {x: \"id {{nope}}\"}\n", []string{"4:19: step a.body: undefined template variable {{nope}}"}},
		{"user field", "users:\n  fixed: {username: u, password: p}\nsteps:\n  - name: a\n    path: \"/a/{{user.email}}\"\n", []string{"5:15: step a.path: {{user.email}}: users have no field \"email\""}},
		{"unused extraction", "steps:\n  - name: a\n    path: /a\n    extract: {token: data.token}\n  - {name: b, path: /b}\n", []string{"4:15: variable \"token\" is extracted but no later step uses it"}},
		{"used before extracted", "steps:\n  - name: a\n    path: /a\n    headers: {Authorization: \"Bearer {{token}}\"}\n  - name: b\n    path: /b\n    extract: {token: t}\n", []string{"4:38: header Authorization: {{token}} is not defined here", "7:15: variable \"token\" is extracted but no later step uses it"}},
		{"weights sum to zero", "steps:\n  - {name: a, path: /a, weight: 0}\n  - {name: b, path: /b, weight: 0}\n", []string{"2:3: the weights of the steps sum to zero"}},
		{"no steps", "name: x\n", []string{"1:1: the scenario has no steps"}},
		{"unset env", "users:\n  fixed: {username: u, password: \"{{env.LG_TEST_UNSET}}\"}\nsteps:\n  - {name: a, path: /a}\n", []string{"2:34: users.fixed.password: {{env.LG_TEST_UNSET}}: environment variable LG_TEST_UNSET is not set"}},
		{"bad regex", "classify:\n  lock_timeout: {status: 503, body_regex: \"(\"}\nsteps:\n  - {name: a, path: /a}\n", []string{"2:43: classify.lock_timeout.body_regex: error parsing regexp"}},
		{"bad YAML", "steps:\n\t- name: a\n", []string{"2:1: invalid YAML: found character that cannot start any token"}},
		{"YAML mistake inside a list", "name: y\nsteps:\n  - name: a\n   path: /x\n", []string{"4:4: invalid YAML: did not find expected '-' indicator"}},
		{"YAML bracket left open", "steps:\n  - name: a\n    path: /x\n    body: {a: 1, b: 2\n  - name: b\n    path: /y\n", []string{"4:5: invalid YAML: did not find expected ',' or '}'"}},
		{"two problems", "load: {concurrency: 0}\nsteps:\n  - {name: a, path: a}\n", []string{"1:21: load.concurrency must be from 1", "3:21: step a.path \"a\" must start with /"}},
		{"open and closed", "load: {rate: 10/s, concurrency: 5}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:33: load.concurrency sets the closed model's workers"}},
		{"custom class SLO", "classify:\n  classes:\n    rate_limited: {status: 429}\nsteps:\n  - {name: a, path: /a}\nslos:\n  - rate_limitd<1%\n", []string{"7:5: invalid SLO \"rate_limitd<1%\": unknown metric \"rate_limitd\""}},
		{"class named as a metric", "classify:\n  classes:\n    p95: {status: 500}\nsteps:\n  - {name: a, path: /a}\n", []string{"3:5: class name \"p95\" is an SLO metric already"}},
		{"non-ASCII before a template", "steps:\n  - name: a\n    path: /a\n    headers: {X: \"ééééé{{nope}}\"}\n", []string{"4:24: header X: undefined template variable {{nope}}"}},
		{"escapes before a template", "steps:\n  - name: a\n    path: /a\n    headers: {X: \"\\t\\t{{nope}}\"}\n", []string{"4:18: header X: undefined template variable {{nope}}"}},
		{"second document", "steps:\n  - {name: a, path: /a}\n---\nfoo: 1\n", []string{"4:1: a second YAML document"}},
		{"seq in registration", "users:\n  register: {username: \"u-{{seq}}\"}\nsteps:\n  - {name: a, path: /a}\n", []string{"2:27: users.register.username: {{seq}} is not defined here"}},
		{"scope of a step the file lacks", "steps:\n  - {name: signin, path: /a}\nslos: [login.p95<1s]\n", []string{"3:8: invalid SLO \"login.p95<1s\": the scenario has no step \"login\""}},
		{"framing header", "steps:\n  - {name: a, path: /a, headers: {host: x}}\n", []string{"2:35: header Host is loadgate's to set"}},
		{"weighted step extracts", "steps:\n  - {name: a, path: /a, weight: 1, extract: {t: x}}\n  - {name: b, path: \"/b/{{t}}\"}\n", []string{"2:46: variable \"t\": a weighted step cannot extract", "3:25: step b.path: {{t}} is not defined here"}},
		{"pause in the open model", "load: {rate: 5, duration: 1m, pause: 1s}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:38: load.pause applies to the closed model only"}},
		{"open run without an end", "load: {rate: 5}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:7: the run needs an end: set load.iterations, load.duration or load.stages"}},
		{"too many workers in stages", "load: {stages: [{duration: 1s, target: 1e12}]}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:16: load.stages stage 1 (1s:1000000000000): a target of 1000000000000 workers; at most 100000"}},
		{"too long a duration", "load: {duration: 2562048h}\nsteps:\n  - {name: a, path: /a}\n", []string{`1:18: load.duration: "2562048h" is too large; at most 2562047h`}},
		{"too long a duration in parts", "load: {duration: 2562047h48m}\nsteps:\n  - {name: a, path: /a}\n", []string{`1:18: load.duration: "2562047h48m" is too large; at most 2562047h`}},
		{"a long non-duration", "load: {duration: 9999999999 hours}\nsteps:\n  - {name: a, path: /a}\n", []string{`1:18: load.duration: "9999999999 hours" is not a duration`}},
		{"too large a number", "load: {iterations: 99999999999999999999999}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:20: load.iterations: 99999999999999999999999 is too large"}},
		{"tls version", "tls:\n  min_version: 1.1\nsteps:\n  - {name: a, path: /a}\n", []string{`2:16: tls.min_version "1.1" is not a TLS version loadgate accepts: 1.2 or 1.3`}},
		{"tls insecure", "tls: {insecure: 1}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:17: tls.insecure must be true or false, not the number 1"}},
		{"tls key alone", "tls: {client_key: k.pem}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:19: tls.client_key needs tls.client_cert, the certificate the key goes with"}},
		{"tls server name in brackets", "tls: {server_name: \"[::1]\"}\nsteps:\n  - {name: a, path: /a}\n", []string{`1:20: tls.server_name "[::1]" is not a host name or IP address: give an IPv6 address without brackets`}},
		{"tls unknown key", "tls: {verify: false}\nsteps:\n  - {name: a, path: /a}\n", []string{`1:7: unknown key "verify" in tls; known keys are insecure, ca_cert, client_cert, client_key, server_name, min_version`}},
		{"tls not a mapping", "tls: insecure\nsteps:\n  - {name: a, path: /a}\n", []string{`1:6: tls must be a mapping, not the string "insecure"`}},
		{"expect rule without status", "steps:\n  - name: a\n    path: /a\n    expect: [{json: {path: x, equals: y}}]\n", []string{"4:14: step a.expect needs a status"}},
		{"expect rule on a 2xx", "steps:\n  - name: a\n    path: /a\n    expect: [{status: 200, body_contains: x}]\n", []string{"4:14: step a.expect: a 200 is ok whatever its body"}},
		{"expect with two body tests", "steps:\n  - name: a\n    path: /a\n    expect:\n      - {status: 400, body_contains: x, body_regex: y}\n", []string{"5:9: step a.expect: use one of body_contains, body_regex and json"}},
		{"expect unknown matcher", "steps:\n  - name: a\n    path: /a\n    expect: [{status: 400, body_has: x}]\n", []string{`4:28: unknown key "body_has" in step a.expect; known keys are status, body_contains, body_regex, json`}},
		{"expect wrong type", "steps:\n  - name: a\n    path: /a\n    expect: [[400]]\n", []string{"4:14: step a.expect must be a whole number, not a list"}},
		{"json equals and exists", "steps:\n  - name: a\n    path: /a\n    expect: [{status: 400, json: {path: x, equals: y, exists: true}}]\n", []string{"4:34: step a.expect.json needs a path and one of equals and exists"}},
		{"json exists not a boolean", "steps:\n  - name: a\n    path: /a\n    classes: {no_token: {status: 200, json: {path: token, exists: no}}}\n", []string{`4:67: step a.classes.no_token.json.exists must be true or false, not the string "no"`}},
		{"step class named as a metric", "steps:\n  - name: a\n    path: /a\n    classes: {errors: {status: 200}}\n", []string{`4:15: class name "errors" is an SLO metric already`}},
		{"step classes not a mapping", "steps:\n  - name: a\n    path: /a\n    classes: [no_token]\n", []string{"4:14: step a.classes must be a mapping, not a list"}},
		{"step class SLO misspelt", "steps:\n  - name: a\n    path: /a\n    classes: {no_token: {status: 200, json: {path: token, exists: false}}}\nslos: [no_tokn==0]\n", []string{`5:8: invalid SLO "no_tokn==0": unknown metric "no_tokn"`}},
		{"register expect with a body test", "users:\n  register:\n    request:\n      path: /r\n      expect: [{status: 400, body_contains: taken}]\nsteps:\n  - {name: a, path: /a}\n", []string{"5:15: users.register.request.expect takes statuses only"}},
		{"too many classes", "classify:\n  classes: {c1: {status: 401}, c2: {status: 402}, c3: {status: 403}, c4: {status: 404}, c5: {status: 405}, c6: {status: 406}, c7: {status: 407}, c8: {status: 408}}\nsteps:\n  - name: a\n    path: /a\n    classes: {c1: {status: 200}, c9: {status: 201}, c10: {status: 202}}\n", []string{"6:53: step a.classes: class c10 is one too many: at most 9 classes"}},
		{"two body kinds", "steps:\n  - name: a\n    path: /a\n    body: {x: 1}\n    form: {x: \"1\"}\n", []string{"5:11: step a has body and form: give one of body, form and multipart"}},
		{"form value not a string", "steps:\n  - name: a\n    path: /a\n    form: {tags: [a, b]}\n", []string{"4:18: step a.form.tags must be a string, not a list"}},
		{"form not a mapping", "steps:\n  - name: a\n    path: /a\n    form: \"a=b\"\n", []string{`4:11: step a.form must be a mapping, not the string "a=b"`}},
		{"form undefined variable", "steps:\n  - name: a\n    path: /a\n    form: {p: \"{{user.password}}\"}\n", []string{"4:15: step a.form.p: {{user.password}}: the scenario has no users"}},
		{"multipart file unreadable", "steps:\n  - name: a\n    path: /a\n    multipart: {avatar: {file: nope.png}}\n", []string{"4:32: step a.multipart.avatar.file /"}},
		{"multipart file missing", "steps:\n  - name: a\n    path: /a\n    multipart: {avatar: {content_type: image/png}}\n", []string{"4:25: step a.multipart.avatar needs a file"}},
		{"multipart unknown key", "steps:\n  - name: a\n    path: /a\n    multipart: {avatar: {path: a.png}}\n", []string{"4:25: step a.multipart.avatar needs a file", `4:26: unknown key "path" in step a.multipart.avatar; known keys are file, content_type, filename`}},
		{"multipart value a list", "steps:\n  - name: a\n    path: /a\n    multipart: {x: [1]}\n", []string{"4:20: step a.multipart.x must be a string, not a list"}},
		{"register with two bodies", "users:\n  register:\n    request: {path: /r, body: x, multipart: {a: b}}\nsteps:\n  - {name: a, path: /a}\n", []string{"3:45: users.register.request has body and multipart"}},
		{"identity password", "users:\n  register: {count: 2}\n  identity: password\nsteps:\n  - {name: a, path: /a}\n", []string{"3:13: users.identity names the field --username fills; --password fills password"}},
		{"identity unknown", "users:\n  fixed: {username: u, password: p}\n  identity: email\nsteps:\n  - {name: a, path: /a}\n", []string{`3:13: users.identity "email": the users have no such field; they have username, password`}},
		{"identity not a string", "users:\n  register: {count: 2}\n  identity: [email]\nsteps:\n  - {name: a, path: /a}\n", []string{"3:13: users.identity must be a string, not a list"}},
		{"SLO of an unknown metric in a step", "steps:\n  - {name: session, path: /a}\nslos:\n  - session.retriez<5\n", []string{`4:13: invalid SLO "session.retriez<5": unknown metric "retriez" (after the scope "session")`}},
		{"SLO of an unknown metric in no step", "steps:\n  - {name: a, path: /a}\nslos:\n  - session.retriez<5\n", []string{`4:5: invalid SLO "session.retriez<5": the scenario has no step "session" (its steps are a), and unknown metric "retriez" (after the scope "session")`}},
		{"SLO of first attempts' latency", "steps:\n  - {name: a, path: /a}\nslos:\n  - a.first_attempt.p95<1s\n", []string{`4:7: invalid SLO "a.first_attempt.p95<1s": first_attempt.p95 (after the scope "a"): first attempts are counted by class only`}},
		{"retry on a 2xx", "retry: {max: 2, on: [429, 204]}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:27: retry.on 204: a 2xx is ok, and an ok answer is never retried"}},
		{"retry on nothing", "retry: {max: 2, on: []}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:21: retry.on is empty: list the statuses to retry"}},
		{"retry on no status", "steps:\n  - {name: a, path: /a, retry: {max: 1, on: [1000]}}\n", []string{"2:46: retry.on must be from 100 to 999"}},
		{"retry on an expected status", "retry: {max: 2, on: [409, 503]}\nsteps:\n  - {name: a, path: /a, expect: [409]}\n", []string{"3:33: step a: retry.on 409 is also in expect, so it is ok and never retried"}},
		{"expect nothing", "steps:\n  - {name: a, path: /a, expect: []}\n", []string{"2:33: step a.expect is empty: list the statuses or rules that are ok besides a 2xx, or remove the key"}},
		{"register expects nothing", "users:\n  register: {count: 1, request: {path: /r, expect: []}}\nsteps:\n  - {name: a, path: /a}\n", []string{"2:52: users.register.request.expect is empty"}},
		{"no step class", "steps:\n  - {name: a, path: /a, classes: {}}\n", []string{"2:34: step a.classes is empty: name a class and its rule"}},
		{"no file class", "classify: {classes: {}}\nsteps:\n  - {name: a, path: /a}\n", []string{"1:21: classify.classes is empty: name a class and its rule"}},
		{"an empty form", "steps:\n  - {name: a, path: /a, form: {}}\n", []string{"2:31: step a.form is empty: give its fields, or remove the key"}},
		{"an empty multipart body", "steps:\n  - {name: a, path: /a, multipart: {}}\n", []string{"2:36: step a.multipart is empty: give its fields or files, or remove the key"}},
		{"users exhausted", "load: {iterations: 5}\nusers:\n  register: {count: 2}\n  order: unique\nsteps:\n  - {name: a, path: /a}\n", []string{"1:20: load.iterations 5: users.order unique allows at most 2 iterations"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.file), Options{Dir: t.TempDir()})
			var problems Problems
			if !errors.As(err, &problems) {
				t.Fatalf("Parse: %v, want problems", err)
			}
			if len(problems) != len(tc.want) {
				t.Fatalf("problems:\n%v\nwant %d: %q", err, len(tc.want), tc.want)
			}
			for i, want := range tc.want {
				if got := problems[i].String(); !strings.HasPrefix(got, "s.yaml:"+want) {
					t.Errorf("problem %d:\n%s\nwant s.yaml:%s...", i, got, want)
				}
			}
		})
	}
}

// TestValidFileParts: a valid file's parts as the runner gets them.
func TestValidFileParts(t *testing.T) {
	t.Setenv("LG_TEST_KEY", `k"1`)
	file := `
name: flow
target: https://api.example.com/base
timeout: 3s
http2: true
load: {concurrency: 4, duration: 1m}
retry: {max: 2, max_wait: 5s, on: [429, 502]}
classify:
  lock_timeout: {status: 503, json: {path: error.code, equals: LOCKED}}
  classes:
    rate_limited: {status: 429}
users:
  fixed: {username: ann, password: "{{env.LG_TEST_KEY}}"}
steps:
  - name: login
    path: /v2/session?client={{env.LG_TEST_KEY}}
    headers: {X-Api-Key: "{{env.LG_TEST_KEY}}"}
    body:
      login: "{{user.username}}"
      secret: "{{user.password}}"
      n: 1_000
      tags: [a, "{{seq}}"]
      ok: true
    extract: {token: "$.result.tokens[0]", id: result.id}
    retry: {max: 0}
  - name: me
    path: "/v2/users/{{id}}"
    headers: {Authorization: "Bearer {{token}}"}
    expect: [304]
slos: [rate_limited<1%, me.p95<200ms, retries<10, login.first_attempt.error_rate<1%, first_attempt.rate_limited==0]
`
	sc, err := Parse("flow.yaml", []byte(file), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Target != "https://api.example.com/base" || sc.Timeout.Seconds() != 3 || !sc.HTTP2 || sc.Load.Concurrency != 4 || !slices.Equal(sc.Classes(), []string{"rate_limited"}) {
		t.Errorf("scenario %+v", sc)
	}
	if len(sc.SLOs) != 5 || sc.SLOs[3].Scope != "login" || sc.SLOs[3].Metric != "first_attempt.error_rate" {
		t.Errorf("SLOs %+v", sc.SLOs)
	}
	r := sc.Build(Env{RunID: "r"})
	login, me := r.Steps[0], r.Steps[1]
	if login.Method != "POST" || login.Path != "/v2/session?client=k%221" || login.Header.Get("X-Api-Key") != `k"1` || login.Retry.Max != 0 || login.Vary != nil {
		t.Errorf("login step %+v", login)
	}
	if got := string(login.Body(runner.Iteration{Seq: 7})); got != `{"login":"ann","secret":"k\"1","n":1000,"tags":["a","7"],"ok":true}` {
		t.Errorf("login body %s", got)
	}
	it := runner.Iteration{Vars: make([]string, r.Vars)}
	if err := login.Extract(it, []byte(`{"result":{"tokens":["t/1"],"id":42}}`)); err != nil {
		t.Errorf("extraction: %v, %q", err, it.Vars)
	}
	for body, want := range map[string]string{
		`{"result":{"tokens":["t/1"]}}`: "id: result.id not found in body",
		`{"result":{}}`:                 "token: $.result.tokens[0] not found in body",
		`<html>`:                        "token: $.result.tokens[0] not found: the body is not JSON",
	} {
		if err := login.Extract(runner.Iteration{Vars: make([]string, 2)}, []byte(body)); err == nil || err.Error() != want {
			t.Errorf("extraction from %s: %v, want %q", body, err, want)
		}
	}
	path, header := me.Vary(it)
	if me.Method != "GET" || path != "/v2/users/42" || header.Get("Authorization") != "Bearer t/1" || me.Retry.Max != 2 || me.Retry.MaxWait.Seconds() != 5 || !slices.Equal(me.Retry.On, []int{429, 502}) || login.Retry.On != nil {
		t.Errorf("me step %+v: %s %v", me, path, header)
	}
	c := r.Classifier
	if c.Classify(503, []byte(`{"error":{"code":"LOCKED"}}`), nil, nil) != runner.ClassLockTimeout ||
		c.Classify(503, []byte(`{"error":"temporarily busy"}`), nil, nil) != runner.ClassUnavailable ||
		c.Classify(429, nil, nil, nil) != runner.NumBuiltinClasses {
		t.Errorf("classifier does not follow the file")
	}
}

// TestOpenModelWithoutMaxWorkers: an open-model file need not say how many
// workers; run sizes them from the rate and the timeout.
func TestOpenModelWithoutMaxWorkers(t *testing.T) {
	sc, err := Parse("s.yaml", []byte("load: {rate: 10/s, duration: 10s}\nsteps:\n  - {name: a, path: /a}\n"), Options{})
	if err != nil || !sc.Load.Open || sc.Load.MaxWorkers != 0 {
		t.Errorf("%v, %+v", err, sc)
	}
}

// TestCredentialsStandForUsers: --username and --password replace users
// that have those fields, and are refused for users that do not.
func TestCredentialsStandForUsers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bom.csv"), []byte("\ufefflogin,secret\nann,pw\n"), 0o644)
	sc, err := Parse("s.yaml", []byte("users: {csv: bom.csv}\nsteps:\n  - {name: a, path: \"/a/{{user.login}}\"}\n"), Options{Dir: dir})
	if err != nil {
		t.Fatalf("a CSV with a byte order mark: %v", err)
	}
	if err := sc.CheckCredentials(); err == nil || !strings.Contains(err.Error(), "have login, secret") {
		t.Errorf("CSV without username: %v", err)
	}
	sc, _ = Parse("s.yaml", []byte("steps:\n  - {name: a, path: /a}\n"), Options{Dir: dir})
	if err := sc.CheckCredentials(); err == nil {
		t.Errorf("no users: accepted")
	}
	sc, _ = Parse("s.yaml", []byte("users: {register: {count: 2}}\nsteps:\n  - {name: a, path: /a, body: {e: \"{{user.email}}\", p: \"{{user.password}}\"}}\n"), Options{Dir: dir})
	r := sc.Build(Env{RunID: "r", Username: "ann", Password: "pw", Target: &url.URL{Scheme: "https", Host: "x"}})
	if err := sc.CheckCredentials(); err != nil || len(r.Setup) != 0 || string(r.Steps[0].Body(runner.Iteration{})) != `{"e":"ann@loadgate.test","p":"pw"}` {
		t.Errorf("registered users replaced by ann: %v, %d setup requests, body %s", err, len(r.Setup), r.Steps[0].Body(runner.Iteration{}))
	}
}

// TestLargeBodies: an alias bomb is refused quickly, a long body loads in
// linear time, and a number keeps every digit it was written with.
func TestLargeBodies(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString("steps:\n  - name: a\n    path: /a\n    body:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&bomb, "      l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	_, err := Parse("s.yaml", []byte(bomb.String()), Options{})
	if err == nil || !strings.Contains(err.Error(), "step a.body is too large") {
		t.Errorf("alias bomb: %v", err)
	}
	items := make([]string, 60_000)
	for i := range items {
		items[i] = strconv.Itoa(i)
	}
	sc, err := Parse("s.yaml", []byte("steps:\n  - name: a\n    path: /a\n    body: {id: 12345678901234567890, n: 0x1F, items: ["+strings.Join(items, ",")+"]}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := string(sc.Build(Env{}).Steps[0].Body(runner.Iteration{}))
	if !strings.HasPrefix(body, `{"id":12345678901234567890,"n":31,"items":[0,1,2,`) || !strings.HasSuffix(body, ",59999]}") {
		t.Errorf("body %s...", body[:80])
	}
}

// TestPasswordRules: a generated password has the length asked for, one of
// each required kind, and nothing of the kinds left out.
func TestPasswordRules(t *testing.T) {
	r := passwordRules{length: 12, require: []string{"lower", "upper", "digit"}}
	for range 200 {
		pw := r.generate()
		if len(pw) != 12 || !strings.ContainsAny(pw, passwordKinds["lower"]) || !strings.ContainsAny(pw, passwordKinds["upper"]) ||
			!strings.ContainsAny(pw, passwordKinds["digit"]) || strings.ContainsAny(pw, passwordKinds["symbol"]) {
			t.Fatalf("password %q breaks %+v", pw, r)
		}
	}
}

// TestMixCycle: weights 3 and 1 give a cycle of 4 with three of the first,
// spread out; weights that are all one alternate.
func TestMixCycle(t *testing.T) {
	if got := mixCycle([]int{3, 1}); !slices.Equal(got, []int{0, 0, 1, 0}) && !slices.Equal(got, []int{0, 1, 0, 0}) {
		t.Errorf("mixCycle(3, 1) = %v", got)
	}
	if got := mixCycle([]int{1, 1, 1}); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("mixCycle(1, 1, 1) = %v", got)
	}
	if got := mixCycle([]int{0, 2}); !slices.Equal(got, []int{1, 1}) {
		t.Errorf("mixCycle(0, 2) = %v", got)
	}
}

// TestTemplateEscapes: a value is escaped for where it goes.
func TestTemplateEscapes(t *testing.T) {
	sc := &scope{userFields: []string{"name"}}
	c := &renderContext{user: []string{"a b/\"c\"\n<é>"}, it: runner.Iteration{Seq: 12}}
	for esc, want := range map[escape]string{
		escapeNone:  "x a b/\"c\"\n<é> 12",
		escapeJSON:  `x a b/\"c\"\n\u003cé\u003e 12`,
		escapePath:  "x a%20b%2F%22c%22%0A%3C%C3%A9%3E 12",
		escapeQuery: "x a+b%2F%22c%22%0A%3C%C3%A9%3E 12",
	} {
		tpl, _, err := compileTemplate("x {{ user.name }} {{seq}}", esc, sc)
		if err != nil {
			t.Fatal(err)
		}
		if got := tpl.string(c); got != want {
			t.Errorf("escape %d: %q, want %q", esc, got, want)
		}
	}
	for _, bad := range []string{"{{", "}}", "{{}}", "{{a b}}", "{{1x}}", "a {{seq}} }}"} {
		if _, _, err := compileTemplate(bad, escapeNone, sc); err == nil {
			t.Errorf("%q compiled", bad)
		}
	}
}

// TestCSVProblems: a CSV file that cannot give users is a located problem.
func TestCSVProblems(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty.csv":  "",
		"header.csv": "username,password\n",
		"dup.csv":    "a,a\n1,2\n",
		"ragged.csv": "a,b\n1,2\n3\n",
	} {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
		_, err := Parse("s.yaml", []byte("users:\n  csv: "+name+"\nsteps:\n  - {name: a, path: /a}\n"), Options{Dir: dir})
		if err == nil || !strings.HasPrefix(err.Error(), "s.yaml:2:8: users.csv: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := Parse("s.yaml", []byte("users:\n  csv: missing.csv\nsteps:\n  - {name: a, path: /a}\n"), Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	// A file over the limit is refused, never cut short (its last users
	// silently dropped): a header and a first user, then padding.
	big, err := os.Create(filepath.Join(dir, "big.csv"))
	if err != nil {
		t.Fatal(err)
	}
	big.WriteString("username,password\nu,p\n")
	big.Truncate(maxCSVBytes + 1) // the rest reads as zeros, which a cut file would drop
	big.Close()
	_, err = Parse("s.yaml", []byte("users:\n  csv: big.csv\nsteps:\n  - {name: a, path: /a}\n"), Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "larger than 67108864 bytes") {
		t.Errorf("a file over the limit: %v", err)
	}
}

// TestMergeKeys: YAML merge keys work anywhere a mapping is read: one
// mapping or a list of them, an earlier one's key winning over a later
// one's, and a key written beside the merge winning over a merged one.
func TestMergeKeys(t *testing.T) {
	file := `
load: {concurrency: 2, duration: 1s}
steps:
  - &login
    name: login
    path: /login
    headers: &headers {X-A: a, X-B: b}
    body: &body {user: ann, n: 1}
  - <<: *login
    name: again
    headers:
      <<: [{X-A: first, X-C: c}, *headers]
      X-B: mine
    body: {<<: *body, n: 2}
`
	sc, err := Parse("s.yaml", []byte(file), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := sc.Build(Env{RunID: "r"})
	if len(r.Steps) != 2 {
		t.Fatalf("%d steps, want 2", len(r.Steps))
	}
	again := r.Steps[1]
	h := again.Header
	if again.Name != "again" || again.Method != "POST" || again.Path != "/login" || h.Get("X-A") != "first" || h.Get("X-B") != "mine" || h.Get("X-C") != "c" {
		t.Errorf("merged step: %s %s %s, headers %v", again.Name, again.Method, again.Path, h)
	}
	if body := string(again.Body(runner.Iteration{})); body != `{"user":"ann","n":2}` {
		t.Errorf("merged body %s", body)
	}
}

// TestMergeChain: merges of merges are resolved once per mapping, so a
// chain that would double at each link loads at once.
func TestMergeChain(t *testing.T) {
	var file strings.Builder
	file.WriteString("steps:\n  - name: a\n    path: /a\n    body:\n      l0: &l0 {k0: 0}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&file, "      l%d: &l%d {<<: [*l%d, *l%d], k%d: %d}\n", i, i, i-1, i-1, i, i)
	}
	sc, err := Parse("s.yaml", []byte(file.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i <= 40; i++ {
		want = append(want, fmt.Sprintf(`"k%d":%d`, i, i))
	}
	body := string(sc.Build(Env{}).Steps[0].Body(runner.Iteration{}))
	if !strings.HasSuffix(body, `"l40":{`+strings.Join(want, ",")+"}}") {
		t.Errorf("body ends %s", body[max(0, len(body)-120):])
	}
}

// TestMergeKeyProblems: a problem inside a merged mapping is reported once,
// at its own line; a merge of something else than mappings is named.
func TestMergeKeyProblems(t *testing.T) {
	for name, tc := range map[string]struct{ file, want string }{
		"unknown key in the base": {"steps:\n  - &a {name: a, path: /a, bogus: 1}\n  - {<<: *a, name: b}\n",
			`s.yaml:2:28: unknown key "bogus" in a step`},
		"merge of a number": {"steps:\n  - {name: a, path: /a}\n  - {<<: 5, name: b, path: /b}\n",
			"s.yaml:3:10: << merges a mapping (<<: *base) or a list of mappings (<<: [*a, *b]), not the number 5"},
		"list with a string": {"steps:\n  - {name: a, path: /a}\n  - {<<: [x], name: b, path: /b}\n",
			`s.yaml:3:11: << merges mappings; a list after it holds only mappings, not the string "x"`},
		"quoted << is a key": {"steps:\n  - {\"<<\": {}, name: a, path: /a}\n",
			`s.yaml:2:6: unknown key "<<" in a step`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.file), Options{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("problems:\n%v\nwant one:\n%s", err, tc.want)
			}
		})
	}
}

// TestRandomOrderFollowsTheRun: a random order of users is the run's own:
// the same run ID gives the same users in the same order (a re-run, or the
// shards of one run), another run ID another order.
func TestRandomOrderFollowsTheRun(t *testing.T) {
	dir := t.TempDir()
	rows := "username,password\n"
	for i := range 50 {
		rows += fmt.Sprintf("u%d,p\n", i)
	}
	os.WriteFile(filepath.Join(dir, "u.csv"), []byte(rows), 0o644)
	sc, err := Parse("s.yaml", []byte("users: {csv: u.csv, order: random}\nsteps:\n  - {name: a, path: /a, body: \"{{user.username}}\"}\n"), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	order := func(runID string) string {
		step := sc.Build(Env{RunID: runID}).Steps[0]
		var users []string
		for seq := range int64(20) {
			users = append(users, string(step.Body(runner.Iteration{Seq: seq})))
		}
		return strings.Join(users, " ")
	}
	if a, again, b := order("run-a"), order("run-a"), order("run-b"); a != again || a == b {
		t.Errorf("run-a: %s\nrun-a again: %s\nrun-b: %s", a, again, b)
	}
}
