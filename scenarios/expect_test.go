package scenarios

import (
	"slices"
	"testing"

	"github.com/loadgate/loadgate/runner"
)

// TestExpectationsAndStepClasses: expect takes statuses and rules with a
// body test, a step's own classes apply to its answers alone and before
// the file's, a name shared with classify is that class, and json's exists
// tells a body with a value from one without.
func TestExpectationsAndStepClasses(t *testing.T) {
	file := `
classify:
  classes:
    rate_limited: {status: 429}
steps:
  - name: register
    path: /register
    body: {email: a@b.test}
    expect:
      - 409
      - {status: 400, json: {path: data.email.code, equals: validation_not_unique}}
      - {status: 422, body_contains: taken}
  - name: login
    path: /login
    body: {email: a@b.test}
    classes:
      no_token: {status: 200, json: {path: token, exists: false}}
      rate_limited: {status: 400, body_regex: "(?i)too many"}
  - name: refresh
    path: /refresh
    method: POST
    classes:
      no_token: {status: 201, json: {path: data.token, exists: false}}
      has_error: {status: 200, json: {path: error, exists: true}}
slos: [no_token==0, login.rate_limited<1%, has_error==0]
`
	sc, err := Parse("s.yaml", []byte(file), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sc.Classes(), []string{"rate_limited", "no_token", "has_error"}) {
		t.Errorf("classes %q", sc.Classes())
	}
	r := sc.Build(Env{RunID: "r"})
	register, login, refresh := r.Steps[0], r.Steps[1], r.Steps[2]
	c := r.Classifier
	const rateLimited, noToken, hasError = runner.NumBuiltinClasses, runner.NumBuiltinClasses + 1, runner.NumBuiltinClasses + 2
	cases := []struct {
		step   runner.Step
		status int
		body   string
		want   runner.Class
	}{
		{register, 409, ``, runner.ClassOK},
		{register, 400, `{"data":{"email":{"code":"validation_not_unique"}}}`, runner.ClassOK},
		{register, 400, `{"data":{"password":{"code":"validation_length_out_of_range"}}}`, runner.ClassClientError},
		{register, 400, `not json`, runner.ClassClientError},
		{register, 422, `e-mail TAKEN`, runner.ClassOK},
		{register, 429, ``, rateLimited},
		{register, 200, `{}`, runner.ClassOK},
		{login, 200, `{"token":"t","record":{"id":"1"}}`, runner.ClassOK},
		{login, 200, `{"record":{"id":"1"}}`, noToken},
		{login, 200, `{"token":null}`, noToken},
		{login, 200, `<html>`, noToken},
		{login, 400, `Too many attempts`, rateLimited},
		{login, 400, `wrong password`, runner.ClassClientError},
		{login, 429, ``, rateLimited},
		{refresh, 200, `{"record":{}}`, runner.ClassOK},
		{refresh, 201, `{"data":{"token":"x"}}`, runner.ClassOK},
		{refresh, 201, `{"data":{}}`, noToken},
		{refresh, 200, `{"error":"no"}`, hasError},
		{refresh, 200, `{"error":null}`, runner.ClassOK},
	}
	for _, tc := range cases {
		if got := c.Classify(tc.status, []byte(tc.body), tc.step.Classes, tc.step.Expect); got != tc.want {
			t.Errorf("%s: %d %s: class %d, want %d", tc.step.Name, tc.status, tc.body, got, tc.want)
		}
	}
	for _, s := range r.Steps {
		for _, own := range s.Classes {
			if int(own.Class) >= runner.NumBuiltinClasses+len(c.Custom) {
				t.Errorf("step %s: class %d beyond the classifier's", s.Name, own.Class)
			}
		}
	}
}
