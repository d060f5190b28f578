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

// TestTLSBlockFilesReadLater: loading a file checks its tls block's shape
// alone, whatever its target; with ReadTLSFiles, its files too, each
// problem at its key.
func TestTLSBlockFilesReadLater(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	other := ca.Issue(t, "other", testkit.CertSpec{Client: true})
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	file := "target: http://127.0.0.1:1\ntls:\n  client_key: " + other.KeyFile + "\n  client_cert: " + client.CertFile +
		"\n  ca_cert: missing.pem\nsteps:\n  - {name: a, path: /a}\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path, Options{}); err != nil {
		t.Errorf("loading: %v", err)
	}
	want := path + ":3:15: tls.client_key " + other.KeyFile + ": the private key does not match the certificate (the certificate: " + client.CertFile + ")\n" +
		path + ":5:12: tls.ca_cert " + filepath.Join(dir, "missing.pem") + ": no such file or directory"
	if _, err := LoadFile(path, Options{ReadTLSFiles: true}); err == nil || err.Error() != want {
		t.Errorf("loading, reading the files: %v\nwant:\n%s", err, want)
	}

	file = "tls:\n  client_cert: c.pem\n  server_name: api.internal:443\n  min_version: 1.1\nsteps:\n  - {name: a, path: /a}\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(path, Options{})
	want = path + ":2:16: tls.client_cert needs tls.client_key, the certificate's private key\n" +
		path + `:3:16: tls.server_name "api.internal:443" is not a host name or IP address: a port goes in the target's URL, not in the server name` + "\n" +
		path + `:4:16: tls.min_version "1.1" is not a TLS version loadgate accepts: 1.2 or 1.3`
	if err == nil || err.Error() != want {
		t.Errorf("loading: %v\nwant:\n%s", err, want)
	}
}
