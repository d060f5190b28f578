package resultfile

import (
	"fmt"
	"strconv"

	"github.com/loadgate/loadgate/runner"
)

// setupJSON is the setup phase before the run (runner.SetupReport): absent
// when there was none, and in a file written before it.
type setupJSON struct {
	DurationS float64          `json:"duration_s"`
	Users     int              `json:"users"`
	Done      int              `json:"done"`
	Requests  int64            `json:"requests"`
	Status    map[string]int64 `json:"status"`
	Transport int64            `json:"transport"`
	Retries   int64            `json:"retries"`
	Failures  int64            `json:"failures"`
	// RemoteUsers were registered at a remote target and stay there;
	// NamePrefix starts their usernames.
	RemoteUsers int    `json:"remote_users"`
	NamePrefix  string `json:"name_prefix"`
}

func setupOut(s *runner.SetupReport) *setupJSON {
	if s == nil {
		return nil
	}
	out := &setupJSON{DurationS: s.Duration.Seconds(), Users: s.Users, Done: s.Done, Requests: s.Requests,
		Status: map[string]int64{}, Transport: s.Transport, Retries: s.Retries, Failures: s.Failures,
		RemoteUsers: s.RemoteUsers, NamePrefix: s.NamePrefix}
	for status, n := range s.Status {
		out.Status[strconv.Itoa(status)] = n
	}
	return out
}

// readSetup reads a setup report, refusing one that contradicts itself.
func readSetup(in *setupJSON) (*runner.SetupReport, error) {
	if in == nil {
		return nil, nil
	}
	s := &runner.SetupReport{Duration: seconds(in.DurationS), Users: in.Users, Done: in.Done, Requests: in.Requests,
		Transport: in.Transport, Retries: in.Retries, Failures: in.Failures, RemoteUsers: in.RemoteUsers, NamePrefix: in.NamePrefix}
	if in.DurationS < 0 || in.Users < 0 || in.Done < 0 || in.Requests < 0 || in.Transport < 0 || in.Retries < 0 || in.Failures < 0 || in.RemoteUsers < 0 {
		return nil, fmt.Errorf("setup: a count or duration is negative")
	}
	answered := int64(0)
	for key, n := range in.Status {
		status, err := strconv.Atoi(key)
		if err != nil || status < 100 || status > 999 || n < 0 {
			return nil, fmt.Errorf("setup.status: %q: %d is not a status and a count of answers", key, n)
		}
		if s.Status == nil {
			s.Status = map[int]int64{}
		}
		s.Status[status] = n
		answered += n
	}
	if answered+in.Transport != in.Requests {
		return nil, fmt.Errorf("setup: %d requests, but %d answers and %d transport errors", in.Requests, answered, in.Transport)
	}
	if in.Retries > in.Requests || int64(in.Done) > in.Requests {
		return nil, fmt.Errorf("setup: more retries (%d) or users done (%d) than requests (%d)", in.Retries, in.Done, in.Requests)
	}
	return s, nil
}
