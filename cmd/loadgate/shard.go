package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/loadgate/loadgate/runner"
	"github.com/loadgate/loadgate/scenarios"
	"github.com/spf13/pflag"
)

// Environment variables that give the shard flags' defaults. A Kubernetes
// Indexed Job sets JOB_COMPLETION_INDEX in each pod; the manifest sets
// LOADGATE_SHARDS.
const (
	envShard    = "LOADGATE_SHARD"
	envShards   = "LOADGATE_SHARDS"
	envJobIndex = "JOB_COMPLETION_INDEX"
	envRunID    = "LOADGATE_RUN_ID"
)

// defaultMaxLate is how late a shard may begin after --start-at without
// --max-late.
const defaultMaxLate = 5 * time.Second

// shardFlags are the flags of a run that is one shard of a run spread over
// processes or machines.
type shardFlags struct {
	shard   string
	runID   string
	startAt string
	maxLate time.Duration
}

func (f *shardFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.shard, "shard", "", "run shard I of N of the load (I/N, from 0): its exact share, the scenario's numbers staying totals; "+
		"it writes --out for 'loadgate report --expect-shards N' and judges no SLO (default $"+envShard+", or $"+envJobIndex+" of $"+envShards+")")
	fs.StringVar(&f.runID, "run-id", "", "the run's identifier, which its shards share (default $"+envRunID+"; with --start-at, made from the plan and the time; else a new one)")
	fs.StringVar(&f.startAt, "start-at", "", "begin the load at this time (RFC 3339, as 2026-11-28T12:00:00Z), after setup; a run that gets there later than --max-late sends nothing and exits 4")
	fs.DurationVar(&f.maxLate, "max-late", defaultMaxLate, "with --start-at: how late the load may begin")
}

// shardSettings are the shard flags, checked.
type shardSettings struct {
	shard   runner.Shard // whole unless a shard
	runID   string       // "": a new one, made when the run starts
	startAt time.Time    // zero: at once
	maxLate time.Duration
}

// settings reads the shard flags, with their defaults from the
// environment.
func (f *shardFlags) settings(fs *pflag.FlagSet) (shardSettings, error) {
	s := shardSettings{maxLate: f.maxLate}
	text, source := f.shard, "--shard"
	switch {
	case fs.Changed("shard"):
	case os.Getenv(envShard) != "":
		text, source = os.Getenv(envShard), "$"+envShard
	case os.Getenv(envShards) != "":
		index, ok := os.LookupEnv(envJobIndex)
		if !ok {
			return s, usagef("$%s is set but not $%s: the index of the shard is missing", envShards, envJobIndex)
		}
		text, source = index+"/"+os.Getenv(envShards), "$"+envJobIndex+" of $"+envShards
	}
	if text != "" {
		shard, err := runner.ParseShard(text)
		if err != nil {
			return s, usagef("%s: %v", source, err)
		}
		s.shard = shard
	}
	if f.startAt != "" {
		at, err := time.Parse(time.RFC3339, f.startAt)
		if err != nil {
			return s, usagef("--start-at %q is not an RFC 3339 time, such as 2026-11-28T12:00:00Z", f.startAt)
		}
		s.startAt = at
	} else if fs.Changed("max-late") {
		return s, usagef("--max-late bounds how late a run begins after --start-at; give --start-at")
	}
	if s.maxLate <= 0 {
		return s, usagef("--max-late must be positive, got %s", s.maxLate)
	}
	s.runID = f.runID
	if !fs.Changed("run-id") {
		s.runID = os.Getenv(envRunID)
	}
	if (fs.Changed("run-id") || s.runID != "") && !validRunID(s.runID) {
		return s, usagef("run id %q: use 1 to 64 letters, digits, '.', '-' and '_'", s.runID)
	}
	if !s.shard.Whole() && s.runID == "" && s.startAt.IsZero() {
		return s, usagef("shard %s needs --run-id or --start-at, which its shards share, so that `loadgate report --expect-shards` knows them for one run", s.shard)
	}
	return s, nil
}

// shardRefusal says why load's shard cannot run sc: it would have no
// worker, or none of the users sc registers or reads (when no credentials,
// which stand for every shard's users, are given); nil when it can.
func shardRefusal(sc *scenarios.Scenario, load runner.Load, credentials bool) error {
	if err := load.Check(loadFlag); err != nil {
		return usageError{err}
	}
	if users := sc.UserShare(runner.Shard{}); !credentials && users > 0 && sc.UserShare(load.Shard) == 0 {
		return usagef("shard %s would have none of the scenario's %d user%s: run at most %d shard%s, or give it more users",
			load.Shard, users, plural(users), users, plural(users))
	}
	return nil
}

// validRunID reports whether id can name a run: in file names, user names
// and Kubernetes labels alike.
func validRunID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if c != '-' && c != '_' && c != '.' && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// planDigest is a digest of what p runs, the same for each of its shards:
// the scenario as written, the load after the flags (but the shard), the
// SLOs, the target and the request settings.
func (p *runPlan) planDigest() string {
	load := p.load
	load.Shard = runner.Shard{}
	target := "embedded"
	if p.target != nil {
		target = p.target.Redacted()
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q\x00%+v\x00%s\x00%s\x00%t\x00", p.scenario.Source, p.scenario.Name, load, target, p.timeout, p.http2)
	for _, s := range p.slos {
		fmt.Fprintf(h, "%s\x00", s.Expr)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// identity returns the run's identity: its run id (given, made from the
// plan and the start time, or new) and its plan's digest.
func (p *runPlan) identity() runner.Identity {
	id := runner.Identity{RunID: p.sharding.runID, PlanDigest: p.planDigest(), StartAt: p.sharding.startAt, MaxLate: p.sharding.maxLate}
	switch {
	case id.RunID != "":
	case !id.StartAt.IsZero():
		sum := sha256.Sum256([]byte(id.PlanDigest + "@" + strconv.FormatInt(id.StartAt.UnixNano(), 10)))
		id.RunID = hex.EncodeToString(sum[:])[:8]
	default:
		id.RunID = scenarios.NewRunID()
	}
	return id
}

// checkLate refuses a run whose --start-at has passed by more than
// --max-late: before setup, so that nothing is sent. The runner checks
// again once setup and the sessions are done (runner.LateError).
func (s shardSettings) checkLate() error {
	if late := time.Since(s.startAt); !s.startAt.IsZero() && late > s.maxLate {
		return lateError(late, s.maxLate, "nothing was sent")
	}
	return nil
}

// lateError is the refusal of a load that would begin late after
// --start-at; sent says what was sent before it.
func lateError(late, maxLate time.Duration, sent string) error {
	return refusedError{fmt.Errorf("refused: the load would begin %s after --start-at, later than --max-late %s; %s",
		late.Round(time.Millisecond), maxLate, sent)}
}
