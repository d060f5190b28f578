package resultfile

import (
	"fmt"

	"github.com/loadgate/loadgate/runner"
)

// sessionJSON is what the users' sessions did (runner.SessionReport):
// absent without a session, and in a file written before sessions.
type sessionJSON struct {
	Users    int                     `json:"users"`
	Opened   int64                   `json:"opened"`
	Failed   int64                   `json:"failed"`
	Renewals sessionRenewals         `json:"renewals"`
	Expired  int64                   `json:"expired_answers"`
	Measured bool                    `json:"measured"`
	Names    []string                `json:"endpoint_names"`
	Endpoint map[string]endpointJSON `json:"endpoints"`
}

// sessionRenewals count the renewals by cause.
type sessionRenewals struct {
	Status   int64 `json:"status"`
	Lifetime int64 `json:"lifetime"`
}

func sessionOut(r *runner.Result) (*sessionJSON, error) {
	s := r.Session
	if s == nil {
		return nil, nil
	}
	out := &sessionJSON{Users: s.Users, Opened: s.Opened, Failed: s.Failed,
		Renewals: sessionRenewals{Status: s.RenewedOnStatus, Lifetime: s.RenewedOnLifetime},
		Expired:  s.Expired, Measured: s.Measured, Names: []string{}, Endpoint: map[string]endpointJSON{}}
	for _, e := range s.Endpoints {
		j, err := endpointOut(e, r)
		if err != nil {
			return nil, err
		}
		j.RPS = 0 // sessions open before the load and renew during it: no rate of the load's time
		out.Names, out.Endpoint[e.Name] = append(out.Names, e.Name), j
	}
	return out, nil
}

// readSession reads a session report, its endpoints of the run's classes.
func readSession(in *sessionJSON, classes []string) (*runner.SessionReport, error) {
	if in == nil {
		return nil, nil
	}
	s := &runner.SessionReport{Users: in.Users, Opened: in.Opened, Failed: in.Failed, RenewedOnStatus: in.Renewals.Status,
		RenewedOnLifetime: in.Renewals.Lifetime, Expired: in.Expired, Measured: in.Measured}
	if in.Users < 0 || in.Opened < 0 || in.Failed < 0 || in.Renewals.Status < 0 || in.Renewals.Lifetime < 0 || in.Expired < 0 {
		return nil, fmt.Errorf("session: a negative count")
	}
	if len(in.Names) != len(in.Endpoint) || !in.Measured && len(in.Names) > 0 {
		return nil, fmt.Errorf("session: endpoint_names lists %d endpoints, endpoints has %d (measured: %v)", len(in.Names), len(in.Endpoint), in.Measured)
	}
	for _, name := range in.Names {
		e, ok := in.Endpoint[name]
		if !ok {
			return nil, fmt.Errorf("session: endpoint_names lists %q, which endpoints lacks", name)
		}
		stats, err := readEndpoint(name, e, classes)
		if err != nil {
			return nil, fmt.Errorf("session endpoint %s: %w", name, err)
		}
		s.Endpoints = append(s.Endpoints, stats)
	}
	return s, nil
}
