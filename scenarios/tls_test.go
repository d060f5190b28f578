package scenarios

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestTLSBlock: the tls block's keys as the run gets them, its relative
// paths from the file's directory, its absolute ones as written.
func TestTLSBlock(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), mustReadFile(t, ca.File), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "s.yaml")
	file := "tls:\n  insecure: false\n  ca_cert: ca.pem\n  client_cert: " + client.CertFile + "\n  client_key: " + client.KeyFile +
		"\n  server_name: api.internal\n  min_version: 1.3\nsteps:\n  - {name: a, path: /a}\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	sc, err := LoadFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := runner.TLSOptions{CACert: filepath.Join(dir, "ca.pem"), ClientCert: client.CertFile, ClientKey: client.KeyFile, ServerName: "api.internal", MinVersion: "1.3"}
	if sc.TLS != want {
		t.Errorf("tls %+v, want %+v", sc.TLS, want)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
