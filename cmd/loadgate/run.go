package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/servermetrics"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
	"github.com/loadgate/loadgate/scenarios"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Environment variables that give flag defaults.
const (
	envTarget   = "LOADGATE_TARGET"
	envPassword = "LOADGATE_PASSWORD"
)

// reachableTimeout is the least time the check that a remote target is
// reachable waits for a connection, whatever --timeout says: a tiny
// --timeout fails requests, not the target.
const reachableTimeout = 5 * time.Second

// defaultTimeout bounds each request unless --timeout says otherwise.
const defaultTimeout = 10 * time.Second

// runFlags are the flags of `run` and `smoke`.
type runFlags struct {
	target      string
	concurrency int
	rate        string
	maxWorkers  int
	stages      string
	duration    time.Duration
	iterations  int64
	pause       time.Duration
	timeout     time.Duration
	http2       bool
	slos        []string
	raw         string
	requestID   string // --request-id-header
	username    string
	password    string
	noProgress  bool
	outputs     outputFlags
	tls         tlsFlags
	cpuProfile  string
	cpus        int
	metricsURLs []string // --server-metrics
	metricNames []string // --server-metric
	sharding    shardFlags
	server      serverFlags // the embedded reference API's settings
}

// maxCPUs bounds --cpus: Go's own bound on GOMAXPROCS.
const maxCPUs = 1024

func (f *runFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.target, "target", "", "base URL of the API under test (default $"+envTarget+", else the embedded reference API on 127.0.0.1)")
	fs.IntVarP(&f.concurrency, "concurrency", "c", 0, "closed model: workers running iterations back to back (default: the scenario's)")
	fs.StringVar(&f.rate, "rate", "", "arrivals per second (R, R/s or R/m): turns on the open model")
	fs.IntVar(&f.maxWorkers, "max-workers", 0, "open model: most workers at once, a hard cap; the pool grows with the target's latency (it may overshoot on a busy machine), and an arrival that finds all busy at the cap is dropped (default: peak rate x --timeout, at most 10000)")
	fs.StringVar(&f.stages, "stages", "", `ramp such as "30s:100,1m:100,30s:0": rates in the open model, worker counts in the closed one`)
	fs.DurationVarP(&f.duration, "duration", "d", 0, "how long to run (default: the scenario's)")
	fs.Int64VarP(&f.iterations, "iterations", "n", 0, "how many iterations to run (default: the scenario's)")
	fs.DurationVar(&f.pause, "pause", 0, "a worker's pause between two iterations (default: the scenario's)")
	fs.DurationVar(&f.timeout, "timeout", defaultTimeout, "timeout of each request, from sending to the last body byte")
	fs.BoolVar(&f.http2, "http2", false, "send over HTTP/2 (h2 over TLS, h2c to http://), workers sharing connections (default: the file's http2, else HTTP/1.1, a connection per worker)")
	fs.StringArrayVar(&f.slos, "slo", nil, "SLO such as p95<500ms (repeatable; replaces the scenario's SLOs)")
	fs.StringVar(&f.raw, "raw", "", "stream one record per request to this file: CSV (.csv) or JSON lines (.jsonl, .ndjson)")
	fs.StringVar(&f.requestID, "request-id-header", "", "send a unique ID in this header with every attempt (such as X-Request-Id), carried by --raw's records and the failure messages, to find a request in the server's logs")
	fs.StringVar(&f.username, "username", "", "log in as this user against a remote target")
	fs.StringVar(&f.password, "password", "", "password for --username (default $"+envPassword+")")
	fs.BoolVar(&f.noProgress, "no-progress", false, "no progress bar (there is none when stderr is not a terminal)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured run to this file (for tuning loadgate)")
	fs.IntVar(&f.cpus, "cpus", 0, "the most CPU cores loadgate runs on at once, as wrk -t or hey -cpus (Go's GOMAXPROCS; default: all, but half against a loopback target, which needs the rest; the embedded API shares them)")
	fs.StringArrayVar(&f.metricsURLs, "server-metrics", nil, "read the target's Prometheus metrics at this URL as the load begins and after its last answer, and show what the server saw beside the client (repeatable: replicas add up; the embedded API's are read in process)")
	fs.StringArrayVar(&f.metricNames, "server-metric", nil, "NAME=SELECTOR: read NAME (lock_wait, lock_hold, lock_timeouts, duration, requests) from another service's metric, as lock_wait='db_lock_wait_seconds{op=\"login\"}' (repeatable)")
	f.outputs.register(fs)
	f.sharding.register(fs)
	f.tls.register(fs)
	f.server.register(fs)
}

// newRunCommand builds `run`; with a scenario name it builds a shortcut for
// `run NAME` (`smoke`).
func newRunCommand(stdout, stderr io.Writer, fixedScenario string) *cobra.Command {
	var flags runFlags
	cmd := &cobra.Command{
		Use:   "run [SCENARIO | FILE.yaml]",
		Short: "Run a scenario against the target and judge its SLOs",
		Long: `Run a built-in scenario (see 'loadgate scenarios'; smoke when none is
named) or a scenario file (docs/scenarios.md) against --target, the file's
target, or the embedded reference API when there is none; print a summary
and judge the SLOs. A file is validated first: nothing is sent when it is
invalid. Exit 0 when every SLO passed, 3 when one failed, 1 when the run could
not be carried out, 2 for a usage error or an invalid file, 4 when the load
would begin later than --max-late after --start-at, 130 when interrupted. A
shard (--shard I/N) judges no SLO: it exits 0 once its result is written.`,
		Args: takes(0, 1, "one scenario, a built-in name or a FILE.yaml"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := fixedScenario
			switch {
			case len(args) == 1:
				name = args[0]
			case name == "":
				name = "smoke"
			}
			plan, err := flags.prepare(cmd.Flags(), name)
			if err != nil {
				return err
			}
			if err := plan.checkOpenFiles(); err != nil {
				return err
			}
			return plan.execute(cmd.Context(), stdout, stderr)
		},
	}
	if fixedScenario != "" {
		cmd.Use = fixedScenario
		cmd.Short = "The same as 'run " + fixedScenario + "'"
		cmd.Long = ""
		cmd.Args = noArgs
	}
	flags.register(cmd.Flags())
	return cmd
}

// runPlan is a run validated and ready to start: nothing has been sent yet.
type runPlan struct {
	flags    *runFlags
	scenario *scenarios.Scenario
	timeout  time.Duration
	http2    bool // --http2, else the file's http2
	load     runner.Load
	slos     []slo.SLO
	note     string           // for stderr before the run: why it judges an SLO the scenario lacks; "" for none
	target   *url.URL         // nil: the embedded reference API
	server   apiserver.Config // for the embedded reference API
	tls      tlsSettings
	sharding shardSettings
	// metricNames map the server's view's names to another service's
	// metrics (--server-metric); nil: the reference API's.
	metricNames map[string]string
}

// prepare validates everything the run needs before any request is sent;
// every problem it finds is a usage error.
func (f *runFlags) prepare(fs *pflag.FlagSet, name string) (*runPlan, error) {
	if err := f.readCredentials(); err != nil {
		return nil, err
	}
	sc, err := findScenario(name, scenarios.Options{CredentialsGiven: f.username != ""})
	if err != nil {
		return nil, err
	}
	timeout := f.timeout
	if !fs.Changed("timeout") && sc.Timeout > 0 {
		timeout = sc.Timeout
	}
	if err := runner.CheckTimeout(timeout, "--timeout"); err != nil {
		return nil, usageError{err}
	}
	load, err := f.loadFor(fs, sc.Load, timeout)
	if err != nil {
		return nil, err
	}
	if load, err = limitIterations(fs, load, sc.IterationLimit()); err != nil {
		return nil, err
	}
	sharding, err := f.sharding.settings(fs)
	if err != nil {
		return nil, err
	}
	if load.Shard = sharding.shard; !load.Shard.Whole() {
		if err := shardRefusal(sc, load, f.username != ""); err != nil {
			return nil, err
		}
		if err := f.outputs.checkShard(fs); err != nil {
			return nil, err
		}
	}
	if err := checkRequestIDHeader(fs, f.requestID); err != nil {
		return nil, err
	}
	p := &runPlan{flags: f, scenario: sc, load: load, timeout: timeout, http2: f.http2, sharding: sharding}
	if !fs.Changed("http2") {
		p.http2 = sc.HTTP2
	}
	p.slos = sc.SLOs
	if fs.Changed("slo") {
		if p.slos, err = parseSLOs(f.slos, sc.Classes(), sc.Endpoints()); err != nil {
			return nil, err
		}
	} else if load.Open && !sc.Load.Open {
		var added bool
		if p.slos, added = judgeDrops(p.slos); added {
			p.note = openedNote
		}
	}
	if f.username != "" {
		if err := sc.CheckCredentials(); err != nil {
			return nil, usageError{err}
		}
	}
	if f.raw != "" {
		if _, err := rawFormat(f.raw); err != nil {
			return nil, err
		}
	}
	for _, raw := range f.metricsURLs {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("--server-metrics %q is not an http:// or https:// URL of a metrics page, such as http://127.0.0.1:9090/metrics", raw)
		}
	}
	if p.metricNames, err = servermetrics.ParseNames(f.metricNames); err != nil {
		return nil, usagef("--server-metric %v", err)
	}
	if fs.Changed("cpus") && (f.cpus < 1 || f.cpus > maxCPUs) {
		return nil, usagef("--cpus must be 1 to %d, got %d", maxCPUs, f.cpus)
	}
	if err := f.outputs.prepare(fs, outputFile{name: "--raw", path: f.raw}, outputFile{name: "--cpuprofile", path: f.cpuProfile}); err != nil {
		return nil, err
	}
	if err := f.outputs.checkBaseline(sc.Name); err != nil {
		return nil, err
	}
	target, source := f.target, "--target"
	env, inEnv := os.LookupEnv(envTarget)
	switch {
	case fs.Changed("target"):
	case inEnv:
		target, source = env, "$"+envTarget
	default:
		target, source = sc.Target, "the scenario's target" // checked with the file
	}
	if target == "" && source != "the scenario's target" {
		// An unset variable in `--target "$STAGING_URL"` must not gate
		// the embedded API in staging's place.
		return nil, usagef("%s is empty: give the target's URL, or leave it out to run against the embedded reference API", source)
	}
	if target == "" && !load.Shard.Whole() {
		return nil, usagef("shard %s needs a target its shards share (--target, $%s or the scenario's): each process would run an embedded API of its own", load.Shard, envTarget)
	}
	if target == "" {
		server, err := f.server.config(nil)
		if err != nil {
			return nil, err
		}
		p.server = server
		if p.tls, err = f.tls.settings(fs, sc.TLS, name, nil); err != nil {
			return nil, err
		}
		return p, nil
	}
	u, err := runner.ParseTarget(target)
	if err != nil {
		return nil, usagef("%s %v", source, err)
	}
	for _, name := range serverFlagNames() {
		if fs.Changed(name) {
			return nil, usagef("--%s sets up the embedded reference API; it cannot apply to the target %s", name, u.Redacted())
		}
	}
	p.target = u
	if p.tls, err = f.tls.settings(fs, sc.TLS, name, u); err != nil {
		return nil, err
	}
	return p, nil
}

// findScenario loads a scenario file (read with opts), or looks up a
// built-in scenario.
func findScenario(name string, opts scenarios.Options) (*scenarios.Scenario, error) {
	if scenarios.IsFile(name) {
		sc, err := scenarios.LoadFile(name, opts)
		if err != nil {
			return nil, usageError{err}
		}
		return sc, nil
	}
	sc, ok := scenarios.Lookup(name)
	if !ok {
		return nil, usagef("unknown scenario %q: built-in scenarios are %s (see 'loadgate scenarios'); a scenario file ends in .yaml",
			name, strings.Join(scenarios.Names(), ", "))
	}
	return sc, nil
}

// limitIterations bounds the iterations by the scenario's users (limit; 0
// for none): asking -n for more than there are is a usage error.
func limitIterations(fs *pflag.FlagSet, load runner.Load, limit int64) (runner.Load, error) {
	if limit == 0 || load.Iterations > 0 && load.Iterations <= limit {
		return load, nil
	}
	if load.Iterations > limit && fs.Changed("iterations") {
		return load, usagef("-n %d: the scenario's users (order: unique) allow at most %d iteration%s", load.Iterations, limit, plural(limit))
	}
	load.Iterations = limit
	return load, nil
}

// loadFor applies the load flags that were set to the scenario's load and
// validates the result; timeout is the request timeout. --rate turns on the open model. A run bounded by -n
// alone, -d alone or --stages alone drops the scenario's other bounds.
// --stages ramps from -c or --rate when given, else from zero.
func (f *runFlags) loadFor(fs *pflag.FlagSet, load runner.Load, timeout time.Duration) (runner.Load, error) {
	if fs.Changed("rate") {
		rate, err := runner.ParseRate(f.rate)
		if err != nil {
			return load, usagef("invalid --rate: %v", err)
		}
		load.Open, load.Rate, load.Pause, load.Concurrency = true, rate, 0, 0 // the closed model's settings go
	}
	if fs.Changed("concurrency") {
		if load.Open {
			return load, usagef("-c sets the closed model's workers; the open model (--rate or an open scenario) takes --max-workers")
		}
		load.Concurrency = f.concurrency
	}
	if fs.Changed("stages") {
		stages, err := runner.ParseStages(f.stages)
		if err != nil {
			return load, usagef("invalid --stages: %v", err)
		}
		// Stages ramp from -c or --rate when given, else from zero.
		load.Stages = stages
		if load.Open && !fs.Changed("rate") {
			load.Rate = 0
		}
		if !load.Open && !fs.Changed("concurrency") {
			load.Concurrency = 0
		}
	}
	switch {
	case fs.Changed("iterations") && fs.Changed("duration"):
		load.Iterations, load.Duration = f.iterations, f.duration
	case fs.Changed("iterations"):
		load.Iterations, load.Duration = f.iterations, 0
	case fs.Changed("duration"):
		load.Iterations, load.Duration = 0, f.duration
	case fs.Changed("stages"):
		load.Iterations, load.Duration = 0, 0
	}
	if fs.Changed("pause") {
		load.Pause = f.pause
	}
	if !load.Open && fs.Changed("max-workers") {
		return load, usagef("--max-workers applies to the open model; set --rate, or -c for the closed model")
	}
	switch {
	case fs.Changed("max-workers"):
		load.MaxWorkers = f.maxWorkers
	case load.Open && fs.Changed("rate") || load.Open && load.MaxWorkers == 0:
		load.MaxWorkers = runner.DefaultMaxWorkers(load, timeout)
	}
	if err := load.Check(loadFlag); err != nil {
		return load, usageError{err}
	}
	return load, nil
}

// loadFlag is the flag that sets a load setting.
func loadFlag(f runner.LoadField) string {
	return map[runner.LoadField]string{
		runner.LoadRate:        "--rate",
		runner.LoadMaxWorkers:  "--max-workers",
		runner.LoadConcurrency: "-c",
		runner.LoadStages:      "--stages",
		runner.LoadIterations:  "-n",
		runner.LoadDuration:    "-d",
		runner.LoadPause:       "--pause",
		runner.LoadShard:       "--shard",
	}[f]
}

// readCredentials checks that --username and --password come as a pair,
// taking the password from the environment when the flag is not set.
func (f *runFlags) readCredentials() error {
	if f.password != "" && f.username == "" {
		return usagef("--password needs --username")
	}
	if f.username == "" {
		return nil
	}
	if f.password == "" {
		f.password = os.Getenv(envPassword)
	}
	if f.password == "" {
		return usagef("--username needs a password: set --password or $%s", envPassword)
	}
	return nil
}

// execute starts the embedded API if needed, runs setup and the scenario,
// prints the summary, writes --out, and returns the error that decides the
// exit code.
func (p *runPlan) execute(ctx context.Context, stdout, stderr io.Writer) error {
	if p.tls.warning != "" {
		fprintf(stderr, "warning: %s\n", p.tls.warning)
	}
	if p.note != "" {
		fprintf(stderr, "note: %s\n", p.note)
	}
	if err := p.sharding.checkLate(); err != nil {
		return err
	}
	identity := p.identity()
	env := scenarios.Env{RunID: identity.RunID, Username: p.flags.username, Password: p.flags.password, Target: p.target, Shard: p.load.Shard}
	var embedded *apiserver.Instance
	if p.target == nil {
		cfg := p.server
		// Its errors (a 500, a failed accept) are loadgate's to print.
		cfg.Logger = slog.New(slog.NewTextHandler(prefixed{"loadgate: embedded reference API: ", stderr}, &slog.HandlerOptions{
			Level: slog.LevelError,
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		}))
		in, err := apiserver.Start(cfg)
		if err != nil {
			return fmt.Errorf("starting the embedded reference API: %w", err)
		}
		defer func() {
			shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
			defer cancel()
			in.Shutdown(shutdown)
		}()
		embedded = in
		env.Target, env.Embedded = mustParse(in.URL()), true
	} else if err := runner.CheckReachable(ctx, p.target, max(p.timeout, reachableTimeout)); err != nil {
		if ctx.Err() != nil {
			return errInterruptedBeforeLoad
		}
		return err
	}

	// net/http writes what it cannot place (an answer nobody asked for)
	// to the process's log: counted as protocol events, never printed. Any
	// other line there is printed as loadgate's.
	netHTTPLog := runner.ProtocolLog{Other: prefixed{"loadgate: ", stderr}}
	defer log.SetOutput(log.Writer())
	defer log.SetFlags(log.Flags())
	log.SetOutput(&netHTTPLog)
	log.SetFlags(0)

	requests := p.scenario.Build(env)
	client := runner.NewClient(p.load.WorkerLimit(), p.timeout)
	runner.UseTLSConfig(client, p.tls.config)
	if p.http2 {
		runner.UseHTTP2(client, env.Target) // setup goes the way the load will
	}
	setup, err := p.setup(ctx, stderr, client, env, requests)
	// Users registered at a remote target stay there: said on every way
	// out that prints no summary.
	leftAtTarget := func() {
		if left := report.UsersLeftAtTarget(setup); left != "" {
			fprintf(stderr, "warning: %s\n", left)
		}
	}
	if err != nil {
		leftAtTarget()
		if ctx.Err() != nil {
			return errInterruptedBeforeLoad
		}
		return err
	}
	if ctx.Err() != nil {
		return errInterruptedBeforeLoad // after setup, before anything else is created
	}
	client.CloseIdleConnections()

	var progress runner.Progress
	plan := runner.Plan{
		Scenario:   p.scenario.Name,
		Target:     env.Target,
		Steps:      requests.Steps,
		Load:       p.load,
		Timeout:    p.timeout,
		Classifier: requests.Classifier,
		Vars:       requests.Vars,
		Progress:   &progress,
		HTTP2:      p.http2,
		TLSConfig:  p.tls.config,

		ProtocolLog:     &netHTTPLog,
		Identity:        identity,
		ServerMetrics:   p.metricsSources(embedded),
		ServerNames:     p.metricNames,
		Setup:           setup,
		Session:         requests.Session,
		RequestIDHeader: http.CanonicalHeaderKey(p.flags.requestID),
	}
	var raw *rawFile
	if p.flags.raw != "" {
		if raw, err = createRawFile(p.flags.raw, requests.Classifier.Names(), max(p.timeout, time.Second), p.flags.requestID != ""); err != nil {
			return err
		}
		plan.RawSinks = []runner.RawSink{raw}
	}
	hideProgress := func() {}
	if p.showsProgress(stderr) {
		hideProgress = showProgress(stderr, p.load, &progress)
	}
	if cores := p.cores(); cores > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cores))
	}
	stopProfile, err := startCPUProfile(p.flags.cpuProfile)
	if err != nil {
		return err
	}
	result, err := runner.Run(ctx, plan)
	stopProfile()
	hideProgress()
	var rawErr error
	if raw != nil {
		rawErr = raw.close()
	}
	if err != nil {
		leftAtTarget()
		var late *runner.LateError
		switch {
		case errors.As(err, &late):
			return lateError(late.Late, late.MaxLate, "setup and the sessions were sent, the load was not")
		case ctx.Err() != nil:
			return errInterruptedBeforeLoad // while sessions opened, or before the start time
		}
		return err
	}

	extra := func(w io.Writer) error { return embeddedStats(w, embedded, result.GeneratorLimited()) }
	if !p.load.Shard.Whole() {
		writeErr := p.flags.outputs.writeShard(stdout, result, p.slos, extra)
		return runOutcome(result.Interrupted, nil, errors.Join(writeErr, rawErr))
	}
	verdicts := slo.Judge(result, p.slos)
	all, writeErr := p.flags.outputs.write(stdout, result, verdicts, extra)
	if w := unjudgedDrops(result, p.slos, len(p.flags.slos) > 0); w != "" {
		fprintf(stderr, "warning: %s\n", w)
	}
	return runOutcome(result.Interrupted, all, errors.Join(writeErr, rawErr))
}

// metricsSources are where the run reads the servers' own metrics: the
// --server-metrics URLs, and the embedded API's in process.
func (p *runPlan) metricsSources(embedded *apiserver.Instance) []servermetrics.Source {
	var sources []servermetrics.Source
	if embedded != nil {
		sources = append(sources, servermetrics.Source{Gatherer: embedded.Metrics(), Name: "the embedded reference API at " + embedded.URL()})
	}
	for _, u := range p.flags.metricsURLs {
		sources = append(sources, servermetrics.Source{URL: u})
	}
	return sources
}

// cores returns how many cores the run takes at once (GOMAXPROCS): --cpus
// when given; against a target on this machine (a loopback address) other
// than the embedded API, half of those Go would use, at least one, so that
// the target keeps the rest, unless $GOMAXPROCS sets them; else 0: as they
// are. A generator that shares its cores with the target slows it, and
// pays for moving between cores (docs/BENCHMARKS.md).
func (p *runPlan) cores() int {
	if p.flags.cpus > 0 {
		return p.flags.cpus
	}
	if p.target == nil || os.Getenv("GOMAXPROCS") != "" || !isLoopback(p.target.Hostname()) {
		return 0
	}
	return max(1, runtime.GOMAXPROCS(0)/2)
}

// isLoopback reports whether host names this machine without a lookup: a
// loopback address or "localhost".
func isLoopback(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return strings.EqualFold(strings.TrimSuffix(host, "."), "localhost")
}

// setup sends the scenario's setup requests, with a progress bar on a
// terminal, and returns its report: nil when there were none.
func (p *runPlan) setup(ctx context.Context, stderr io.Writer, client *http.Client, env scenarios.Env, requests scenarios.Requests) (*runner.SetupReport, error) {
	if len(requests.Setup) == 0 {
		return nil, nil
	}
	var progress runner.SetupProgress
	hideProgress := func() {}
	if p.showsProgress(stderr) {
		hideProgress = showSetupProgress(stderr, len(requests.Setup), &progress)
	}
	report, err := runner.Setup(ctx, client, env.Target, requests.Setup, runner.SetupOptions{Progress: &progress})
	hideProgress()
	if !env.Embedded {
		report.RemoteUsers, report.NamePrefix = report.Done, commonPrefix(requests.Usernames) // those registered
	}
	return &report, err
}

// showsProgress reports whether a progress bar is drawn on stderr.
func (p *runPlan) showsProgress(stderr io.Writer) bool {
	return !p.flags.outputs.quiet && !p.flags.noProgress && isTerminal(stderr)
}

// commonPrefix is the longest prefix of every name: "lg-3f2a1b2c-" for
// lg-3f2a1b2c-0 to lg-3f2a1b2c-49.
func commonPrefix(names []string) string {
	if len(names) == 0 {
		return ""
	}
	prefix := names[0]
	for _, name := range names[1:] {
		n := 0
		for n < len(prefix) && n < len(name) && prefix[n] == name[n] {
			n++
		}
		prefix = prefix[:n]
	}
	return strings.ToValidUTF8(prefix, "")
}

// embeddedStats prints the embedded API's lock statistics, when there is
// one, and for a run the generator limited, that the API shared its cores.
func embeddedStats(w io.Writer, embedded *apiserver.Instance, generatorLimited bool) error {
	if embedded == nil {
		return nil
	}
	st := embedded.LockStats()
	_, err := fmt.Fprintf(w, "\nembedded reference API: %d storage operation%s, %d lock timeout%s\n"+
		"                        lock hold p99 %s, lock wait p99 %s\n",
		st.Operations, plural(st.Operations), st.Timeouts, plural(st.Timeouts), report.FormatLatency(st.HoldP99), report.FormatLatency(st.WaitP99))
	if err == nil && generatorLimited {
		_, err = fmt.Fprint(w, embeddedSharesCores)
	}
	return err
}

// embeddedSharesCores follows the embedded API's figures when the generator
// limited the run: in process, the API's work takes the generator's cores.
const embeddedSharesCores = "                        it shares loadgate's process and cores: the limit\n" +
	"                        above is this machine's, the API's work included\n"

func mustParse(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

// errInterrupted ends a run stopped by SIGINT or SIGTERM.
var errInterrupted = errors.New("interrupted")

// errInterruptedBeforeLoad ends a run stopped before its load began, while
// the target was checked or users were set up, or just after: nothing was
// measured, so no summary is printed and no --out or --raw written.
var errInterruptedBeforeLoad = fmt.Errorf("%w before the load began: nothing was measured, no result written", errInterrupted)

// prefixed writes each write to w with prefix before it.
type prefixed struct {
	prefix string
	w      io.Writer
}

func (p prefixed) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}
