package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// controlPlane is etcd, kube-apiserver and kube-controller-manager, each a
// process listening on 127.0.0.1 only, and a client config for the API.
type controlPlane struct {
	config *rest.Config
	procs  []*exec.Cmd
	logs   []string
}

// startControlPlane starts the control plane from the binaries in bin and
// waits until the API answers and the controllers have made the default
// service account. Everything is stopped, by PID, when the test ends.
func startControlPlane(t *testing.T, bin string) *controlPlane {
	t.Helper()
	dir := t.TempDir()
	cp := &controlPlane{}
	t.Cleanup(cp.stop)

	etcdClient, etcdPeer := freePort(t), freePort(t)
	cp.start(t, dir, filepath.Join(bin, "etcd"),
		"--name=e2e", "--data-dir="+filepath.Join(dir, "etcd"), "--unsafe-no-fsync",
		"--listen-client-urls=http://"+etcdClient, "--advertise-client-urls=http://"+etcdClient,
		"--listen-peer-urls=http://"+etcdPeer, "--initial-advertise-peer-urls=http://"+etcdPeer,
		"--initial-cluster=e2e=http://"+etcdPeer)
	waitHTTP(t, "http://"+etcdClient+"/health", nil)

	token := randomHex(t)
	tokens := filepath.Join(dir, "tokens.csv")
	writeFile(t, tokens, []byte(token+`,e2e-admin,e2e-admin,"system:masters"`+"\n"))
	saKey := filepath.Join(dir, "sa.key")
	writeFile(t, saKey, serviceAccountKey(t))
	api := freePort(t)
	cp.start(t, dir, filepath.Join(bin, "kube-apiserver"),
		"--etcd-servers=http://"+etcdClient,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+portOf(api),
		"--cert-dir="+filepath.Join(dir, "apiserver-certs"),
		"--token-auth-file="+tokens, "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc", "--service-account-key-file="+saKey,
		"--service-account-signing-key-file="+saKey, "--service-cluster-ip-range=10.96.0.0/24",
		"--enable-priority-and-fairness=false", "--profiling=false")
	cp.config = &rest.Config{Host: "https://" + api, BearerToken: token, Timeout: 30 * time.Second,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}, QPS: 100, Burst: 200}
	waitHTTP(t, "https://"+api+"/readyz", map[string]string{"Authorization": "Bearer " + token})

	kubeconfig := filepath.Join(dir, "kubeconfig")
	writeFile(t, kubeconfig, fmt.Appendf(nil, `apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: "https://%s", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: %q}}]
contexts: [{name: e2e, context: {cluster: e2e, user: admin}}]
current-context: e2e
`, api, token))
	cp.start(t, dir, filepath.Join(bin, "kube-controller-manager"),
		"--kubeconfig="+kubeconfig, "--leader-elect=false", "--secure-port=0",
		"--controllers=job,ttl-after-finished,garbagecollector,serviceaccount")
	return cp
}

// start runs a control-plane process, its output in a log file of dir.
func (cp *controlPlane) start(t *testing.T, dir, exe string, args ...string) {
	t.Helper()
	logPath := filepath.Join(dir, filepath.Base(exe)+".log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	cp.procs = append(cp.procs, cmd)
	cp.logs = append(cp.logs, logPath)
}

// stop ends the processes by PID, the last started first, each with
// SIGTERM and, after 20 s, SIGKILL.
func (cp *controlPlane) stop() {
	for i := len(cp.procs) - 1; i >= 0; i-- {
		cmd := cp.procs[i]
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
}

// tail is the end of each process's log, for a failure message.
func (cp *controlPlane) tail() string {
	var b strings.Builder
	for _, path := range cp.logs {
		data, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		fmt.Fprintf(&b, "--- %s (last lines)\n%s\n", filepath.Base(path), strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return b.String()
}

// freePort is a 127.0.0.1 address with a port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// waitHTTP waits, up to 2 minutes, for url to answer 200.
func waitHTTP(t *testing.T, url string, headers map[string]string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: insecureTLS()}}
	deadline := time.Now().Add(2 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		<-time.After(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 within 2 minutes: %s", url, last)
}

func randomHex(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// serviceAccountKey is a new ECDSA key in PEM, made for this test.
func serviceAccountKey(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startServe starts `loadgate serve` on 127.0.0.1:0 and returns its URL;
// it is stopped by PID when the test ends.
func startServe(t *testing.T, loadgate string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "serve.out")
	log, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(loadgate, "serve", "--addr", "127.0.0.1:0", "--bcrypt-cost", "4")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var url string
	err = waitFor(t.Context(), time.Minute, func() (bool, error) {
		data, err := os.ReadFile(out)
		for _, line := range strings.Split(string(data), "\n") {
			if _, u, ok := strings.Cut(line, "listening on "); ok {
				url = strings.TrimSpace(u)
			}
		}
		return url != "", err
	})
	if err != nil {
		t.Fatalf("loadgate serve said no URL: %v", err)
	}
	return url
}

func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

// waitFor polls cond every 200 ms until it holds or timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		ok, err := cond()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not within %s", timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
