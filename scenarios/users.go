package scenarios

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/loadgate/loadgate/runner"
)

// maxPool bounds the users a setup phase registers for a login scenario.
const maxPool = 100

// The reference API's paths.
const (
	registerPath = "/api/auth/register"
	loginPath    = "/api/auth/login"
)

// user is one set of credentials.
type user struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Email    string `json:"email,omitempty"`
}

// pool is the users a login scenario logs in with, and whether the setup
// phase must register them first.
type pool struct {
	users    []user
	register bool
}

// userPool returns the users for a login scenario: against a remote target
// with credentials, those credentials alone, used as they are; otherwise n
// users to register first (the given credentials for the first one, if any).
func userPool(env Env, n int, purpose string) pool {
	given := env.Username != "" && env.Password != ""
	if given && !env.Embedded {
		return pool{users: []user{{Username: env.Username, Password: env.Password}}}
	}
	p := pool{register: true}
	for i := range max(n, 1) {
		p.users = append(p.users, newUser(env.RunID, purpose, i))
	}
	if given {
		p.users[0] = user{Username: env.Username, Password: env.Password, Email: env.Username + "@loadgate.test"}
	}
	return p
}

// logins builds a scenario of one login per iteration, from a pool of one
// user per worker, at most poolSize, registered first when needed.
func logins(purpose string, poolSize int) func(Env) Requests {
	return func(env Env) Requests {
		pool := userPool(env, min(env.Concurrency, poolSize), purpose)
		return Requests{Setup: pool.setup(), Steps: []runner.Step{pool.loginStep()}}
	}
}

// newUser makes credentials unique to the run, with a password that meets
// the reference API's rules.
func newUser(runID, purpose string, i int) user {
	name := fmt.Sprintf("lg-%s-%s-%d", purpose, runID, i)
	return user{Username: name, Password: "Lg-" + runID + "-Pw1!", Email: name + "@loadgate.test"}
}

// setup returns the requests that register the pool's users, if it needs any.
func (p pool) setup() []runner.SetupRequest {
	if !p.register {
		return nil
	}
	var reqs []runner.SetupRequest
	for _, u := range p.users {
		reqs = append(reqs, registerRequest(u))
	}
	return reqs
}

func registerRequest(u user) runner.SetupRequest {
	return runner.SetupRequest{
		Label:  "register user " + u.Username,
		Method: http.MethodPost,
		Path:   registerPath,
		Body:   mustJSON(u),
	}
}

// loginStep logs in the pool's users in turn, one per iteration.
func (p pool) loginStep() runner.Step {
	bodies := make([][]byte, len(p.users))
	for i, u := range p.users {
		bodies[i] = mustJSON(map[string]string{"username": u.Username, "password": u.Password})
	}
	return runner.Step{
		Name:   "login",
		Method: http.MethodPost,
		Path:   loginPath,
		Body:   func(it runner.Iteration) []byte { return bodies[it.Seq%int64(len(bodies))] },
	}
}

// mustJSON encodes values that always encode (strings and maps of strings).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
