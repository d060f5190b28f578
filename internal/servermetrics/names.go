package servermetrics

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/apiserver"
)

// The names a View is read through: each stands for a metric of the
// server's (a Selector), the reference API's unless a run maps it to
// another's (run --server-metric NAME=SELECTOR).
const (
	NameLockWait     = "lock_wait"     // histogram of lock waits, by the "op" label
	NameLockHold     = "lock_hold"     // histogram of lock holds, by "op"
	NameLockTimeouts = "lock_timeouts" // counter, by "op"
	NameDuration     = "duration"      // histogram of handling times, by the "endpoint" label
	NameRequests     = "requests"      // counter, by "endpoint" and "error_kind" (empty for a success)
)

// The labels that tell the series of a name apart.
const (
	LabelOperation = "op"
	LabelEndpoint  = "endpoint"
	LabelErrorKind = "error_kind"
)

// referenceNames are the reference API's metrics (apiserver/metrics.go).
var referenceNames = map[string]string{
	NameLockWait:     apiserver.MetricLockWait,
	NameLockHold:     apiserver.MetricLockHold,
	NameLockTimeouts: apiserver.MetricLockTimeouts,
	NameDuration:     apiserver.MetricRequestDuration,
	NameRequests:     apiserver.MetricRequests,
}

// ParseNames reads NAME=SELECTOR mappings, each replacing one of the
// reference API's metrics (NameLockWait and the others).
func ParseNames(mappings []string) (map[string]string, error) {
	names := map[string]string{}
	for _, m := range mappings {
		name, text, ok := strings.Cut(m, "=")
		name = strings.TrimSpace(name)
		if _, known := referenceNames[name]; !ok || !known {
			return nil, fmt.Errorf("%q: want NAME=SELECTOR, NAME one of %s, as in lock_wait='db_lock_wait_seconds{pool=\"main\"}'",
				m, strings.Join(slices.Sorted(maps.Keys(referenceNames)), ", "))
		}
		sel, err := ParseSelector(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		names[name] = sel.String()
	}
	return names, nil
}

// Selector returns what name stands for in v: its mapping, or the
// reference API's metric.
func (v View) Selector(name string) Selector {
	text, ok := v.Names[name]
	if !ok {
		text = referenceNames[name]
	}
	sel, err := ParseSelector(text)
	if err != nil {
		return Selector{Name: referenceNames[name]} // a mapping is parsed before it is kept
	}
	return sel
}

// Operation is what one storage operation did during a run: how long it
// waited for the lock and held it, and how often it gave up.
type Operation struct {
	Name       string
	Wait, Hold *Histogram // nil: none got the lock
	Timeouts   float64
}

// Operations returns the storage operations v saw, by name.
func (v View) Operations() []Operation {
	wait, hold, timeouts := v.Selector(NameLockWait), v.Selector(NameLockHold), v.Selector(NameLockTimeouts)
	var names []string
	for _, s := range []Selector{wait, hold, timeouts} {
		names = append(names, v.Labels(s, LabelOperation)...)
	}
	slices.Sort(names)
	var out []Operation
	for _, name := range slices.Compact(names) {
		op := Operation{Name: name}
		op.Wait = v.Histogram(wait.With(LabelOperation, name))
		op.Hold = v.Histogram(hold.With(LabelOperation, name))
		op.Timeouts, _ = v.Counter(timeouts.With(LabelOperation, name))
		out = append(out, op)
	}
	return out
}

// Duration returns the server's handling times of endpoint; nil when it
// has none.
func (v View) Duration(endpoint string) *Histogram {
	return v.Histogram(v.Selector(NameDuration).With(LabelEndpoint, endpoint))
}

// With returns s narrowed to the series whose label has value, unless s
// pins that label already.
func (s Selector) With(label, value string) Selector {
	labels := maps.Clone(s.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	if _, pinned := labels[label]; !pinned {
		labels[label] = value
	}
	return Selector{Name: s.Name, Labels: labels}
}
