package main

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/servermetrics"
	"golang.org/x/crypto/bcrypt"
)

// TestServerMetricsBesideTheClient: with the lock made contended, the
// server's own lock timeouts during the load, read from its metrics, are
// exactly the lock timeouts the client counted, those of setup left out;
// the summary shows the server beside the client. The embedded API is
// read in process, a remote one through --server-metrics; a metrics URL
// that answers nothing is one warning, not a failed run.
func TestServerMetricsBesideTheClient(t *testing.T) {
	in, err := apiserver.Start(apiserver.Config{BcryptCost: bcrypt.MinCost + 4, LockTimeout: 20 * time.Millisecond, HashUnderLock: true})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Shutdown(t.Context())
	metrics := httptest.NewServer(in.MetricsHandler())
	defer metrics.Close()
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"embedded", []string{"--hash-under-lock", "--lock-timeout", "20ms", "--bcrypt-cost", "8"}},
		{"remote", []string{"--target", in.URL(), "--server-metrics", metrics.URL, "--server-metrics", "http://127.0.0.1:1/metrics"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".json")
			code, stdout, stderr := run(t, append([]string{"run", "stress", "-c", "8", "-n", "300", "--no-progress", "--slo", "p95<1h", "--out", out}, c.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			r := readSaved(t, out).Result
			sel, _ := servermetrics.ParseSelector(apiserver.MetricLockTimeouts)
			server, _ := r.Server.Counter(sel)
			if r.Total.LockTimeouts() == 0 || int64(server) != r.Total.LockTimeouts() {
				t.Errorf("the server counted %g lock timeouts during the load, the client %d; want as many, and some", server, r.Total.LockTimeouts())
			}
			if !strings.Contains(stdout, "server, by its own metrics") || !strings.Contains(stdout, "  endpoint  client p95") {
				t.Errorf("no server tables in the summary:\n%s", stdout)
			}
			if c.name == "remote" && (len(r.Server.Problems) != 1 || !strings.Contains(stdout, "warning: metrics of http://127.0.0.1:1/metrics not read")) {
				t.Errorf("the unreachable metrics URL: problems %q\n%s", r.Server.Problems, stdout)
			}
		})
	}
	code, _, stderr := run(t, "run", "ping", "-n", "1", "--server-metrics", "127.0.0.1:9090")
	if code != exitUsage || !strings.Contains(stderr, `--server-metrics "127.0.0.1:9090" is not an http:// or https:// URL`) {
		t.Errorf("a metrics address without a scheme: exit %d, %s", code, stderr)
	}
}

// TestServerSLOs: server. SLOs are judged on the server's own metrics: with
// the lock contended, server.lock_timeouts fails with the count the client
// saw, and, with a lock timeout long enough to queue, the lock wait shows
// the contention; uncontended (one worker: no
// request ever waits for another's lock; setup's, which do, are not the
// run's), the lock wait's p99 is under a millisecond; --server-metric maps a name to another
// metric.
func TestServerSLOs(t *testing.T) {
	code, stdout, stderr := run(t, "run", "stress", "-c", "8", "-n", "200", "--no-progress", "--hash-under-lock", "--lock-timeout", "20ms", "--bcrypt-cost", "8",
		"--slo", "server.lock_timeouts==0", "--slo", "lock_timeouts>=1")
	if code != exitSLOFailed || !strings.Contains(stdout, "FAIL  server.lock_timeouts==0") || !strings.Contains(stdout, "PASS  lock_timeouts>=1") {
		t.Errorf("contended: exit %d\n%s%s", code, stdout, stderr)
	}
	clientLine, serverLine := verdictLine(stdout, "lock_timeouts>=1"), verdictLine(stdout, "server.lock_timeouts==0")
	if client, server := strings.Fields(clientLine)[2], strings.Fields(serverLine)[2]; client != server {
		t.Errorf("the client counted %s lock timeouts, the server %s", client, server)
	}
	// With a lock timeout far above a hash, the operations queue for the
	// lock instead of giving up: their waits show it.
	code, stdout, stderr = run(t, "run", "stress", "-c", "8", "-n", "100", "--no-progress", "--hash-under-lock", "--lock-timeout", "1m", "--bcrypt-cost", "6",
		"--slo", "server.lock_wait.p95>1ms", "--slo", "server.lock_timeouts==0")
	if code != exitOK {
		t.Errorf("queued: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "run", "stress", "-c", "1", "-n", "40", "--no-progress", "--bcrypt-cost", "4",
		"--slo", "server.lock_wait.p99<1ms", "--slo", "server.login.p99<10s", "--slo", "server.errors==0",
		"--server-metric", `requests=http_requests_total{endpoint="login"}`, "--slo", "server.requests==40")
	if code != exitOK {
		t.Errorf("uncontended: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "run", "ping", "-n", "1", "--server-metric", "wait=x"); code != exitUsage || !strings.Contains(stderr, "--server-metric") {
		t.Errorf("an unknown name: exit %d, %s", code, stderr)
	}
}

// verdictLine is the summary's line of the SLO expr.
func verdictLine(summary, expr string) string {
	for _, l := range strings.Split(summary, "\n") {
		if strings.Contains(l, " "+expr+" ") {
			return l
		}
	}
	return "? ? ?"
}
