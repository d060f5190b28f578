package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/runner"
)

// BenchmarkFlowIteration is what a scenario file adds to each iteration of
// a two-step flow, network aside: render the login body, extract the token
// from its answer, render the second step's path and Authorization header.
func BenchmarkFlowIteration(b *testing.B) {
	sc, err := Parse("flow.yaml", []byte(`
users: {register: {count: 100, password: Pw-12345678!}}
steps:
  - name: login
    path: /api/auth/login
    body: {username: "{{user.username}}", password: "{{user.password}}"}
    extract: {token: token}
  - name: profile
    path: "/api/users/{{user.username}}/profile"
    headers: {Authorization: "Bearer {{token}}"}
`), Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := sc.Build(Env{RunID: "bench"})
	login, profile := r.Steps[0], r.Steps[1]
	answer := []byte(`{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl","user_id":"u-1","workspace_id":"w-1","expires_at":"2026-11-23T00:00:00Z"}`)
	vars := make([]string, r.Vars)
	b.ReportAllocs()
	var seq int64
	for b.Loop() {
		it := runner.Iteration{Seq: seq, Vars: vars}
		seq++
		login.Body(it)
		if login.Extract(it, answer) != nil {
			b.Fatal("no token")
		}
		profile.Vary(it)
	}
}

// BenchmarkSyntaxErrorNearEnd is validating a 1 MiB file whose one YAML
// mistake, a misindented key, is near its end: the bisection that finds
// the mistake's line parses the file's prefixes about log2(lines) times.
func BenchmarkSyntaxErrorNearEnd(b *testing.B) {
	var file strings.Builder
	file.WriteString("name: big\nsteps:\n")
	for i := 0; file.Len() < 1<<20; i++ {
		fmt.Fprintf(&file, "  - name: s%d\n    path: /x%d\n    body: {a: \"%d\", b: [1, 2, 3]}\n", i, i, i)
	}
	file.WriteString("  - name: last\n   path: /bad\n")
	data := []byte(file.String())
	for b.Loop() {
		_, err := Parse("big.yaml", data, Options{})
		var problems Problems
		if !errors.As(err, &problems) || problems[0].Line != strings.Count(file.String(), "\n") {
			b.Fatalf("%v", err)
		}
	}
}
