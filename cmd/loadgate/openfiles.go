package main

// openFilesSpare are the files a run opens besides its connections: the
// outputs, the listener, the runtime's own.
const openFilesSpare = 64

// checkOpenFiles refuses a closed load with more workers than the process
// may open connections: past the limit, a dial fails with "too many open
// files", which would be counted as the target's failed connections. The
// embedded API holds the other end of each connection in this process too.
// (The open model's workers are a bound it may never reach; a dial that
// fails for want of files says so in the run's failure messages.)
func (p *runPlan) checkOpenFiles() error {
	limit, ok := openFilesLimit()
	if !ok || p.load.Open {
		return nil
	}
	perWorker := uint64(1)
	if p.target == nil {
		perWorker = 2
	}
	need := uint64(p.load.WorkerLimit())*perWorker + openFilesSpare
	if need <= limit {
		return nil
	}
	return usagef("%d workers need about %d open files, and this process may open %d: raise the limit (ulimit -n) or lower the workers", p.load.WorkerLimit(), need, limit)
}
