package report

import (
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
)

// firstAttempts is what an endpoint's retries made up for: how many of its
// attempts were retries, and its first attempts alone, as a client that
// never retries would have seen them.
type firstAttempts struct {
	name             string
	retries          int64
	requests, errors int64 // the first attempts, and those of them not ok
}

// firstAttemptsOf returns e's retries and first attempts.
func firstAttemptsOf(e *runner.EndpointStats) firstAttempts {
	first := e.FirstAttempts()
	return firstAttempts{name: e.Name, retries: e.Retries, requests: first, errors: first - e.FirstAttempt[runner.ClassOK]}
}

// errorRate is the first attempts' errors as a percentage of them.
func (a firstAttempts) errorRate() float64 { return slo.Percent(a.errors, a.requests) }

// retryRows returns the first attempts of each of rows (the endpoints, the
// total last), or nil when the run made no retry: the reports for people
// show them only then.
func retryRows(rows []*runner.EndpointStats) []firstAttempts {
	if rows[len(rows)-1].Retries == 0 {
		return nil
	}
	out := make([]firstAttempts, len(rows))
	for i, e := range rows {
		out[i] = firstAttemptsOf(e)
	}
	return out
}
