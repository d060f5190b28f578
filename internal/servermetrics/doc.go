// Package servermetrics reads a server's Prometheus metrics before and after
// a run and keeps what the run did: counters subtracted, histograms
// subtracted bucket by bucket (native ones at the coarser of the two
// schemas, classic ones per bucket). A value from one reading alone, which
// counts since the server started, is never the run's; a counter that went
// down between the readings (a restarted server) is a reset, reported, never
// a negative number. The readings come from a scrape (the protobuf
// exposition preferred: the text formats drop native histograms) or, for a
// server in this process, from its prometheus.Gatherer: the same families,
// the same code after them.
package servermetrics
