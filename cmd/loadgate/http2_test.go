package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestHTTP2Flag: with --http2 (or a file's http2: true, which
// --http2=false overrides) a run speaks h2c to an http:// server that
// speaks nothing else, and the embedded API, and says how many streams
// each connection carried; the result file says http2 and counts the
// connections. Without it, the run is HTTP/1.1 and says how many requests
// each connection carried.
func TestHTTP2Flag(t *testing.T) {
	var h2 atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			h2.Add(1)
		}
		io.WriteString(w, "ok")
	}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	dir := t.TempDir()
	file := writeFile(t, dir, "get.yaml", "steps:\n  - {name: get, path: /}\n")
	out := filepath.Join(dir, "r.json")
	code, stdout, stderr := run(t, "run", file, "--target", srv.URL, "-n", "40", "-c", "4", "--http2", "--out", out)
	if code != exitOK || h2.Load() != 40 {
		t.Fatalf("exit %d, %d requests over HTTP/2; want 0 and 40\nstdout:\n%s\nstderr:\n%s", code, h2.Load(), stdout, stderr)
	}
	if !strings.Contains(strings.Join(strings.Fields(stdout), " "), "for 40 requests over HTTP/2: ") {
		t.Errorf("the summary does not give the streams per connection:\n%s", stdout)
	}
	var result struct {
		HTTP2  bool `json:"http2"`
		Totals struct {
			Connections struct {
				Made int64 `json:"made"`
			} `json:"connections"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(mustRead(t, out), &result); err != nil || !result.HTTP2 || result.Totals.Connections.Made < 1 || result.Totals.Connections.Made > 4 {
		t.Errorf("result file: %v, http2 %v, %d connections made; want http2 over 1 to 4", err, result.HTTP2, result.Totals.Connections.Made)
	}

	h2.Store(0)
	fileH2 := writeFile(t, dir, "get-h2.yaml", "http2: true\nsteps:\n  - {name: get, path: /}\n")
	if code, stdout, stderr := run(t, "run", fileH2, "--target", srv.URL, "-n", "5"); code != exitOK || h2.Load() != 5 {
		t.Errorf("a file's http2: exit %d, %d requests over HTTP/2; want 0 and 5\nstdout:\n%s\nstderr:\n%s", code, h2.Load(), stdout, stderr)
	}
	if _, stdout, _ := run(t, "run", fileH2, "--target", srv.URL, "-n", "5", "--http2=false"); h2.Load() != 5 || strings.Contains(stdout, "HTTP/2") {
		t.Errorf("--http2=false over a file's http2: %d requests over HTTP/2, want none more\nstdout:\n%s", h2.Load()-5, stdout)
	}

	code, stdout, stderr = run(t, "smoke", "--bcrypt-cost", "4", "--pause", "0", "--http2")
	if code != exitOK || !strings.Contains(stdout, "over HTTP/2") {
		t.Errorf("smoke --http2 against the embedded API: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "smoke", "--bcrypt-cost", "4", "--pause", "0")
	if code != exitOK || !strings.Contains(strings.Join(strings.Fields(stdout), " "), "conns 1 made for 10 requests that reached the server: 10.0 requests per connection") {
		t.Errorf("smoke over HTTP/1.1: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestHTTP2Setup: with --http2, the setup requests (registering users) go
// over HTTP/2 too, so that a scenario with setup runs against a target
// that speaks h2c alone.
func TestHTTP2Setup(t *testing.T) {
	var registered, logins atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.ProtoMajor != 2:
			w.WriteHeader(http.StatusHTTPVersionNotSupported)
		case r.URL.Path == "/api/auth/register":
			registered.Add(1)
			w.WriteHeader(http.StatusCreated)
		default:
			logins.Add(1)
		}
	}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	file := writeFile(t, t.TempDir(), "setup.yaml", "users:\n  register: {count: 3}\nsteps:\n  - {name: login, method: POST, path: /login, body: {u: \"{{user.username}}\"}}\n")
	code, stdout, stderr := run(t, "run", file, "--target", srv.URL, "-n", "6", "--http2")
	if code != exitOK || registered.Load() != 3 || logins.Load() != 6 {
		t.Errorf("exit %d, %d registered, %d logins over HTTP/2; want 0, 3 and 6\nstdout:\n%s\nstderr:\n%s", code, registered.Load(), logins.Load(), stdout, stderr)
	}
}
