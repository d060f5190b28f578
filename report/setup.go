package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/runner"
)

// setupSentence says what the setup phase before the run did: "50 of 50
// users in 6.2s: 55 requests (200: 50, 429: 5), 5 retries, 0 failures"; ""
// when there was none.
func setupSentence(s *runner.SetupReport) string {
	if s == nil {
		return ""
	}
	var statuses []string
	for _, status := range slices.Sorted(maps.Keys(s.Status)) {
		statuses = append(statuses, fmt.Sprintf("%d: %d", status, s.Status[status]))
	}
	if s.Transport > 0 {
		statuses = append(statuses, fmt.Sprintf("no answer: %d", s.Transport))
	}
	answers := ""
	if len(statuses) > 0 {
		answers = " (" + strings.Join(statuses, ", ") + ")"
	}
	retries := "retries"
	if s.Retries == 1 {
		retries = "retry"
	}
	return fmt.Sprintf("%d of %d user%s in %s: %d request%s%s, %d %s, %d failure%s",
		s.Done, s.Users, plural(s.Users), s.Duration.Round(time.Millisecond), s.Requests, plural(s.Requests), answers,
		s.Retries, retries, s.Failures, plural(s.Failures))
}

// UsersLeftAtTarget says how many users a setup registered at a remote
// target, which stay there, and how their names start; "" for none.
func UsersLeftAtTarget(s *runner.SetupReport) string {
	if s == nil || s.RemoteUsers == 0 {
		return ""
	}
	if s.NamePrefix == "" {
		return fmt.Sprintf("%d user%s registered at the target stay there", s.RemoteUsers, plural(s.RemoteUsers))
	}
	return fmt.Sprintf("%d user%s registered at the target stay there; their usernames start with %q",
		s.RemoteUsers, plural(s.RemoteUsers), s.NamePrefix)
}
