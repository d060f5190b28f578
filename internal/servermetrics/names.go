package servermetrics

import (
	"slices"

	"github.com/loadgate/loadgate/apiserver"
)

// Names are the metrics a View is read through, and the labels that tell
// their series apart. ReferenceNames are the reference API's.
type Names struct {
	LockWait, LockHold, LockTimeouts Selector // by the operation label
	Duration, Requests               Selector // by the endpoint label
	Operation, Endpoint, ErrorKind   string   // label names
}

// ReferenceNames are the metrics of loadgate's reference API
// (apiserver/metrics.go).
var ReferenceNames = Names{
	LockWait:     Selector{Name: apiserver.MetricLockWait},
	LockHold:     Selector{Name: apiserver.MetricLockHold},
	LockTimeouts: Selector{Name: apiserver.MetricLockTimeouts},
	Duration:     Selector{Name: apiserver.MetricRequestDuration},
	Requests:     Selector{Name: apiserver.MetricRequests},
	Operation:    "op",
	Endpoint:     "endpoint",
	ErrorKind:    "error_kind",
}

// Operation is what one storage operation did during a run: how long it
// waited for the lock and held it, and how often it gave up.
type Operation struct {
	Name       string
	Wait, Hold *Histogram // nil: none got the lock
	Timeouts   float64
}

// Operations returns the storage operations v saw, by name.
func (v View) Operations(n Names) []Operation {
	var names []string
	for _, sel := range []Selector{n.LockWait, n.LockHold, n.LockTimeouts} {
		names = append(names, v.Labels(sel.Name, n.Operation)...)
	}
	slices.Sort(names)
	var out []Operation
	for _, name := range slices.Compact(names) {
		op := Operation{Name: name}
		op.Wait = v.Histogram(sel(n.LockWait, n.Operation, name))
		op.Hold = v.Histogram(sel(n.LockHold, n.Operation, name))
		op.Timeouts, _ = v.Counter(sel(n.LockTimeouts, n.Operation, name))
		out = append(out, op)
	}
	return out
}

// Duration returns the server's handling times of endpoint; nil when it
// has none.
func (v View) Duration(n Names, endpoint string) *Histogram {
	return v.Histogram(sel(n.Duration, n.Endpoint, endpoint))
}

// sel is s narrowed to the series whose label is value.
func sel(s Selector, label, value string) Selector {
	labels := map[string]string{label: value}
	for k, v := range s.Labels {
		labels[k] = v
	}
	return Selector{Name: s.Name, Labels: labels}
}
