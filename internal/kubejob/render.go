// Package kubejob renders the Kubernetes manifests of a sharded loadgate
// run (docs/distributed.md): a ConfigMap with the scenario, a claim for the
// results, an Indexed Job whose pods run the shards, and the Job of the
// gate that judges their merged results.
package kubejob

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Where a pod sees its files, and the name of its one container.
const (
	ScenarioDir   = "/scenario"
	ResultsDir    = "/results"
	ContainerName = "loadgate"
	// IndexAnnotation is the annotation in which the Job controller gives
	// each pod its completion index.
	IndexAnnotation = "batch.kubernetes.io/job-completion-index"
	// RunIDLabel holds the run id on every object.
	RunIDLabel = "loadgate/run-id"
	// MaxRunID is the longest run id that fits the names of the objects.
	MaxRunID = 40
	// The user and group of the pods: distroless's nonroot.
	nonRootID = 65532
)

// File is a file the pods read beside the scenario file, by its base name.
type File struct {
	Name string
	Data []byte
}

// Run is what the manifests of one sharded run are made of.
type Run struct {
	ID        string // the run id: in every name and label
	Namespace string // "": kubectl's current one
	Image     string
	Shards    int
	StartAt   time.Time
	MaxLate   time.Duration
	// Scenario is the scenario file, run as ScenarioDir/Scenario.Name;
	// Files are the other files it names (a users CSV, an upload), beside it.
	Scenario File
	Files    []File
	// RunArgs are the flags every shard's `loadgate run` gets besides those
	// the manifest sets (--run-id, --start-at, --max-late, --out).
	RunArgs []string
	// Deadline bounds each Job's life (activeDeadlineSeconds); TTL is how
	// long a finished Job and its pods are kept.
	Deadline, TTL time.Duration
	// ResultsClaim is the persistent volume claim the results go to; ""
	// renders a claim of ResultsSize (and StorageClass, "" for the
	// cluster's default) named as the run.
	ResultsClaim, ResultsSize, StorageClass string
}

// Name is the name of the run's ConfigMap, claim and shards' Job.
func (r Run) Name() string { return "loadgate-" + r.ID }

// GateName is the name of the gate's Job.
func (r Run) GateName() string { return r.Name() + "-gate" }

var (
	labelPattern     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	subdomainPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	keyPattern       = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)
	// imagePattern is an image reference: [host[:port]/]path[:tag][@digest],
	// path components in lower case.
	imagePattern = regexp.MustCompile(`^` +
		`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?` +
		`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*` +
		`(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`)
)

// CheckRunID reports why id cannot name a run's Kubernetes objects.
func CheckRunID(id string) error {
	if len(id) > MaxRunID || !labelPattern.MatchString(id) {
		return fmt.Errorf("run id %q cannot name Kubernetes objects: use 1 to %d lower-case letters, digits and '-', beginning and ending with a letter or digit", id, MaxRunID)
	}
	return nil
}

// CheckNamespace reports why name cannot name a namespace.
func CheckNamespace(name string) error {
	if len(name) > 63 || !labelPattern.MatchString(name) {
		return fmt.Errorf("namespace %q: use 1 to 63 lower-case letters, digits and '-', beginning and ending with a letter or digit", name)
	}
	return nil
}

// CheckClaim reports why name cannot name a PersistentVolumeClaim.
func CheckClaim(name string) error {
	if len(name) > 253 || !subdomainPattern.MatchString(name) {
		return fmt.Errorf("claim %q: use lower-case letters, digits, '-' and '.', beginning and ending with a letter or digit", name)
	}
	return nil
}

// CheckImage reports why image is not an image reference.
func CheckImage(image string) error {
	if len(image) > 255 || !imagePattern.MatchString(image) {
		return fmt.Errorf("image %q is not an image reference such as registry.example/loadgate:1.4 (lower-case path, optional :tag and @sha256:digest)", image)
	}
	return nil
}

// quantityPattern is a Kubernetes quantity as a claim's size is written:
// digits, an optional decimal part and an optional binary or decimal
// suffix (1Gi, 500Mi, 10G, 1.5Ti).
var quantityPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$`)

// CheckQuantity reports why size is not a positive storage size.
func CheckQuantity(size string) error {
	if len(size) > 64 || !quantityPattern.MatchString(size) || strings.Trim(size, "0.KkMGTPEi") == "" {
		return fmt.Errorf("size %q is not a Kubernetes quantity such as 1Gi, 500Mi or 10G (digits, an optional decimal part, a suffix among Ki Mi Gi Ti Pi Ei k M G T P E), more than zero", size)
	}
	return nil
}

// CheckFileName reports why name cannot be a file in the scenario's
// ConfigMap.
func CheckFileName(name string) error {
	if len(name) > 253 || !keyPattern.MatchString(name) || name == "." || name == ".." {
		return fmt.Errorf("file name %q cannot be a ConfigMap key: use letters, digits, '-', '_' and '.'", name)
	}
	return nil
}

func (r Run) meta(name, component string) meta {
	return meta{Name: name, Namespace: r.Namespace, Labels: r.labels(component)}
}

func (r Run) labels(component string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":      "loadgate",
		"app.kubernetes.io/instance":  r.Name(),
		"app.kubernetes.io/component": component,
		RunIDLabel:                    r.ID,
	}
}

// ShardManifests renders the ConfigMap, the results' claim (unless the run
// names one) and the shards' Indexed Job, as one YAML stream.
func (r Run) ShardManifests() ([]byte, error) {
	files := configMap{APIVersion: "v1", Kind: "ConfigMap", Metadata: r.meta(r.Name(), "scenario")}
	for _, f := range append([]File{r.Scenario}, r.Files...) {
		if utf8.Valid(f.Data) {
			if files.Data == nil {
				files.Data = map[string]string{}
			}
			files.Data[f.Name] = string(f.Data)
			continue
		}
		if files.BinaryData == nil {
			files.BinaryData = map[string]string{}
		}
		files.BinaryData[f.Name] = base64.StdEncoding.EncodeToString(f.Data)
	}
	objects := []any{files}
	if r.ResultsClaim == "" {
		objects = append(objects, persistentVolumeClaim{APIVersion: "v1", Kind: "PersistentVolumeClaim", Metadata: r.meta(r.Name(), "results"),
			Spec: claimSpec{AccessModes: []string{"ReadWriteMany"}, StorageClassName: r.StorageClass,
				Resources: claimResources{Requests: map[string]string{"storage": r.ResultsSize}}}})
	}
	args := []string{"run", ScenarioDir + "/" + r.Scenario.Name, "--run-id=" + r.ID,
		"--start-at=" + r.StartAt.UTC().Format(time.RFC3339), "--max-late=" + r.MaxLate.String(),
		"--out=" + ResultsDir + "/shard-$(JOB_COMPLETION_INDEX).json"}
	for _, a := range r.RunArgs {
		args = append(args, strings.ReplaceAll(a, "$(", "$$(")) // literal, not a variable to expand
	}
	shard := r.container(args)
	shard.Env = []envVar{
		{Name: "JOB_COMPLETION_INDEX", ValueFrom: &envVarSource{FieldRef: &fieldSelector{FieldPath: "metadata.annotations['" + IndexAnnotation + "']"}}},
		{Name: "LOADGATE_SHARDS", Value: strconv.Itoa(r.Shards)},
	}
	shard.VolumeMounts = append(shard.VolumeMounts, volumeMount{Name: "scenario", MountPath: ScenarioDir, ReadOnly: true})
	zero, n := 0, r.Shards
	shards := job{APIVersion: "batch/v1", Kind: "Job", Metadata: r.meta(r.Name(), "shard"), Spec: jobSpec{
		CompletionMode: "Indexed", Completions: &n, Parallelism: &n,
		BackoffLimitPerIndex: &zero, MaxFailedIndexes: &zero,
		PodFailurePolicy: &podFailurePolicy{Rules: []podFailurePolicyRule{
			// An evicted or preempted pod says nothing of the run.
			{Action: "Ignore", OnPodConditions: []podConditionsPattern{{Type: "DisruptionTarget", Status: "True"}}},
			// A shard that could not run (1), was refused (4, late) or
			// interrupted (130) leaves the set incomplete: stop every shard.
			{Action: "FailJob", OnExitCodes: &exitCodesRequirement{ContainerName: ContainerName, Operator: "NotIn", Values: []int{0}}},
		}},
		ActiveDeadlineSeconds:   seconds(r.Deadline),
		TTLSecondsAfterFinished: seconds(r.TTL),
		Template:                r.podTemplate("shard", shard),
	}}
	shards.Spec.Template.Spec.Volumes = append(shards.Spec.Template.Spec.Volumes,
		volume{Name: "scenario", ConfigMap: &configMapVolume{Name: r.Name()}})
	return marshalAll(append(objects, shards))
}

// GateManifest renders the gate's Job: `loadgate report --expect-shards`
// on the shards' results, which exits 0, 3 or 4 (as its pod's exit code).
// It writes the merged result beside them, as merged.json.
func (r Run) GateManifest() ([]byte, error) {
	args := []string{"report", "--expect-shards=" + strconv.Itoa(r.Shards), "--run-id=" + r.ID, "--out=" + ResultsDir + "/merged.json"}
	for i := range r.Shards {
		args = append(args, fmt.Sprintf("%s/shard-%d.json", ResultsDir, i))
	}
	zero := 0
	gate := job{APIVersion: "batch/v1", Kind: "Job", Metadata: r.meta(r.GateName(), "gate"), Spec: jobSpec{
		BackoffLimit:            &zero,
		ActiveDeadlineSeconds:   seconds(r.Deadline),
		TTLSecondsAfterFinished: seconds(r.TTL),
		Template:                r.podTemplate("gate", r.container(args)),
	}}
	return marshalAll([]any{gate})
}

// container is the loadgate container with args and the results mounted.
func (r Run) container(args []string) container {
	return container{Name: ContainerName, Image: r.Image, Args: args,
		VolumeMounts:             []volumeMount{{Name: "results", MountPath: ResultsDir, SubPath: r.ID}},
		TerminationMessagePolicy: "FallbackToLogsOnError"}
}

func (r Run) podTemplate(component string, c container) podTemplate {
	return podTemplate{Metadata: meta{Labels: r.labels(component)}, Spec: podSpec{
		RestartPolicy:   "Never",
		SecurityContext: podSecurityContext{RunAsNonRoot: true, RunAsUser: nonRootID, RunAsGroup: nonRootID, FSGroup: nonRootID},
		Containers:      []container{c},
		Volumes:         []volume{{Name: "results", PersistentVolumeClaim: &claimVolume{ClaimName: r.claim()}}},
	}}
}

func (r Run) claim() string {
	if r.ResultsClaim != "" {
		return r.ResultsClaim
	}
	return r.Name()
}

// seconds is d in whole seconds, rounded up: a bound is never shortened.
func seconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

// marshalAll writes objects as one YAML stream, a document each.
func marshalAll(objects []any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	for _, o := range objects {
		if err := enc.Encode(o); err != nil {
			return nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
