package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/kubejob"
	"github.com/loadgate/loadgate/runner"
	"github.com/loadgate/loadgate/scenarios"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Defaults of `loadgate kubernetes`.
const (
	defaultStartIn     = time.Minute
	defaultJobTTL      = 24 * time.Hour
	defaultGateLife    = 10 * time.Minute
	defaultResultsSize = "1Gi"
	// maxStartDelay bounds --start-in: the pods are scheduled at once and
	// wait, holding their nodes, for the start, and the Job's deadline
	// counts the wait. A --start-at is the user's own choice of time.
	maxStartDelay = 24 * time.Hour
	// deadlineMargin is added to the start delay and the run's length for
	// the shards' Job's default deadline; a run without a length gets
	// lengthlessRun instead.
	deadlineMargin = 10 * time.Minute
	lengthlessRun  = time.Hour
)

// kubeFlags are the flags of both `kubernetes job` and `kubernetes gate`.
type kubeFlags struct {
	shards       int
	image        string
	namespace    string
	ttl          time.Duration
	deadline     time.Duration
	resultsClaim string
}

func (f *kubeFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.shards, "shards", 0, "how many shards (pods) split the run (required)")
	fs.StringVar(&f.image, "image", "", "the loadgate image the pods run, such as registry.example/loadgate:1.4 (required)")
	fs.StringVar(&f.namespace, "namespace", "", "the namespace of every object (default: kubectl's current one)")
	fs.DurationVar(&f.ttl, "ttl", defaultJobTTL, "how long Kubernetes keeps a finished Job and its pods (ttlSecondsAfterFinished); the results stay on the claim")
	fs.DurationVar(&f.deadline, "deadline", 0, "how long the Job may run in all (activeDeadlineSeconds)")
	fs.StringVar(&f.resultsClaim, "results-claim", "", "an existing PersistentVolumeClaim (ReadWriteMany) for the results (default: one rendered for the run, named as it)")
}

// run checks the flags both commands share and makes the run they
// describe; id is its run id.
func (f *kubeFlags) run(fs *pflag.FlagSet, id string) (kubejob.Run, error) {
	r := kubejob.Run{ID: id, Namespace: f.namespace, Image: f.image, Shards: f.shards, TTL: f.ttl, Deadline: f.deadline, ResultsClaim: f.resultsClaim}
	switch {
	case f.shards < 1 || f.shards > runner.MaxShards:
		return r, usagef("--shards must be 1 to %d, got %d", runner.MaxShards, f.shards)
	case !fs.Changed("image"):
		return r, usagef("--image is required: the loadgate image the pods run (see the Dockerfile)")
	case f.ttl <= 0:
		return r, usagef("--ttl must be positive, got %s", f.ttl)
	case fs.Changed("deadline") && f.deadline <= 0:
		return r, usagef("--deadline must be positive, got %s", f.deadline)
	}
	if err := kubejob.CheckImage(f.image); err != nil {
		return r, usageError{err}
	}
	if err := kubejob.CheckRunID(id); err != nil {
		return r, usageError{err}
	}
	if fs.Changed("namespace") {
		if err := kubejob.CheckNamespace(f.namespace); err != nil {
			return r, usagef("--namespace: %v", err)
		}
	}
	if fs.Changed("results-claim") {
		if err := kubejob.CheckClaim(f.resultsClaim); err != nil {
			return r, usagef("--results-claim: %v", err)
		}
	}
	return r, nil
}

func newKubernetesCommand(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kubernetes",
		Short: "Render the Kubernetes manifests of a sharded run (job, gate)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("kubernetes needs a command: job (the shards) or gate (the verdict); see 'loadgate help kubernetes'")
			}
			return usagef("kubernetes: unknown command %q; the commands are gate, job", args[0])
		},
	}
	cmd.AddCommand(newKubernetesJobCommand(stdout), newKubernetesGateCommand(stdout))
	return cmd
}

// runFlagsRendered are the run flags that the manifest sets itself.
var runFlagsRendered = []string{"run-id", "start-at", "max-late"}

// runFlagsRefused are the run flags a shard in a pod cannot take, and why.
var runFlagsRefused = map[string]string{
	"out": "the manifest writes each shard's result to the results claim", "shard": "the Job gives each pod its shard",
	"junit": "the gate's report writes it", "markdown": "the gate's report writes it", "html": "the gate's report writes it",
	"baseline": "the gate's report compares", "max-regression": "the gate's report compares",
	"raw": "a pod's files go with it", "cpuprofile": "a pod's files go with it",
	"ca-cert":     "it names a file of this machine: give the scenario file a tls block and its files with --file",
	"client-cert": "it names a file of this machine: give the scenario file a tls block and its files with --file",
	"client-key":  "it names a file of this machine: give the scenario file a tls block and its files with --file",
	"username":    "a manifest would show the password: give the scenario file its users",
	"password":    "a manifest would show the password: give the scenario file its users",
}

func newKubernetesJobCommand(stdout io.Writer) *cobra.Command {
	var flags runFlags
	var kube kubeFlags
	var startIn time.Duration
	var files []string
	var resultsSize, storageClass string
	cmd := &cobra.Command{
		Use:   "job --shards N --image IMAGE [SCENARIO | FILE.yaml] [run flags]",
		Short: "Render the ConfigMap, results claim and Indexed Job of a sharded run",
		Long: `Check a run as 'loadgate run' would, with the same scenario and flags, and
print the manifests that run it as N shards in a Kubernetes Indexed Job: the
scenario in a ConfigMap, a claim for the results, and the Job, whose pods
begin the load together at --start-at (default: --start-in from now) and
write their results to the claim as RUNID/shard-I.json. Apply them with
'kubectl apply -f -'; once the Job has finished, 'loadgate kubernetes gate'
renders the Job that judges the results. Exit 0, or 2 for a usage error.`,
		Args: takes(0, 1, "one scenario, a built-in name or a FILE.yaml"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			name := "smoke"
			if len(args) == 1 {
				name = args[0]
			}
			for f, why := range runFlagsRefused {
				if fs.Changed(f) {
					return usagef("--%s cannot go to a shard's pod: %s", f, why)
				}
			}
			if err := renderedFlags(fs, startIn); err != nil {
				return err
			}
			p, err := flags.prepare(fs, name)
			if err != nil {
				return err
			}
			r, err := kube.run(fs, p.sharding.runID)
			if err != nil {
				return err
			}
			if p.target == nil {
				return usagef("a Job needs --target (or a scenario file's target): each pod would run against an embedded reference API of its own")
			}
			if err := refuseShards(p, r.Shards); err != nil {
				return err
			}
			r.StartAt, r.MaxLate = p.sharding.startAt, p.sharding.maxLate
			r.ResultsSize, r.StorageClass = resultsSize, storageClass
			if err := kubejob.CheckQuantity(resultsSize); err != nil {
				return usagef("--results-size: %v", err)
			}
			if r.Scenario, r.Files, err = podFiles(name, p.scenario, runner.TLSUsed(p.target), files); err != nil {
				return err
			}
			r.RunArgs = passedRunFlags(fs)
			if os.Getenv(envTarget) != "" && !fs.Changed("target") {
				r.RunArgs = append(r.RunArgs, "--target="+os.Getenv(envTarget))
			}
			if !fs.Changed("deadline") {
				length := p.load.Length()
				if length == 0 {
					length = lengthlessRun
				}
				r.Deadline = max(time.Until(r.StartAt), 0) + length + deadlineMargin
			}
			out, err := r.ShardManifests()
			if err != nil {
				return err
			}
			_, err = stdout.Write(out)
			return err
		},
	}
	fs := cmd.Flags()
	kube.register(fs)
	fs.DurationVar(&startIn, "start-in", defaultStartIn, "without --start-at: the load begins this long after now, once every pod is up and set up")
	fs.StringArrayVar(&files, "file", nil, "a file the scenario names (a users CSV, an upload, a tls file), put beside it in the ConfigMap; the scenario must name it without a directory (repeatable)")
	fs.StringVar(&resultsSize, "results-size", defaultResultsSize, "the size of the rendered results claim")
	fs.StringVar(&storageClass, "storage-class", "", "the storage class of the rendered results claim, one that offers ReadWriteMany (default: the cluster's)")
	flags.register(fs)
	return cmd
}

// refuseShards returns the refusal of the first of count shards of p that
// `run --shard` would refuse (shardRefusal, as `plan` marks them), so that
// no Job is rendered whose pod is sure to fail. A pod has no credentials
// (--username is refused).
func refuseShards(p *runPlan, count int) error {
	load := p.load
	for i := range count {
		load.Shard = runner.Shard{Index: i, Count: count}
		if err := shardRefusal(p.scenario, load, false); err != nil {
			return err
		}
	}
	return nil
}

// renderedFlags gives --start-at its value from now and startIn when it
// was not given, and a run id when there is none, so that prepare checks
// them as a run would.
func renderedFlags(fs *pflag.FlagSet, startIn time.Duration) error {
	switch {
	case fs.Changed("start-at") && fs.Changed("start-in"):
		return usagef("--start-at and --start-in both say when the load begins: give one")
	case startIn <= 0:
		return usagef("--start-in must be positive, got %s", startIn)
	case startIn > maxStartDelay:
		return usagef("--start-in %s: at most %s; the pods start at once and wait for the load's start, holding their nodes", startIn, maxStartDelay)
	case !fs.Changed("start-at"):
		if err := fs.Set("start-at", time.Now().Add(startIn).UTC().Format(time.RFC3339)); err != nil {
			return err
		}
	}
	if !fs.Changed("run-id") && os.Getenv(envRunID) == "" {
		return fs.Set("run-id", scenarios.NewRunID())
	}
	return nil
}

// passedRunFlags are the run flags given on the command line that every
// shard gets as they are, each as --name=value.
func passedRunFlags(fs *pflag.FlagSet) []string {
	own := pflag.NewFlagSet("kubernetes", pflag.ContinueOnError)
	(&kubeFlags{}).register(own)
	var args []string
	fs.Visit(func(f *pflag.Flag) {
		if own.Lookup(f.Name) != nil || slices.Contains(runFlagsRendered, f.Name) ||
			slices.Contains([]string{"start-in", "file", "results-size", "storage-class"}, f.Name) {
			return
		}
		values := []string{f.Value.String()}
		if list, ok := f.Value.(pflag.SliceValue); ok {
			values = list.GetSlice()
		}
		for _, v := range values {
			args = append(args, "--"+f.Name+"="+v)
		}
	})
	return args
}

// podFiles are the scenario file of sc, by the base name of name
// (name.yaml for a built-in), and the files of --file (paths), read and
// checked: they must be exactly the files the scenario names (its tls
// block's only when tlsUsed, as a run reads them), each the very file the
// scenario was checked with, named without a directory since the pods see
// them in one directory (kubejob.ScenarioDir). Every problem is named.
func podFiles(name string, sc *scenarios.Scenario, tlsUsed bool, paths []string) (kubejob.File, []kubejob.File, error) {
	scenario := kubejob.File{Name: name + ".yaml", Data: sc.Source}
	if scenarios.IsFile(name) {
		scenario.Name = filepath.Base(name)
	}
	if err := kubejob.CheckFileName(scenario.Name); err != nil {
		return scenario, nil, usagef("scenario %s: %v", name, err)
	}
	needed := map[string]bool{} // by the name the pods see it as: given yet?
	var problems, order []string
	for _, f := range sc.Files() {
		if f.TLS && !tlsUsed {
			continue
		}
		key := filepath.Clean(f.Path)
		if filepath.IsAbs(key) || filepath.Dir(key) != "." {
			problems = append(problems, fmt.Sprintf("the scenario names %s: name it without a directory, beside the scenario file, as the pods see its files in %s", f.Path, kubejob.ScenarioDir))
			continue
		}
		if _, dup := needed[key]; !dup {
			needed[key] = false
			order = append(order, key)
		}
	}
	seen := map[string]string{scenario.Name: name}
	var files []kubejob.File
	for _, path := range paths {
		f := kubejob.File{Name: filepath.Base(path)}
		if err := kubejob.CheckFileName(f.Name); err != nil {
			return scenario, nil, usagef("--file %s: %v", path, err)
		}
		if other, ok := seen[f.Name]; ok {
			return scenario, nil, usagef("--file %s: %s is named %s too; the pod sees the files by their names, in one directory", path, other, f.Name)
		}
		seen[f.Name] = path
		if _, ok := needed[f.Name]; !ok {
			problems = append(problems, fmt.Sprintf("--file %s: the scenario names no file %s", path, f.Name))
			continue
		}
		needed[f.Name] = true
		if read := filepath.Join(filepath.Dir(name), f.Name); !sameFile(path, read) {
			problems = append(problems, fmt.Sprintf("--file %s is not %s, the file the scenario was checked with", path, read))
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return scenario, nil, usagef("--file %s: %v", path, err)
		}
		f.Data = data
		files = append(files, f)
	}
	for _, key := range order {
		if !needed[key] {
			problems = append(problems, fmt.Sprintf("the scenario reads %s: give it with --file, as the pods see only the files of the ConfigMap", key))
		}
	}
	if len(problems) > 0 {
		return scenario, nil, usagef("%s", strings.Join(problems, "; "))
	}
	return scenario, files, nil
}

func newKubernetesGateCommand(stdout io.Writer) *cobra.Command {
	var kube kubeFlags
	var runID string
	cmd := &cobra.Command{
		Use:   "gate --shards N --image IMAGE --run-id ID",
		Short: "Render the Job that judges a sharded run's results (report --expect-shards)",
		Long: fmt.Sprintf(`Print the Job that runs 'loadgate report --expect-shards N --run-id ID' on
the results the shards of 'loadgate kubernetes job' wrote to the claim, and
writes their merge there as RUNID/merged.json. Apply it once the shards'
Job has finished, complete or failed: its pod exits 0 (every SLO passed),
3 (an SLO failed) or 4 (a shard's result is missing or of another run).
Its deadline is --deadline (default %s). Exit 0, or 2 for a usage error.`, defaultGateLife),
		Args: takes(0, 0, "no argument"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("run-id") {
				return usagef("--run-id is required: the run id of the shards' Job")
			}
			r, err := kube.run(cmd.Flags(), runID)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("deadline") {
				r.Deadline = defaultGateLife
			}
			out, err := r.GateManifest()
			if err != nil {
				return err
			}
			_, err = stdout.Write(out)
			return err
		},
	}
	kube.register(cmd.Flags())
	cmd.Flags().StringVar(&runID, "run-id", "", "the run id of the shards' Job (required)")
	return cmd
}
