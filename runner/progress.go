package runner

import "sync/atomic"

// Progress counts completed requests while a run goes on. The runner writes
// it; anyone may read it at any time. The zero value is ready to use.
type Progress struct {
	requests   atomic.Int64
	errors     atomic.Int64
	iterations atomic.Int64
	dropped    atomic.Int64
}

func (p *Progress) add(class Class) {
	p.requests.Add(1)
	if class != ClassOK {
		p.errors.Add(1)
	}
}

// Requests is the number of requests completed so far.
func (p *Progress) Requests() int64 { return p.requests.Load() }

// Errors is the number of completed requests that were not ok.
func (p *Progress) Errors() int64 { return p.errors.Load() }

// Dropped is the number of open-model arrivals dropped so far.
func (p *Progress) Dropped() int64 { return p.dropped.Load() }

// Iterations is the number of iterations finished so far.
func (p *Progress) Iterations() int64 { return p.iterations.Load() }
