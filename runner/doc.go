// Package runner is loadgate's engine: it drives a target with a load and
// measures what happens. It never prints and reads no flags.
//
// A run is one call: Run(ctx, plan). A Plan is data: the target, the steps
// of an iteration (method, path, body and what to extract, each step an
// endpoint), the Load (the closed model's workers or the open model's rate,
// stages, iterations, duration), the request timeout and the Classifier
// that gives every answer its outcome class (docs/contracts.md §4). Setup
// (registering users) runs before, apart, and is not measured.
//
// Run starts workers, each a goroutine that runs iterations one at a time:
// back to back in the closed model, or as the dispatcher hands it arrivals
// of the open model's schedule (an arrival that finds no free worker is
// dropped, never delayed). A worker makes its requests through its
// exchange, of the one kind the run chose (exchange.go): its own
// keep-alive HTTP/1.1 connection (http1Conn), over TCP for http:// and over
// TLS for https://, or, for a plan that asks for HTTP/2, net/http. Every
// connection is made through the run's connector, which times its TCP
// connect and TLS handshake. Workers record into shards: a few EndpointStats (HdrHistograms
// and counters) shared by the workers of a core, behind a mutex, so that
// memory depends on the cores, not on the workers. A failed request is
// data (a class, a transport kind, a message), never an error: Run returns
// an error only for a plan that cannot run.
//
// A run's sinks see it while it goes on, from one goroutine: RawSinks get
// every request's record, handed over every quarter second, and
// IntervalSinks every second of its time series soon after it ends (see
// RawSink and Interval).
//
// Cancelling ctx stops the run: no request starts after it, and those in
// flight finish within the timeout. Run returns one Result, complete and
// immutable: per endpoint and in total, counts by class, status and kind,
// latency histograms and a time series. Results of several runs merge
// exactly (MergeResults). internal/resultfile stores a Result as the result
// file and reads it back; internal/slo judges one. A Result, its
// EndpointStats and their histograms are not safe for concurrent use;
// Progress, read while a run goes on, is.
package runner
