package scenarios_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/runner"
	"github.com/loadgate/loadgate/scenarios"
)

// TestShardsShareOutUsers: three shards of a run register users whose
// names differ from every other shard's and together are the whole run's;
// and with a CSV file's users taken once each, the shards' iterations use
// every row once between them.
func TestShardsShareOutUsers(t *testing.T) {
	names := func(reqs scenarios.Requests) []string {
		var out []string
		for _, r := range reqs.Setup {
			var u struct{ Username string }
			json.Unmarshal(r.Body, &u)
			out = append(out, u.Username)
		}
		return out
	}
	sc := builtin(t, "register-storm")
	whole := names(sc.Build(scenarios.Env{Embedded: true, RunID: "r"}))
	var union []string
	for i := range 3 {
		shard := runner.Shard{Index: i, Count: 3}
		part := names(sc.Build(scenarios.Env{Embedded: true, RunID: "r", Shard: shard}))
		if int64(len(part)) != sc.UserShare(shard) {
			t.Errorf("shard %v registers %d users, its share is %d", shard, len(part), sc.UserShare(shard))
		}
		union = append(union, part...)
	}
	slices.Sort(whole)
	slices.Sort(union)
	if len(whole) == 0 || !slices.Equal(whole, union) {
		t.Errorf("the shards register %v, the whole run %v", union, whole)
	}

	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("login,secret\n")
	for i := range 10 {
		csv.WriteString("user-" + strconv.Itoa(i) + ",pw\n")
	}
	write(t, dir, "users.csv", csv.String())
	file, err := scenarios.LoadFile(write(t, dir, "s.yaml", `
users:
  csv: users.csv
  order: unique
steps:
  - name: login
    path: /login
    body: {login: "{{user.login}}"}
`), scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for i := range 3 {
		shard := runner.Shard{Index: i, Count: 3}
		step := file.Build(scenarios.Env{RunID: "r", Shard: shard}).Steps[0]
		for j := range shard.Share(10) {
			var body struct{ Login string }
			json.Unmarshal(step.Body(runner.Iteration{Seq: j*3 + int64(i)}), &body)
			logins = append(logins, body.Login)
		}
	}
	slices.Sort(logins)
	if len(logins) != 10 || len(slices.Compact(slices.Clone(logins))) != 10 {
		t.Errorf("the shards' iterations log in as %v; want each of the 10 users once", logins)
	}
}
