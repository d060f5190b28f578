package scenarios

import (
	"os"
	"path/filepath"
	"strconv"
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

// writeScenario writes a scenario file of text, and returns its path.
func writeScenario(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTLSBlockFilesReadLater: loading a file checks its tls block's shape
// alone, whatever its target; with ReadTLSFiles, its files too, each
// problem at its key, but only when the file's own target is https://, as
// a run without flags would use them.
func TestTLSBlockFilesReadLater(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	other := ca.Issue(t, "other", testkit.CertSpec{Client: true})
	dir := t.TempDir()
	block := "tls:\n  client_key: " + other.KeyFile + "\n  client_cert: " + client.CertFile +
		"\n  ca_cert: missing.pem\nsteps:\n  - {name: a, path: /a}\n"
	path := writeScenario(t, dir, "target: https://127.0.0.1:1\n"+block)
	if _, err := LoadFile(path, Options{}); err != nil {
		t.Errorf("loading: %v", err)
	}
	want := path + ":3:15: tls.client_key " + other.KeyFile + ": the private key does not match the certificate (the certificate: " + client.CertFile + ")\n" +
		path + ":5:12: tls.ca_cert " + filepath.Join(dir, "missing.pem") + ": no such file or directory"
	if _, err := LoadFile(path, Options{ReadTLSFiles: true}); err == nil || err.Error() != want {
		t.Errorf("loading, reading the files: %v\nwant:\n%s", err, want)
	}
	for _, unused := range []string{"target: http://127.0.0.1:1\n", "# no target: the embedded API\n"} {
		path := writeScenario(t, dir, unused+block)
		if _, err := LoadFile(path, Options{ReadTLSFiles: true}); err != nil {
			t.Errorf("%sloading, reading the files of a block not used: %v", unused, err)
		}
	}

	path = writeScenario(t, dir, "tls:\n  client_cert: c.pem\n  server_name: api.internal:443\n  min_version: 1.1\nsteps:\n  - {name: a, path: /a}\n")
	_, err := LoadFile(path, Options{})
	want = path + ":2:16: tls.client_cert needs tls.client_key, the certificate's private key\n" +
		path + `:3:16: tls.server_name "api.internal:443" is not a host name or IP address: a port goes in the target's URL, not in the server name` + "\n" +
		path + `:4:16: tls.min_version "1.1" is not a TLS version loadgate accepts: 1.2 or 1.3`
	if err == nil || err.Error() != want {
		t.Errorf("loading: %v\nwant:\n%s", err, want)
	}
}

// TestTLSBlockEveryProblem: a block's problems of shape (a wrong type, an
// unknown key) do not hide the others.
func TestTLSBlockEveryProblem(t *testing.T) {
	path := writeScenario(t, t.TempDir(), `target: https://127.0.0.1:1
tls:
  insecure: yes
  ca_certs: ca.pem
  client_cert: c.pem
  server_name: api.internal:443
  min_version: 1.1
steps: [{name: a, path: /a}]
`)
	want := path + `:3:13: tls.insecure must be true or false, not the string "yes"` + "\n" +
		path + `:4:3: unknown key "ca_certs" in tls; known keys are insecure, ca_cert, client_cert, client_key, server_name, min_version` + "\n" +
		path + ":5:16: tls.client_cert needs tls.client_key, the certificate's private key\n" +
		path + `:6:16: tls.server_name "api.internal:443" is not a host name or IP address: a port goes in the target's URL, not in the server name` + "\n" +
		path + `:7:16: tls.min_version "1.1" is not a TLS version loadgate accepts: 1.2 or 1.3`
	for _, opts := range []Options{{}, {ReadTLSFiles: true}} {
		if _, err := LoadFile(path, opts); err == nil || err.Error() != want {
			t.Errorf("%+v: %v\nwant:\n%s", opts, err, want)
		}
	}
}

// TestTLSBlockEmptyKey: a key given empty is refused as the flag given
// empty is, not taken as left out; a half of the client pair given empty
// is that problem alone.
func TestTLSBlockEmptyKey(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ key, takes string }{
		{"ca_cert", "a PEM file of certificates"},
		{"client_cert", "a PEM certificate file"},
		{"client_key", "a PEM private key file"},
		{"server_name", "a host name or IP address"},
		{"min_version", "1.2 or 1.3"},
	} {
		path := writeScenario(t, dir, "tls:\n  "+c.key+": \"\"\nsteps: [{name: a, path: /a}]\n")
		want := path + ":2:" + strconv.Itoa(len(c.key)+5) + ": tls." + c.key + " is empty: give " + c.takes + ", or remove the key"
		if _, err := LoadFile(path, Options{}); err == nil || err.Error() != want {
			t.Errorf("%s: %v\nwant: %s", c.key, err, want)
		}
	}
	path := writeScenario(t, dir, "tls: {client_cert: c.pem, client_key: \"\"}\nsteps: [{name: a, path: /a}]\n")
	want := path + ":1:39: tls.client_key is empty: give a PEM private key file, or remove the key"
	if _, err := LoadFile(path, Options{}); err == nil || err.Error() != want {
		t.Errorf("the pair: %v\nwant: %s", err, want)
	}
}
