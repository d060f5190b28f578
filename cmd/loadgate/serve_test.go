package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServe starts `loadgate serve` in-process, checks that the printed
// address answers, and that an interrupt shuts it down cleanly (exit 0) with
// the lock statistics logged.
func TestServe(t *testing.T) {
	stdout, stderr, stop := background(t, "serve", "--addr", "127.0.0.1:0", "--bcrypt-cost", "4", "--log-format", "json")
	line := waitFor(t, stdout, "\n")
	_, url, ok := strings.Cut(strings.TrimSpace(line), "listening on ")
	if !ok {
		t.Fatalf("serve printed %q, want the address it listens on", line)
	}
	resp, err := http.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /health: %d", resp.StatusCode)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit code %d after an interrupt, want 0; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), `"msg":"storage lock statistics"`) {
		t.Errorf("no lock statistics logged at shutdown:\n%s", stderr)
	}
}

func TestServeUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bcrypt cost out of range", []string{"--bcrypt-cost", "3"}, "--bcrypt-cost must be between 4 and 31, got 3"},
		{"negative lock timeout", []string{"--lock-timeout", "-1s"}, "--lock-timeout must be positive"},
		{"bad duration", []string{"--storage-delay", "soon"}, `--storage-delay "soon": not a duration`},
		{"unknown log format", []string{"--log-format", "xml"}, `invalid --log-format "xml"`},
		{"bad address", []string{"--addr", "8080"}, `invalid --addr "8080"`},
		{"port out of range", []string{"--addr", "127.0.0.1:99999"}, `invalid --addr "127.0.0.1:99999"`},
		{"bad metrics address", []string{"--metrics-addr", "9090"}, `invalid --metrics-addr "9090"`},
		{"unknown flag", []string{"--nope"}, "unknown flag: --nope"},
		{"stray argument", []string{"extra"}, `serve takes no arguments; got "extra"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"serve"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// TestServeMetrics: with --metrics-addr, serve prints where its metrics
// are, and they count the API's requests there, apart from the API.
func TestServeMetrics(t *testing.T) {
	stdout, stderr, stop := background(t, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--bcrypt-cost", "4")
	lines := strings.Split(strings.TrimSpace(waitFor(t, stdout, "/metrics\n")), "\n")
	_, api, _ := strings.Cut(lines[0], "listening on ")
	_, metrics, ok := strings.Cut(lines[len(lines)-1], "metrics at ")
	if len(lines) != 2 || !ok {
		t.Fatalf("serve printed, for the API and the metrics:\n%s", stdout)
	}
	for range 3 {
		if resp, err := http.Get(api + "/health"); err == nil {
			resp.Body.Close()
		}
	}
	resp, err := http.Get(metrics)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `http_requests_total{endpoint="health",error_kind="",status="200"} 3`; !strings.Contains(string(body), want) {
		t.Errorf("the metrics lack %q:\n%s", want, body)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit code %d after an interrupt, want 0; stderr:\n%s", code, stderr)
	}
}

func TestServeAddressInUse(t *testing.T) {
	stdout, _, stop := background(t, "serve", "--addr", "127.0.0.1:0", "--bcrypt-cost", "4")
	_, url, _ := strings.Cut(strings.TrimSpace(waitFor(t, stdout, "\n")), "listening on ")
	defer stop()
	code, _, stderr := run(t, "serve", "--addr", strings.TrimPrefix(url, "http://"), "--bcrypt-cost", "4")
	if code != exitRunFailed || !strings.Contains(stderr, "address already in use") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming the address in use", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := run(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "loadgate ") {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
}
