// Package e2e runs loadgate's Kubernetes manifests on a real control plane
// on loopback: etcd, kube-apiserver and kube-controller-manager built from
// the versions go.mod pins (./build-control-plane), with the kubelet alone
// replaced by a stand-in that runs each pod as a host process (standin).
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/e2e/standin"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

const (
	namespace = "default"
	image     = "loadgate:e2e"
)

// resources maps the kinds of the manifests to their API resources.
var resources = map[string]schema.GroupVersionResource{
	"ConfigMap":             {Version: "v1", Resource: "configmaps"},
	"PersistentVolumeClaim": {Version: "v1", Resource: "persistentvolumeclaims"},
	"Job":                   {Group: "batch", Version: "v1", Resource: "jobs"},
}

// cluster is the control plane, its clients, the stand-in kubelet and
// the loadgate binary its pods run.
type cluster struct {
	cp       *controlPlane
	client   kubernetes.Interface
	dynamic  dynamic.Interface
	kubelet  *standin.Kubelet
	loadgate string
	dir      string // the stand-in's: pods and claims
}

// TestIndexedJob runs the rendered manifests of sharded runs on a loopback
// control plane: every manifest passes a server-side dry run and a wrong
// one is refused; three shards of an Indexed Job, given their indexes by
// the real Job controller, load a loopback reference API together and the
// gate passes them (exit 0); a start time in the past fails the Job through
// its pod failure policy and the gate refuses the set (exit 4); an
// impossible SLO leaves the Job complete and fails the gate (exit 3); and
// afterwards no pod and no process is left.
func TestIndexedJob(t *testing.T) {
	c := newCluster(t)
	target := startServe(t, c.loadgate)

	t.Run("dry run", func(t *testing.T) {
		manifests := [][]byte{
			c.render(t, "kubernetes", "job", "ping", "--target", target, "--shards", "3", "--image", image, "--run-id", "dry"),
			c.render(t, "kubernetes", "gate", "--shards", "3", "--image", image, "--run-id", "dry"),
		}
		for _, file := range []string{"job.yaml", "gate.yaml"} {
			data, err := os.ReadFile(filepath.Join("..", "deploy", "kubernetes", file))
			if err != nil {
				t.Fatal(err)
			}
			manifests = append(manifests, data)
		}
		for _, m := range manifests {
			for _, o := range decode(t, m) {
				if err := c.create(t.Context(), o, true); err != nil {
					t.Errorf("%s %s: refused by a server-side dry run: %v", o.GetKind(), o.GetName(), err)
				}
			}
		}
		wrong := decode(t, manifests[0])[2] // the Job
		rules, _, _ := unstructured.NestedSlice(wrong.Object, "spec", "podFailurePolicy", "rules")
		if err := unstructured.SetNestedField(rules[1].(map[string]any), "In", "onExitCodes", "operator"); err != nil {
			t.Fatal(err)
		}
		if err := unstructured.SetNestedSlice(wrong.Object, rules, "spec", "podFailurePolicy", "rules"); err != nil {
			t.Fatal(err)
		}
		if err := c.create(t.Context(), wrong, true); !apierrors.IsInvalid(err) {
			t.Errorf("a pod failure policy with exit code 0 under In: %v, want it refused as invalid", err)
		}
	})

	t.Run("three shards pass", func(t *testing.T) {
		c.run(t, "pass", "ping", "--target", target, "-c", "3", "-n", "30", "--slo", "errors==0", "--start-in", "20s")
		c.waitJob(t, "loadgate-pass", batchv1.JobComplete, "")
		exits := c.shardExits(t, "pass")
		for index, code := range exits {
			if code != 0 {
				t.Errorf("shard %s exited %d", index, code)
			}
		}
		if !slices.Equal(sortedKeys(exits), []string{"0", "1", "2"}) {
			t.Errorf("the Job controller gave the pods the indexes %v, want 0, 1, 2", sortedKeys(exits))
		}
		code, log := c.gate(t, "pass")
		t.Logf("the gate of run pass exited %d:\n%s", code, log)
		if code != 0 || !strings.Contains(log, "in 3 shards") || !strings.Contains(log, "began within") {
			t.Errorf("the gate exited %d, want 0\n%s", code, log)
		}
		var merged struct {
			Totals struct{ Requests int } `json:"totals"`
		}
		data, err := os.ReadFile(filepath.Join(c.dir, "claims", namespace, "loadgate-pass", "pass", "merged.json"))
		if err == nil {
			err = json.Unmarshal(data, &merged)
		}
		if err != nil || merged.Totals.Requests != 30 {
			t.Errorf("the merged result on the claim: %d requests, want 30 (%v)", merged.Totals.Requests, err)
		}
	})

	t.Run("a late start fails the Job", func(t *testing.T) {
		past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		c.run(t, "late", "ping", "--target", target, "-c", "3", "-n", "30", "--start-at", past)
		c.waitJob(t, "loadgate-late", batchv1.JobFailed, batchv1.JobReasonPodFailurePolicy)
		code, log := c.gate(t, "late")
		t.Logf("the gate of run late exited %d:\n%s", code, log)
		if code != 4 || !strings.Contains(log, "cannot judge run") {
			t.Errorf("the gate exited %d, want 4\n%s", code, log)
		}
	})

	t.Run("an impossible SLO fails the gate", func(t *testing.T) {
		c.run(t, "slo", "ping", "--target", target, "-c", "3", "-n", "30", "--slo", "p95<1us", "--start-in", "20s")
		c.waitJob(t, "loadgate-slo", batchv1.JobComplete, "")
		code, log := c.gate(t, "slo")
		t.Logf("the gate of run slo exited %d:\n%s", code, log)
		if code != 3 || !strings.Contains(log, "FAIL") {
			t.Errorf("the gate exited %d, want 3\n%s", code, log)
		}
	})

	t.Run("nothing is left", func(t *testing.T) {
		background := metav1.DeletePropagationBackground
		jobs := c.client.BatchV1().Jobs(namespace)
		if err := jobs.DeleteCollection(t.Context(), metav1.DeleteOptions{PropagationPolicy: &background},
			metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=loadgate"}); err != nil {
			t.Fatal(err)
		}
		var left []string
		err := waitFor(t.Context(), 2*time.Minute, func() (bool, error) {
			pods, err := c.client.CoreV1().Pods(namespace).List(t.Context(), metav1.ListOptions{})
			left = left[:0]
			for _, p := range pods.Items {
				left = append(left, p.Name)
			}
			return len(left) == 0 && c.kubelet.Running() == 0, err
		})
		if err != nil {
			t.Errorf("pods left after the Jobs were deleted: %v; processes running: %d (%v)", left, c.kubelet.Running(), err)
		}
	})
	if t.Failed() {
		t.Logf("control plane logs:\n%s", c.cp.tail())
	}
}

// newCluster starts the control plane and the stand-in kubelet, and waits
// until pods can be made (the default service account exists).
func newCluster(t *testing.T) *cluster {
	t.Helper()
	bin := controlPlaneBinaries(t)
	c := &cluster{loadgate: buildLoadgate(t), dir: t.TempDir()}
	c.cp = startControlPlane(t, bin)
	var err error
	if c.client, err = kubernetes.NewForConfig(c.cp.config); err != nil {
		t.Fatal(err)
	}
	if c.dynamic, err = dynamic.NewForConfig(c.cp.config); err != nil {
		t.Fatal(err)
	}
	err = waitFor(t.Context(), 2*time.Minute, func() (bool, error) {
		_, err := c.client.CoreV1().ServiceAccounts(namespace).Get(t.Context(), "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("no default service account: %v\n%s", err, c.cp.tail())
	}
	c.kubelet = standin.New(c.client, map[string]string{image: c.loadgate}, c.dir)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error)
	go func() { stopped <- c.kubelet.Run(ctx) }()
	t.Cleanup(func() { // before the control plane stops
		cancel()
		if err := <-stopped; err != nil {
			t.Errorf("the stand-in kubelet: %v", err)
		}
	})
	return c
}

// controlPlaneBinaries builds (or finds built) etcd, kube-apiserver and
// kube-controller-manager, and returns their directory.
func controlPlaneBinaries(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("./build-control-plane")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("build-control-plane: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// buildLoadgate builds the loadgate of this repository.
func buildLoadgate(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "loadgate")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/loadgate")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build loadgate: %v\n%s", err, out)
	}
	return bin
}

// render runs loadgate with args (a kubernetes command) and returns what
// it printed.
func (c *cluster) render(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(c.loadgate, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("loadgate %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// decode reads a YAML stream of objects.
func decode(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	var objects []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var o map[string]any
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objects
		}
		if err != nil {
			t.Fatalf("manifests: %v", err)
		}
		if o != nil && o["kind"] != nil {
			objects = append(objects, &unstructured.Unstructured{Object: o})
		}
	}
}

// create creates o in the namespace, or only checks it (dryRun).
func (c *cluster) create(ctx context.Context, o *unstructured.Unstructured, dryRun bool) error {
	gvr, ok := resources[o.GetKind()]
	if !ok {
		return fmt.Errorf("a manifest of kind %s", o.GetKind())
	}
	opts := metav1.CreateOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err := c.dynamic.Resource(gvr).Namespace(namespace).Create(ctx, o, opts)
	return err
}

// run renders the shards' manifests of run id and creates them.
func (c *cluster) run(t *testing.T, id, scenario string, flags ...string) {
	t.Helper()
	args := append([]string{"kubernetes", "job", scenario, "--shards", "3", "--image", image, "--run-id", id}, flags...)
	for _, o := range decode(t, c.render(t, args...)) {
		if err := c.create(t.Context(), o, false); err != nil {
			t.Fatalf("create %s %s: %v", o.GetKind(), o.GetName(), err)
		}
	}
}

// waitJob waits for the Job's condition (and its reason, when not "").
func (c *cluster) waitJob(t *testing.T, name string, want batchv1.JobConditionType, reason string) {
	t.Helper()
	var job *batchv1.Job
	err := waitFor(t.Context(), 3*time.Minute, func() (bool, error) {
		var err error
		job, err = c.client.BatchV1().Jobs(namespace).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, cond := range job.Status.Conditions {
			if (cond.Type == batchv1.JobComplete || cond.Type == batchv1.JobFailed) && cond.Status == corev1.ConditionTrue {
				if cond.Type != want || reason != "" && cond.Reason != reason {
					return false, fmt.Errorf("condition %s (%s: %s), want %s %s", cond.Type, cond.Reason, cond.Message, want, reason)
				}
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		var status any
		if job != nil {
			status = job.Status
		}
		t.Fatalf("Job %s: %v\nstatus: %+v\npods: %v", name, err, status, c.kubelet.Exits())
	}
}

// shardExits are the exit codes of the run's shards' pods, by the
// completion index the Job controller gave each.
func (c *cluster) shardExits(t *testing.T, id string) map[string]int {
	t.Helper()
	pods, err := c.client.CoreV1().Pods(namespace).List(t.Context(), metav1.ListOptions{
		LabelSelector: "loadgate/run-id=" + id + ",app.kubernetes.io/component=shard"})
	if err != nil {
		t.Fatal(err)
	}
	exits := c.kubelet.Exits()
	codes := map[string]int{}
	for _, p := range pods.Items {
		index := p.Annotations["batch.kubernetes.io/job-completion-index"]
		exit, ok := exits[namespace+"/"+p.Name]
		if !ok {
			t.Fatalf("pod %s (index %q) did not run", p.Name, index)
		}
		codes[index] = exit.Code
	}
	return codes
}

// gate renders and creates the run's gate, waits for its pod to end, and
// returns its exit code and output.
func (c *cluster) gate(t *testing.T, id string) (int, string) {
	t.Helper()
	for _, o := range decode(t, c.render(t, "kubernetes", "gate", "--shards", "3", "--image", image, "--run-id", id)) {
		if err := c.create(t.Context(), o, false); err != nil {
			t.Fatalf("create %s %s: %v", o.GetKind(), o.GetName(), err)
		}
	}
	var exit standin.Exit
	err := waitFor(t.Context(), 3*time.Minute, func() (bool, error) {
		pods, err := c.client.CoreV1().Pods(namespace).List(t.Context(), metav1.ListOptions{
			LabelSelector: "loadgate/run-id=" + id + ",app.kubernetes.io/component=gate"})
		if err != nil || len(pods.Items) == 0 {
			return false, err
		}
		e, ok := c.kubelet.Exits()[namespace+"/"+pods.Items[0].Name]
		exit = e
		return ok, nil
	})
	if err != nil {
		t.Fatalf("the gate of %s: %v", id, err)
	}
	return exit.Code, exit.Log
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
