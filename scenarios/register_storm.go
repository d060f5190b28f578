package scenarios

import (
	"net/http"

	"github.com/loadgate/loadgate/runner"
)

// The register storm registers existingUsers users in its setup phase; every
// duplicateEvery-th iteration registers one of them again, a deliberate
// duplicate whose 409 is expected.
const (
	existingUsers  = 5
	duplicateEvery = 10
)

func buildRegisterStorm(env Env) Requests {
	existing := make([][]byte, existingUsers)
	var setup []runner.SetupRequest
	for i := range existing {
		u := newUser(env.RunID, "existing", i)
		setup = append(setup, registerRequest(u))
		existing[i] = mustJSON(u)
	}
	step := runner.Step{
		Name:   "register",
		Method: http.MethodPost,
		Path:   registerPath,
		Expect: []int{http.StatusConflict},
		Body: func(it runner.Iteration) []byte {
			if it.Seq%duplicateEvery == duplicateEvery-1 {
				return existing[(it.Seq/duplicateEvery)%existingUsers]
			}
			return mustJSON(newUser(env.RunID, "storm", int(it.Seq)))
		},
	}
	return Requests{Setup: setup, Steps: []runner.Step{step}}
}
