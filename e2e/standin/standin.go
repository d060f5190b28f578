// Package standin is a stand-in for the kubelet, for tests on a control
// plane without a container runtime: it binds every pending pod to its one
// node, runs the pod's one container as a host process, and reports the
// process's real exit status in the pod's status, so that the real
// controllers (the Job controller) decide what follows.
//
// It replaces only what a container runtime would give: an image is a host
// executable (its entrypoint); a ConfigMap volume is a directory the
// stand-in fills from the ConfigMap; a persistentVolumeClaim volume is a
// host directory per claim (subPath a directory in it); and since the
// process sees the host's file system, a mount path in the container's args
// is rewritten to its host directory. Environment variables (value and
// fieldRef) and $(VAR) in args are resolved as the kubelet does. It does
// not apply a pod's securityContext or resources: the process runs as the
// test's own user, unconfined.
package standin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// NodeName is the node every pod is bound to.
const NodeName = "standin"

// stopGrace is how long a deleted pod's process has after SIGTERM.
const stopGrace = 10 * time.Second

// Kubelet runs pods as host processes.
type Kubelet struct {
	client kubernetes.Interface
	// images maps an image to the host executable that is its entrypoint.
	images map[string]string
	dir    string // pods' and claims' directories

	mu   sync.Mutex
	pods map[string]*process // by namespace/name
	done sync.WaitGroup
}

// process is a pod's container as it runs or ran.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	code   int
	log    string // the file of its stdout and stderr
	failed string // why it could not start
}

// Exit is how a pod's process ended.
type Exit struct {
	Code int
	Log  string
}

// New makes a stand-in kubelet for the images given, keeping its files
// under dir.
func New(client kubernetes.Interface, images map[string]string, dir string) *Kubelet {
	return &Kubelet{client: client, images: images, dir: dir, pods: map[string]*process{}}
}

// Run binds and runs pods until ctx ends, then stops every process it
// started (SIGKILL) and waits for them.
func (k *Kubelet) Run(ctx context.Context) error {
	factory := informers.NewSharedInformerFactory(k.client, 0)
	pods := factory.Core().V1().Pods().Informer()
	work := make(chan *corev1.Pod, 1024)
	enqueue := func(obj any) {
		if pod, ok := obj.(*corev1.Pod); ok {
			work <- pod
		}
	}
	if _, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	defer k.killAll()
	for {
		select {
		case <-ctx.Done():
			return nil
		case pod := <-work:
			k.sync(ctx, pod)
		}
	}
}

// Exits returns how the processes of pods that have exited ended, by pod
// name (namespace/name).
func (k *Kubelet) Exits() map[string]Exit {
	k.mu.Lock()
	defer k.mu.Unlock()
	exits := map[string]Exit{}
	for name, p := range k.pods {
		select {
		case <-p.exited:
			log := []byte(p.failed)
			if p.log != "" {
				log, _ = os.ReadFile(p.log)
			}
			exits[name] = Exit{Code: p.code, Log: string(log)}
		default:
		}
	}
	return exits
}

// Running counts the processes still running.
func (k *Kubelet) Running() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, p := range k.pods {
		select {
		case <-p.exited:
		default:
			n++
		}
	}
	return n
}

// sync moves pod on by one step: binds it, starts it, or stops and
// removes it once it is being deleted.
func (k *Kubelet) sync(ctx context.Context, pod *corev1.Pod) {
	key := pod.Namespace + "/" + pod.Name
	k.mu.Lock()
	p := k.pods[key]
	k.mu.Unlock()
	switch {
	case pod.DeletionTimestamp != nil:
		if p != nil {
			k.stop(p)
		}
		// The kubelet's last word on a deleted pod: remove it now.
		zero := int64(0)
		err := k.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
		if err != nil && ctx.Err() == nil && !strings.Contains(err.Error(), "not found") {
			fmt.Fprintf(os.Stderr, "standin: delete %s: %v\n", key, err)
		}
	case pod.Spec.NodeName == "":
		err := k.client.CoreV1().Pods(pod.Namespace).Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: NodeName},
		}, metav1.CreateOptions{})
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "standin: bind %s: %v\n", key, err)
		}
	case pod.Spec.NodeName == NodeName && p == nil && pod.Status.Phase == corev1.PodPending:
		k.start(ctx, pod)
	}
}

// start runs pod's container and reports its status: Running, then
// Succeeded or Failed with the exit code.
func (k *Kubelet) start(ctx context.Context, pod *corev1.Pod) {
	key := pod.Namespace + "/" + pod.Name
	p := &process{exited: make(chan struct{})}
	k.mu.Lock()
	k.pods[key] = p
	k.mu.Unlock()
	started := metav1.Now()
	cmd, err := k.command(ctx, pod, p)
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		p.code, p.failed = 128, err.Error()
		close(p.exited)
		k.report(ctx, pod, started, p.code, "StartError: "+err.Error())
		return
	}
	p.cmd = cmd
	k.report(ctx, pod, started, -1, "")
	k.done.Add(1)
	go func() {
		defer k.done.Done()
		err := cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && p.code == -1 { // killed by a signal
			p.code = 128 + int(exitErr.Sys().(syscall.WaitStatus).Signal())
		}
		close(p.exited)
		k.report(context.WithoutCancel(ctx), pod, started, p.code, "")
	}()
}

// report writes pod's status: running (code -1), or terminated with code.
func (k *Kubelet) report(ctx context.Context, pod *corev1.Pod, started metav1.Time, code int, message string) {
	c := pod.Spec.Containers[0]
	status := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: c.Image, Started: new(bool)}
	pod = pod.DeepCopy()
	pod.Status.StartTime = &started
	pod.Status.HostIP = "127.0.0.1"
	if code < 0 {
		*status.Started = true
		status.Ready = true
		status.State.Running = &corev1.ContainerStateRunning{StartedAt: started}
		pod.Status.Phase = corev1.PodRunning
	} else {
		reason := "Completed"
		pod.Status.Phase = corev1.PodSucceeded
		if code != 0 {
			reason = "Error"
			pod.Status.Phase = corev1.PodFailed
		}
		status.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: int32(code), Reason: reason, Message: message,
			StartedAt: started, FinishedAt: metav1.Now()}
	}
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{status}
	// A pod's status is written on the pod as last read; a conflict means
	// a newer one, so read it again.
	for range 10 {
		_, err := k.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		if err == nil || ctx.Err() != nil {
			return
		}
		latest, getErr := k.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if getErr != nil {
			fmt.Fprintf(os.Stderr, "standin: status of %s/%s: %v\n", pod.Namespace, pod.Name, err)
			return
		}
		latest.Status.StartTime, latest.Status.HostIP = pod.Status.StartTime, pod.Status.HostIP
		latest.Status.Phase, latest.Status.ContainerStatuses = pod.Status.Phase, pod.Status.ContainerStatuses
		pod = latest
	}
}

// command makes the host process of pod's one container, its volumes laid
// out as host directories.
func (k *Kubelet) command(ctx context.Context, pod *corev1.Pod, p *process) (*exec.Cmd, error) {
	if len(pod.Spec.Containers) != 1 {
		return nil, fmt.Errorf("the stand-in runs pods of one container, not %d", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	exe, ok := k.images[c.Image]
	if !ok {
		return nil, fmt.Errorf("no executable for image %q", c.Image)
	}
	if len(c.Command) > 0 {
		return nil, fmt.Errorf("the stand-in runs the image's entrypoint; the container sets command %q", c.Command)
	}
	podDir := filepath.Join(k.dir, "pods", pod.Namespace, pod.Name)
	if err := os.MkdirAll(podDir, 0o755); err != nil {
		return nil, err
	}
	mounts, err := k.volumes(ctx, pod, podDir)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	var environ []string
	for _, e := range c.Env {
		value, err := envValue(pod, e, env)
		if err != nil {
			return nil, err
		}
		env[e.Name] = value
		environ = append(environ, e.Name+"="+value)
	}
	var args []string
	for _, a := range c.Args {
		args = append(args, hostPaths(expand(a, env), mounts))
	}
	logFile, err := os.Create(filepath.Join(podDir, "log"))
	if err != nil {
		return nil, err
	}
	p.log = logFile.Name()
	cmd := exec.Command(exe, args...)
	cmd.Dir = podDir
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + podDir}, environ...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	return cmd, nil
}

// volumes lays out pod's volumes under podDir and returns each of the
// container's mount paths with its host directory.
func (k *Kubelet) volumes(ctx context.Context, pod *corev1.Pod, podDir string) (map[string]string, error) {
	sources := map[string]string{}
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.ConfigMap != nil:
			dir := filepath.Join(podDir, "volumes", v.Name)
			if err := k.configMapFiles(ctx, pod.Namespace, v.ConfigMap.Name, dir); err != nil {
				return nil, err
			}
			sources[v.Name] = dir
		case v.PersistentVolumeClaim != nil:
			sources[v.Name] = filepath.Join(k.dir, "claims", pod.Namespace, v.PersistentVolumeClaim.ClaimName)
		default:
			return nil, fmt.Errorf("volume %s: the stand-in has ConfigMap and persistentVolumeClaim volumes only", v.Name)
		}
	}
	mounts := map[string]string{}
	for _, m := range pod.Spec.Containers[0].VolumeMounts {
		dir, ok := sources[m.Name]
		if !ok {
			return nil, fmt.Errorf("mount of volume %s, which the pod does not have", m.Name)
		}
		dir = filepath.Join(dir, m.SubPath)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		mounts[m.MountPath] = dir
	}
	return mounts, nil
}

// configMapFiles writes the ConfigMap's data and binaryData into dir, a
// file a key.
func (k *Kubelet) configMapFiles(ctx context.Context, namespace, name, dir string) error {
	cm, err := k.client.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{}
	for key, value := range cm.Data {
		files[key] = []byte(value)
	}
	for key, value := range cm.BinaryData {
		files[key] = value
	}
	for key, data := range files {
		if err := os.WriteFile(filepath.Join(dir, key), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// envValue resolves a container's environment variable as the kubelet does:
// its value (with $(VAR) of the variables before it), or a field of the pod.
func envValue(pod *corev1.Pod, e corev1.EnvVar, before map[string]string) (string, error) {
	if e.ValueFrom == nil {
		return expand(e.Value, before), nil
	}
	if e.ValueFrom.FieldRef == nil {
		return "", fmt.Errorf("env %s: the stand-in resolves value and fieldRef only", e.Name)
	}
	path := e.ValueFrom.FieldRef.FieldPath
	pick := func(prefix string, m map[string]string) (string, bool) {
		key, ok := strings.CutPrefix(path, prefix+"['")
		if !ok || !strings.HasSuffix(key, "']") {
			return "", false
		}
		return m[strings.TrimSuffix(key, "']")], true
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	}
	if v, ok := pick("metadata.annotations", pod.Annotations); ok {
		return v, nil
	}
	if v, ok := pick("metadata.labels", pod.Labels); ok {
		return v, nil
	}
	return "", fmt.Errorf("env %s: fieldRef %s is not one the stand-in resolves", e.Name, path)
}

// expand replaces $(NAME) in s by the variable's value, as Kubernetes does
// in args: $$ is a literal $, and a name not defined stays as written.
func expand(s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] != '$' || i+1 == len(s):
			b.WriteByte(s[i])
		case s[i+1] == '$':
			b.WriteByte('$')
			i++
		case s[i+1] == '(':
			end := strings.IndexByte(s[i:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+end+1])
			}
			i += end
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// hostPaths rewrites each mount path in arg, as a whole path component, to
// its host directory, longest mount path first.
func hostPaths(arg string, mounts map[string]string) string {
	paths := make([]string, 0, len(mounts))
	for p := range mounts {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { return len(paths[i]) > len(paths[j]) })
	for _, p := range paths {
		arg = strings.ReplaceAll(arg, p+"/", mounts[p]+"/")
	}
	return arg
}

// stop ends a deleted pod's process: SIGTERM, and SIGKILL after stopGrace.
func (k *Kubelet) stop(p *process) {
	if p.cmd == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopGrace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// killAll kills every process still running and waits for all to end.
func (k *Kubelet) killAll() {
	k.mu.Lock()
	for _, p := range k.pods {
		if p.cmd != nil {
			_ = p.cmd.Process.Kill()
		}
	}
	k.mu.Unlock()
	k.done.Wait()
}
