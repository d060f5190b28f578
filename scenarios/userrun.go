package scenarios

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/runner"
)

// The users a run takes, from what users.go parsed: the rows, the setup
// that registers them, and the user of each iteration.

// checkCredentials reports why --username and --password cannot stand for
// these users: there are none, or they have no identity field (see
// users.identity) or password field.
func (u users) checkCredentials() error {
	if u.fields == nil {
		return fmt.Errorf("the scenario has no users for --username and --password to stand for")
	}
	if !slices.Contains(u.fields, u.identity) || !slices.Contains(u.fields, "password") {
		return fmt.Errorf("--username and --password fill the user fields %s and password; this scenario's users have %s", u.identity, strings.Join(u.fields, ", "))
	}
	return nil
}

// forRun returns the users of a run: the file's, or the pair given as
// credentials. A pair replaces the file's users against a remote target;
// against the embedded API it is registered as the first user, when the
// file registers users. It also returns the setup requests that register
// them.
func (u users) forRun(env Env) (rows [][]string, setup []runner.SetupRequest) {
	given := env.Username != "" && env.Password != ""
	switch {
	case given && u.reg != nil && !env.Embedded:
		user, _ := u.registered(0, env, true)
		return [][]string{user}, nil
	case given && u.reg == nil:
		row := make([]string, len(u.fields))
		for i, field := range u.fields {
			switch field {
			case u.identity:
				row[i] = env.Username
			case "password":
				row[i] = env.Password
			}
		}
		return [][]string{row}, nil
	case u.reg == nil && len(u.rows) <= 1:
		return u.rows, nil // one fixed pair serves every shard
	case u.reg == nil:
		for i := env.Shard.Index; i < len(u.rows); i += max(env.Shard.Count, 1) {
			rows = append(rows, u.rows[i])
		}
		return rows, nil
	}
	for i := env.Shard.Index; i < u.reg.count; i += max(env.Shard.Count, 1) {
		user, c := u.registered(i, env, i == 0 && given)
		rows = append(rows, user)
		setup = append(setup, u.reg.request.setup("register user "+user[regUsername], c))
	}
	return rows, setup
}

// registered returns registered user i and the context its registration
// renders in. With given, the credentials replace its identity field and
// its password; its other fields come from their templates.
func (u users) registered(i int, env Env, given bool) ([]string, *renderContext) {
	c := &renderContext{runID: env.RunID, index: i}
	user := make([]string, len(registeredFields))
	c.user = user
	user[regUsername] = u.reg.username.string(c)
	if given && u.identity == registeredFields[regUsername] {
		user[regUsername] = env.Username
	}
	user[regEmail] = u.reg.email.string(c)
	if given && u.identity == registeredFields[regEmail] {
		user[regEmail] = env.Username
	}
	switch {
	case given:
		user[regPassword] = env.Password
	case u.reg.password != nil:
		user[regPassword] = u.reg.password.string(c)
	default:
		user[regPassword] = u.reg.rules.generate()
	}
	return user, c
}

// pickIndex returns the index of the user of iteration seq among n > 0;
// seed (the run's, see seedOf) makes a random order differ between runs.
func (u users) pickIndex(n int, seq int64, seed uint64) int {
	switch u.order {
	case orderRandom:
		return int(mix64(uint64(seq)^seed) % uint64(n))
	default: // unique runs no more iterations than rows: see Scenario.IterationLimit
		return int(uint64(seq) % uint64(n))
	}
}

// seedOf is the seed of random orders in the run with runID: the same
// run ID gives the same order.
func seedOf(runID string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(runID))
	return h.Sum64()
}

// mix64 scrambles x (splitmix64's finalizer): consecutive iterations get
// unrelated users.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
