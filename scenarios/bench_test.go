package scenarios

import (
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
		if !login.Extract(it, answer) {
			b.Fatal("no token")
		}
		profile.Vary(it)
	}
}
