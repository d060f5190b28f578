package resultfile

import "github.com/loadgate/loadgate/runner"

// connectFailuresOut writes e's failed connection attempts by kind for the
// result file.
func connectFailuresOut(e *runner.EndpointStats) map[string]int64 {
	out := map[string]int64{}
	for _, kind := range e.TransportKinds() {
		if n := e.ConnectFailed[kind]; n > 0 {
			out[kind.String()] = n
		}
	}
	return out
}
