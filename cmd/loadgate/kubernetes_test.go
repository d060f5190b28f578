package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"go.yaml.in/yaml/v3"
)

// object is a rendered manifest, read back as plain YAML.
type object map[string]any

// at walks o by keys and list indexes, failing the test where the path
// does not exist.
func (o object) at(t *testing.T, path ...any) any {
	t.Helper()
	var v any = o
	for i, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(object) // yaml decodes nested mappings as the outer one's type
			if !ok {
				t.Fatalf("%v: not a mapping at %v", path, path[:i])
			}
			if v, ok = m[p]; !ok {
				t.Fatalf("%v: no %q in %s %s", path, p, o["kind"], o.at(t, "metadata", "name"))
			}
		case int:
			l, ok := v.([]any)
			if !ok || p >= len(l) {
				t.Fatalf("%v: no item %d", path, p)
			}
			v = l[p]
		}
	}
	return v
}

// parseManifests reads a YAML stream of objects, by kind.
func parseManifests(t *testing.T, stream string) map[string]object {
	t.Helper()
	objects := map[string]object{}
	dec := yaml.NewDecoder(strings.NewReader(stream))
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objects
		}
		if err != nil {
			t.Fatalf("the manifests do not parse: %v\n%s", err, stream)
		}
		kind, _ := o["kind"].(string)
		if _, dup := objects[kind]; dup {
			t.Fatalf("two objects of kind %s", kind)
		}
		objects[kind] = o
	}
}

// TestKubernetesJobManifests renders the manifests of a 3-shard run of a
// scenario file with a users CSV and checks every field that makes the Job
// run the shards together and fail as a whole, and that the scenario and
// its files come back byte for byte from the ConfigMap.
func TestKubernetesJobManifests(t *testing.T) {
	dir := t.TempDir()
	scenario := "name: kube\n# quotes \"'\", a colon: and unicode: žluťoučký\ntarget: http://127.0.0.1:9\nload: {concurrency: 6, duration: 30s}\n" +
		"users: {csv: people.csv}\nsteps:\n  - name: login\n    path: /api/auth/login\n    body: {username: \"{{user.username}}\", password: \"{{user.password}}\"}\n" +
		"  - name: upload\n    path: /upload\n    multipart: {blob: {file: blob.bin}}\nslos: [errors==0]\n"
	csv := "username,password\n" + strings.Repeat("u,Secret-1\n", 6)
	blob := []byte{0xff, 0xfe, 0, 1, 'x'}
	for name, data := range map[string][]byte{"kube.yaml": []byte(scenario), "people.csv": []byte(csv), "blob.bin": blob} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now()
	code, stdout, stderr := run(t, "kubernetes", "job", filepath.Join(dir, "kube.yaml"), "--shards", "3", "--image", "registry.example:5000/team/loadgate:1.4",
		"--run-id", "nightly-7", "--start-in", "90s", "--file", filepath.Join(dir, "people.csv"), "--file", filepath.Join(dir, "blob.bin"),
		"--slo", "p95<800ms", "--slo", "errors==0", "-c", "6", "--namespace", "load")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	objects := parseManifests(t, stdout)
	if len(objects) != 3 {
		t.Fatalf("want a ConfigMap, a PersistentVolumeClaim and a Job, got %d objects:\n%s", len(objects), stdout)
	}
	for kind, o := range objects {
		if o.at(t, "metadata", "name") != "loadgate-nightly-7" || o.at(t, "metadata", "namespace") != "load" ||
			o.at(t, "metadata", "labels", "loadgate/run-id") != "nightly-7" {
			t.Errorf("%s: metadata %v", kind, o["metadata"])
		}
	}

	files := objects["ConfigMap"]
	if got := files.at(t, "data", "kube.yaml"); got != scenario {
		t.Errorf("the scenario in the ConfigMap:\n%q\nwant\n%q", got, scenario)
	}
	if got := files.at(t, "data", "people.csv"); got != csv {
		t.Errorf("the CSV in the ConfigMap: %q", got)
	}
	if got, err := base64.StdEncoding.DecodeString(files.at(t, "binaryData", "blob.bin").(string)); err != nil || !bytes.Equal(got, blob) {
		t.Errorf("the binary file in the ConfigMap: %v, %v", got, err)
	}

	claim := objects["PersistentVolumeClaim"]
	if claim.at(t, "spec", "accessModes", 0) != "ReadWriteMany" || claim.at(t, "spec", "resources", "requests", "storage") != "1Gi" {
		t.Errorf("the claim: %v", claim["spec"])
	}

	job := objects["Job"]
	for _, f := range []struct {
		path []any
		want any
	}{
		{[]any{"apiVersion"}, "batch/v1"},
		{[]any{"spec", "completionMode"}, "Indexed"},
		{[]any{"spec", "completions"}, 3},
		{[]any{"spec", "parallelism"}, 3},
		{[]any{"spec", "backoffLimitPerIndex"}, 0},
		{[]any{"spec", "maxFailedIndexes"}, 0},
		{[]any{"spec", "ttlSecondsAfterFinished"}, 86400},
		{[]any{"spec", "podFailurePolicy", "rules", 0, "action"}, "Ignore"},
		{[]any{"spec", "podFailurePolicy", "rules", 0, "onPodConditions", 0, "type"}, "DisruptionTarget"},
		{[]any{"spec", "podFailurePolicy", "rules", 1, "action"}, "FailJob"},
		{[]any{"spec", "podFailurePolicy", "rules", 1, "onExitCodes", "operator"}, "NotIn"},
		{[]any{"spec", "podFailurePolicy", "rules", 1, "onExitCodes", "values", 0}, 0},
		{[]any{"spec", "podFailurePolicy", "rules", 1, "onExitCodes", "containerName"}, "loadgate"},
		{[]any{"spec", "template", "metadata", "labels", "loadgate/run-id"}, "nightly-7"},
		{[]any{"spec", "template", "spec", "restartPolicy"}, "Never"},
		{[]any{"spec", "template", "spec", "securityContext", "runAsNonRoot"}, true},
		{[]any{"spec", "template", "spec", "containers", 0, "image"}, "registry.example:5000/team/loadgate:1.4"},
		{[]any{"spec", "template", "spec", "containers", 0, "env", 0, "name"}, "JOB_COMPLETION_INDEX"},
		{[]any{"spec", "template", "spec", "containers", 0, "env", 0, "valueFrom", "fieldRef", "fieldPath"}, "metadata.annotations['batch.kubernetes.io/job-completion-index']"},
		{[]any{"spec", "template", "spec", "containers", 0, "env", 1, "value"}, "3"},
		{[]any{"spec", "template", "spec", "containers", 0, "volumeMounts", 0, "mountPath"}, "/results"},
		{[]any{"spec", "template", "spec", "containers", 0, "volumeMounts", 0, "subPath"}, "nightly-7"},
		{[]any{"spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName"}, "loadgate-nightly-7"},
		{[]any{"spec", "template", "spec", "volumes", 1, "configMap", "name"}, "loadgate-nightly-7"},
	} {
		if got := job.at(t, f.path...); got != f.want {
			t.Errorf("Job %v = %v, want %v", f.path, got, f.want)
		}
	}
	deadline := job.at(t, "spec", "activeDeadlineSeconds").(int)
	if deadline < 90+30 || deadline > 90+30+20*60 {
		t.Errorf("activeDeadlineSeconds %d: not the start delay, the 30 s run and a margin", deadline)
	}

	var args []string
	for _, a := range job.at(t, "spec", "template", "spec", "containers", 0, "args").([]any) {
		args = append(args, a.(string))
	}
	for _, want := range []string{"run", "/scenario/kube.yaml", "--run-id=nightly-7", "--max-late=5s", "--out=/results/shard-$(JOB_COMPLETION_INDEX).json",
		"--concurrency=6", "--slo=p95<800ms", "--slo=errors==0"} {
		if !slices.Contains(args, want) {
			t.Errorf("the shard's args %q lack %q", args, want)
		}
	}
	var startAt time.Time
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--start-at="); ok {
			startAt, _ = time.Parse(time.RFC3339, v)
		}
	}
	if startAt.Before(before.Add(89*time.Second)) || startAt.After(time.Now().Add(91*time.Second)) {
		t.Errorf("--start-at %s is not 90 s after the render (at %s)", startAt, before)
	}
}

// TestKubernetesJobStartInThePast: a start time already past (a run meant
// to be refused as late) still gets a deadline of the run's length and
// the margin, never a negative one the API would refuse.
func TestKubernetesJobStartInThePast(t *testing.T) {
	code, stdout, stderr := run(t, "kubernetes", "job", "ping", "--target", "http://127.0.0.1:9", "--shards", "2", "--image", "loadgate:e2e",
		"-d", "30s", "--start-at", "2020-01-01T00:00:00Z")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	job := parseManifests(t, stdout)["Job"]
	if deadline := job.at(t, "spec", "activeDeadlineSeconds").(int); deadline != 30+10*60 {
		t.Errorf("activeDeadlineSeconds %d, want the 30 s run and the 10 min margin", deadline)
	}
}

// TestKubernetesGateManifest renders the gate's Job: report
// --expect-shards over every shard's file of the run, on the run's claim.
func TestKubernetesGateManifest(t *testing.T) {
	code, stdout, stderr := run(t, "kubernetes", "gate", "--shards", "3", "--image", "loadgate:e2e", "--run-id", "nightly-7", "--results-claim", "shared")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	objects := parseManifests(t, stdout)
	gate := objects["Job"]
	if len(objects) != 1 || gate.at(t, "metadata", "name") != "loadgate-nightly-7-gate" || gate.at(t, "spec", "backoffLimit") != 0 ||
		gate.at(t, "spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName") != "shared" ||
		gate.at(t, "spec", "template", "spec", "containers", 0, "volumeMounts", 0, "subPath") != "nightly-7" {
		t.Fatalf("the gate:\n%s", stdout)
	}
	var args []string
	for _, a := range gate.at(t, "spec", "template", "spec", "containers", 0, "args").([]any) {
		args = append(args, a.(string))
	}
	want := []string{"report", "--expect-shards=3", "--run-id=nightly-7", "--out=/results/merged.json", "/results/shard-0.json", "/results/shard-1.json", "/results/shard-2.json"}
	if !slices.Equal(args, want) {
		t.Errorf("the gate's args %q, want %q", args, want)
	}
}

// TestKubernetesBadInput: every problem is a usage error, named, and
// nothing is printed on stdout.
func TestKubernetesBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "k.yaml")
	if err := os.WriteFile(file, []byte("name: k\ntarget: http://127.0.0.1:9\nload: {concurrency: 6, duration: 5s}\nsteps:\n  - {name: h, method: GET, path: /health}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	job := []string{"kubernetes", "job", file, "--image", "loadgate:e2e"}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no shards", job, "--shards must be 1 to"},
		{"zero shards", append(job, "--shards", "0"), "--shards must be 1 to"},
		{"negative shards", append(job, "--shards", "-2"), "--shards must be 1 to"},
		{"no image", []string{"kubernetes", "job", file, "--shards", "3"}, "--image is required"},
		{"upper-case image", []string{"kubernetes", "job", file, "--shards", "3", "--image", "Loadgate:latest"}, "is not an image reference"},
		{"image with a space", []string{"kubernetes", "job", file, "--shards", "3", "--image", "load gate"}, "is not an image reference"},
		{"empty image", []string{"kubernetes", "job", file, "--shards", "3", "--image", ""}, "is not an image reference"},
		{"missing scenario file", []string{"kubernetes", "job", filepath.Join(dir, "missing.yaml"), "--shards", "3", "--image", "loadgate:e2e"}, "missing.yaml"},
		{"missing --file", append(job, "--shards", "3", "--file", filepath.Join(dir, "people.csv")), "--file " + filepath.Join(dir, "people.csv")},
		{"a file named twice", append(job, "--shards", "3", "--file", file), "is named k.yaml too"},
		{"upper-case run id", append(job, "--shards", "3", "--run-id", "Nightly"), "cannot name Kubernetes objects"},
		{"start-at and start-in", append(job, "--shards", "3", "--start-at", "2030-01-01T00:00:00Z", "--start-in", "1m"), "give one"},
		{"zero start-in", append(job, "--shards", "3", "--start-in", "0s"), "--start-in must be positive"},
		{"start-in too far", append(job, "--shards", "3", "--start-in", "1000000h"), "--start-in 1000000h0m0s: at most 24h0m0s"},
		{"out", append(job, "--shards", "3", "--out", "r.json"), "--out cannot go to a shard's pod"},
		{"password", append(job, "--shards", "3", "--username", "u", "--password", "p"), "a manifest would show the password"},
		{"embedded API", []string{"kubernetes", "job", "ping", "--shards", "3", "--image", "loadgate:e2e"}, "a Job needs --target"},
		{"more shards than users", []string{"kubernetes", "job", "smoke", "--shards", "3", "-c", "6", "--image", "loadgate:e2e", "--target", "http://127.0.0.1:9"},
			"shard 1/3 would have none of the scenario's 1 user: run at most 1 shard"},
		{"more shards than workers", []string{"kubernetes", "job", "stress", "--shards", "3", "-c", "2", "--image", "lg:1", "--target", "http://127.0.0.1:1"},
			"--shard 2/3 of a closed load of 2 workers at most has none: run at most 2 shards"},
		{"results size not a quantity", append(job, "--shards", "3", "--results-size", "lots"), `--results-size: size "lots" is not a Kubernetes quantity`},
		{"bad SLO", append(job, "--shards", "3", "--slo", "p95<<1s"), "p95<<1s"},
		{"bad namespace", append(job, "--shards", "3", "--namespace", "Load"), "--namespace: namespace \"Load\""},
		{"bad claim", append(job, "--shards", "3", "--results-claim", "my_claim"), "--results-claim: claim \"my_claim\""},
		{"no command", []string{"kubernetes"}, "kubernetes needs a command"},
		{"unknown command", []string{"kubernetes", "pods"}, `unknown command "pods"; the commands are gate, job`},
		{"gate without run id", []string{"kubernetes", "gate", "--shards", "3", "--image", "loadgate:e2e"}, "--run-id is required"},
		{"gate of zero shards", []string{"kubernetes", "gate", "--shards", "0", "--image", "loadgate:e2e", "--run-id", "r1"}, "--shards must be 1 to"},
		{"gate with an argument", []string{"kubernetes", "gate", "x", "--shards", "3", "--image", "loadgate:e2e", "--run-id", "r1"}, "usage: loadgate kubernetes gate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want %d, with %q\nstdout: %s\nstderr: %s", code, exitUsage, c.want, stdout, stderr)
			}
		})
	}
}

// TestKubernetesJobFiles: --file must give exactly the files the scenario
// reads, each the file it was checked with and named without a directory
// (the pods see them in /scenario): a missing one, an unrelated one, one
// in a directory and another file of the same name are each named, and
// nothing is printed on stdout.
func TestKubernetesJobFiles(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	csv := "username,password\n" + strings.Repeat("u,Secret-1\n", 3)
	for _, name := range []string{"users.csv", "data/users.csv"} {
		writeFile(t, dir, name, csv)
	}
	writeFile(t, elsewhere, "users.csv", csv)
	writeFile(t, dir, "up.bin", "upload")
	ca := testkit.NewCA(t, "corp")
	copyFile(t, ca.File, dir)
	const steps = "steps:\n  - {name: h, method: GET, path: /health}\n"
	const upload = "steps:\n  - name: up\n    path: /upload\n    multipart: {f: {file: up.bin}}\n"
	csvUsers := writeFile(t, dir, "csv.yaml", "load: {concurrency: 3, duration: 5s}\nusers: {csv: users.csv}\n"+steps)
	inDir := writeFile(t, dir, "indir.yaml", "load: {concurrency: 3, duration: 5s}\nusers: {csv: data/users.csv}\n"+steps)
	multipart := writeFile(t, dir, "multipart.yaml", "load: {concurrency: 3, duration: 5s}\n"+upload)
	plain := writeFile(t, dir, "plain.yaml", "load: {concurrency: 3, duration: 5s}\n"+steps)
	tlsBlock := writeFile(t, dir, "tls.yaml", "load: {concurrency: 3, duration: 5s}\ntls: {ca_cert: "+filepath.Base(ca.File)+"}\n"+steps)
	job := func(scenario, target string, more ...string) []string {
		return append([]string{"kubernetes", "job", scenario, "--shards", "3", "--image", "loadgate:e2e", "--target", target}, more...)
	}
	const http, https = "http://127.0.0.1:9", "https://127.0.0.1:9"
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"users CSV not given", job(csvUsers, http), "the scenario reads users.csv: give it with --file"},
		{"multipart file not given", job(multipart, http), "the scenario reads up.bin: give it with --file"},
		{"unrelated file", job(plain, http, "--file", "/etc/passwd"), "--file /etc/passwd: the scenario names no file passwd"},
		{"unrelated and missing, both named", job(csvUsers, http, "--file", filepath.Join(dir, "up.bin")),
			"--file " + filepath.Join(dir, "up.bin") + ": the scenario names no file up.bin; the scenario reads users.csv: give it with --file"},
		{"another file of the name", job(csvUsers, http, "--file", filepath.Join(elsewhere, "users.csv")),
			"--file " + filepath.Join(elsewhere, "users.csv") + " is not " + filepath.Join(dir, "users.csv") + ", the file the scenario was checked with"},
		{"a file in a directory", job(inDir, http, "--file", filepath.Join(dir, "data", "users.csv")), "the scenario names data/users.csv: name it without a directory"},
		{"tls file not given", job(tlsBlock, https), "the scenario reads " + filepath.Base(ca.File) + ": give it with --file"},
		{"tls file of an unused block", job(tlsBlock, http, "--file", ca.File), "the scenario names no file " + filepath.Base(ca.File)},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want %d, with %q\nstdout: %s\nstderr: %s", code, exitUsage, c.want, stdout, stderr)
			}
		})
	}
	for _, c := range []struct {
		name  string
		args  []string
		files []string
	}{
		{"users CSV", job(csvUsers, http, "--file", filepath.Join(dir, "users.csv")), []string{"csv.yaml", "users.csv"}},
		{"multipart file", job(multipart, http, "--file", filepath.Join(dir, "up.bin")), []string{"multipart.yaml", "up.bin"}},
		{"tls file", job(tlsBlock, https, "--file", filepath.Join(dir, filepath.Base(ca.File))), []string{"tls.yaml", filepath.Base(ca.File)}},
		{"unused tls block", job(tlsBlock, http), []string{"tls.yaml"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			var got []string
			for name := range parseManifests(t, stdout)["ConfigMap"].at(t, "data").(object) {
				got = append(got, name)
			}
			slices.Sort(got)
			slices.Sort(c.files)
			if !slices.Equal(got, c.files) {
				t.Errorf("the ConfigMap holds %q, want %q", got, c.files)
			}
		})
	}
}
