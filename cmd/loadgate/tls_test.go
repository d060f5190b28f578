package main

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
)

// tlsTarget starts an HTTPS server on 127.0.0.1 that answers every request
// with 200 "ok", set up by cfg (its certificate included), until the test
// ends. It returns its URL.
func tlsTarget(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // its complaint about each refused handshake
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// getFile writes a scenario file that GETs / once per iteration, with
// extra (YAML) at its top, to dir.
func getFile(t *testing.T, dir, extra string) string {
	t.Helper()
	return writeFile(t, dir, "get.yaml", extra+"steps:\n  - {name: get, path: /}\n")
}

// runTLS runs the file against target with args besides, judged by
// errors==0, and returns the exit code, the summary with its runs of
// spaces made one, and stderr.
func runTLS(t *testing.T, file, target string, more ...string) (code int, summary, stderr string) {
	t.Helper()
	code, stdout, stderr := run(t, append([]string{"run", file, "--target", target, "-n", "3", "--timeout", "20s", "--slo", "errors==0"}, more...)...)
	if code == exitUsage || code == exitRunFailed {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	return code, strings.Join(strings.Fields(stdout), " "), stderr
}

// wantReason checks that a run failed each of its 3 requests for reason,
// counted as one message.
func wantReason(t *testing.T, code int, summary, reason string) {
	t.Helper()
	if code != exitSLOFailed || !strings.Contains(summary, "why 3 transport/tls: "+reason) {
		t.Errorf("exit %d, want 3 with the 3 requests failed for %q:\n%s", code, reason, summary)
	}
}

// wantPass checks that a run passed.
func wantPass(t *testing.T, code int, summary, stderr string) {
	t.Helper()
	if code != exitOK {
		t.Errorf("exit %d, want 0:\n%s\n%s", code, summary, stderr)
	}
}

func TestTLSPrivateCA(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{IPs: testkit.Loopback()})
	target := tlsTarget(t, &tls.Config{Certificates: []tls.Certificate{server.TLS}})
	file := getFile(t, t.TempDir(), "")

	code, summary, _ := runTLS(t, file, target)
	wantReason(t, code, summary, "tls: failed to verify certificate: x509: certificate signed by unknown authority")

	code, summary, stderr := runTLS(t, file, target, "--ca-cert", ca.File)
	wantPass(t, code, summary, stderr)
	if stderr != "" {
		t.Errorf("stderr with --ca-cert: %q", stderr)
	}

	for _, flag := range []string{"--insecure", "-k"} {
		code, summary, stderr = runTLS(t, file, target, flag)
		wantPass(t, code, summary, stderr)
		if stderr != "warning: --insecure: the target's certificate is not verified\n" {
			t.Errorf("%s: stderr %q, want the one warning", flag, stderr)
		}
		if !strings.Contains(summary, "warning: the target's certificate was not verified (insecure TLS)") {
			t.Errorf("%s: the summary does not say the certificate was not verified:\n%s", flag, summary)
		}
	}
}

func TestTLSClientCertificate(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{IPs: testkit.Loopback()})
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	target := tlsTarget(t, &tls.Config{
		Certificates: []tls.Certificate{server.TLS},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
	})
	file := getFile(t, t.TempDir(), "")

	code, summary, _ := runTLS(t, file, target, "--ca-cert", ca.File)
	wantReason(t, code, summary, "remote error: tls: certificate required (the server requires a client certificate)")

	code, summary, stderr := runTLS(t, file, target, "--ca-cert", ca.File, "--client-cert", client.CertFile, "--client-key", client.KeyFile)
	wantPass(t, code, summary, stderr)
}

func TestTLSExpiredCertificate(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	expiry := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	server := ca.Issue(t, "server", testkit.CertSpec{IPs: testkit.Loopback(), NotAfter: expiry})
	target := tlsTarget(t, &tls.Config{Certificates: []tls.Certificate{server.TLS}})

	code, summary, _ := runTLS(t, getFile(t, t.TempDir(), ""), target, "--ca-cert", ca.File)
	wantReason(t, code, summary, "tls: failed to verify certificate: x509: certificate expired at "+expiry.UTC().Format(time.RFC3339))
}

func TestTLSWrongHostName(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{DNSNames: []string{"api.internal"}})
	target := tlsTarget(t, &tls.Config{Certificates: []tls.Certificate{server.TLS}})
	file := getFile(t, t.TempDir(), "")

	code, summary, _ := runTLS(t, file, target, "--ca-cert", ca.File)
	wantReason(t, code, summary, "tls: failed to verify certificate: x509: certificate is valid for api.internal, not 127.0.0.1")

	code, summary, stderr := runTLS(t, file, target, "--ca-cert", ca.File, "--server-name", "api.internal")
	wantPass(t, code, summary, stderr)
}

func TestTLSMinimumVersion(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{IPs: testkit.Loopback()})
	target := tlsTarget(t, &tls.Config{Certificates: []tls.Certificate{server.TLS}, MaxVersion: tls.VersionTLS12})
	file := getFile(t, t.TempDir(), "")

	code, summary, stderr := runTLS(t, file, target, "--ca-cert", ca.File, "--tls-min", "1.2")
	wantPass(t, code, summary, stderr)

	code, summary, _ = runTLS(t, file, target, "--ca-cert", ca.File, "--tls-min", "1.3")
	wantReason(t, code, summary, "remote error: tls: protocol version not supported (no TLS version that both sides accept)")
}

// copyFile copies the file at from into dir, and returns its base name.
func copyFile(t *testing.T, from, dir string) string {
	t.Helper()
	writeFile(t, dir, filepath.Base(from), string(mustRead(t, from)))
	return filepath.Base(from)
}

// TestTLSScenarioBlock: a file's tls block does what the flags do, its
// paths relative to the file, and a flag replaces its key alone.
func TestTLSScenarioBlock(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{DNSNames: []string{"api.internal"}})
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	target := tlsTarget(t, &tls.Config{
		Certificates: []tls.Certificate{server.TLS},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
	})
	dir := t.TempDir()
	block := "tls:\n  ca_cert: " + copyFile(t, ca.File, dir) +
		"\n  client_cert: " + copyFile(t, client.CertFile, dir) +
		"\n  client_key: " + copyFile(t, client.KeyFile, dir) +
		"\n  server_name: other.internal\n  min_version: 1.3\n"
	file := getFile(t, dir, block)

	code, summary, _ := runTLS(t, file, target)
	wantReason(t, code, summary, "tls: failed to verify certificate: x509: certificate is valid for api.internal, not other.internal")

	code, summary, stderr := runTLS(t, file, target, "--server-name", "api.internal")
	wantPass(t, code, summary, stderr)

	insecure := getFile(t, dir, "tls: {insecure: true, client_cert: client.pem, client_key: client-key.pem}\n")
	code, summary, stderr = runTLS(t, insecure, target)
	wantPass(t, code, summary, stderr)
	if stderr != "warning: tls.insecure: the target's certificate is not verified\n" {
		t.Errorf("stderr %q, want the one warning", stderr)
	}

	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	code, summary, stderr = runTLS(t, insecure, plain.URL)
	wantPass(t, code, summary, stderr)
	if want := "warning: tls block of " + insecure + " not used: the target " + plain.URL + " is plain HTTP\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}

// TestTLSSetup: the setup requests that register a run's users go with the
// run's TLS options too.
func TestTLSSetup(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{IPs: testkit.Loopback()})
	target := tlsTarget(t, &tls.Config{Certificates: []tls.Certificate{server.TLS}})
	file := getFile(t, t.TempDir(), "users: {register: {count: 2}}\n")
	args := []string{"run", file, "--target", target, "-n", "2", "--slo", "errors==0"}

	code, stdout, stderr := run(t, args...)
	if want := "x509: certificate signed by unknown authority"; code != exitRunFailed || !strings.Contains(stderr, "setup failed") || !strings.Contains(stderr, want) {
		t.Errorf("without --ca-cert: exit %d, stderr %q; want 1 and the setup's failure: %s\n%s", code, stderr, want, stdout)
	}
	code, stdout, stderr = run(t, append(args, "--ca-cert", ca.File)...)
	if code != exitOK {
		t.Errorf("with --ca-cert: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestTLSScenarioBlockProblems(t *testing.T) {
	dir := t.TempDir()
	ca := testkit.NewCA(t, "corp")
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	other := ca.Issue(t, "other", testkit.CertSpec{Client: true})
	copyFile(t, client.CertFile, dir)
	copyFile(t, other.KeyFile, dir)
	file := writeFile(t, dir, "bad.yaml", `target: http://127.0.0.1:1
tls:
  insecure: yes please
  ca_cert: missing.pem
  client_cert: client.pem
  client_key: other-key.pem
  min_version: 1.1
  sni: x
steps: [{name: get, path: /}]
`)
	code, stdout, stderr := run(t, "validate", file)
	want := []string{
		file + ":3:13: tls.insecure must be true or false, not the string \"yes please\"",
		file + ":7:16: tls.min_version \"1.1\" is not a TLS version loadgate accepts: 1.2 or 1.3",
		file + ":8:3: unknown key \"sni\" in tls; known keys are insecure, ca_cert, client_cert, client_key, server_name, min_version",
	}
	if code != exitUsage || stdout != "" || stderr != strings.Join(want, "\n")+"\n" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and:\n%s", code, stdout, stderr, strings.Join(want, "\n"))
	}

	file = writeFile(t, dir, "bad.yaml", `target: https://127.0.0.1:1
tls:
  ca_cert: missing.pem
  client_cert: client.pem
  client_key: other-key.pem
  min_version: 1.1
steps: [{name: get, path: /}]
`)
	code, stdout, stderr = run(t, "validate", file)
	want = []string{
		file + ":3:12: tls.ca_cert " + filepath.Join(dir, "missing.pem") + ": no such file or directory",
		file + ":5:15: tls.client_key " + filepath.Join(dir, "other-key.pem") + ": the private key does not match the certificate (the certificate: " + filepath.Join(dir, "client.pem") + ")",
		file + ":6:16: tls.min_version \"1.1\" is not a TLS version loadgate accepts: 1.2 or 1.3",
	}
	if code != exitUsage || stdout != "" || stderr != strings.Join(want, "\n")+"\n" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and:\n%s", code, stdout, stderr, strings.Join(want, "\n"))
	}
}

// TestTLSBlockUnusedValidateAgreesWithRun: a tls block that a run would
// not use (a file without a target, or with a plain one) is not read by
// `validate` either: both warn the same way and pass.
func TestTLSBlockUnusedValidateAgreesWithRun(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	dir := t.TempDir()
	block := "tls: {ca_cert: certs/nope.pem}\n"
	for _, c := range []struct{ name, target, why string }{
		{"no target", "", "the target is the embedded reference API, plain http://"},
		{"plain target", "target: " + plain.URL + "\n", "the target " + plain.URL + " is plain HTTP"},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := getFile(t, dir, c.target+block)
			want := "warning: tls block of " + file + " not used: " + c.why + "\n"
			code, stdout, stderr := run(t, "validate", file)
			if code != exitOK || !strings.HasPrefix(stdout, file+": valid:") || stderr != want {
				t.Errorf("validate: exit %d, stdout %q, stderr %q; want 0, valid, and %q", code, stdout, stderr, want)
			}
			code, stdout, stderr = run(t, "run", file, "-n", "1")
			if code != exitOK || !strings.HasPrefix(stderr, want) {
				t.Errorf("run: exit %d, stderr %q; want 0 and %q\n%s", code, stderr, want, stdout)
			}
		})
	}
}

// TestTLSOptionsCheckedBeforeSending: each bad TLS option is a usage error
// naming the flag, the file and the problem, and nothing is sent.
func TestTLSOptionsCheckedBeforeSending(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	other := ca.Issue(t, "other", testkit.CertSpec{Client: true})
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	garbage := writeFile(t, dir, "garbage.pem", "not a certificate\n")
	broken := writeFile(t, dir, "broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	sent := make(chan struct{}, 100)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { sent <- struct{}{} }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { sent <- struct{}{} }))
	t.Cleanup(plain.Close)
	file := getFile(t, dir, "")

	cases := []struct {
		name   string
		target string
		args   []string
		want   string
	}{
		{"missing CA file", srv.URL, []string{"--ca-cert", missing}, "--ca-cert " + missing + ": no such file or directory"},
		{"CA file without a certificate", srv.URL, []string{"--ca-cert", client.KeyFile}, "--ca-cert " + client.KeyFile + ": no PEM certificate in the file"},
		{"CA file of text", srv.URL, []string{"--ca-cert", garbage}, "--ca-cert " + garbage + ": no PEM certificate in the file"},
		{"CA file with a broken certificate", srv.URL, []string{"--ca-cert", broken}, "--ca-cert " + broken + ": PEM block 1 is not a certificate that can be read"},
		{"CA file is a directory", srv.URL, []string{"--ca-cert", dir}, "--ca-cert " + dir + ": is a directory"},
		{"client certificate alone", srv.URL, []string{"--client-cert", client.CertFile}, "--client-cert needs --client-key, the certificate's private key"},
		{"client key alone", srv.URL, []string{"--client-key", client.KeyFile}, "--client-key needs --client-cert, the certificate the key goes with"},
		{"missing client certificate", srv.URL, []string{"--client-cert", missing, "--client-key", client.KeyFile}, "--client-cert " + missing + ": no such file or directory"},
		{"client certificate of a key", srv.URL, []string{"--client-cert", client.KeyFile, "--client-key", client.KeyFile}, "--client-cert " + client.KeyFile + ": no PEM certificate in the file"},
		{"missing client key", srv.URL, []string{"--client-cert", client.CertFile, "--client-key", missing}, "--client-key " + missing + ": no such file or directory"},
		{"client key of a certificate", srv.URL, []string{"--client-cert", client.CertFile, "--client-key", client.CertFile}, "--client-key " + client.CertFile + ": no PEM private key in the file"},
		{"key of another certificate", srv.URL, []string{"--client-cert", client.CertFile, "--client-key", other.KeyFile},
			"--client-key " + other.KeyFile + ": the private key does not match the certificate (the certificate: " + client.CertFile + ")"},
		{"TLS 1.1", srv.URL, []string{"--tls-min", "1.1"}, `--tls-min "1.1" is not a TLS version loadgate accepts: 1.2 or 1.3`},
		{"TLS version without a point", srv.URL, []string{"--tls-min", "13"}, `--tls-min "13" is not a TLS version loadgate accepts: 1.2 or 1.3`},
		{"server name with a space", srv.URL, []string{"--server-name", "api internal"}, `--server-name "api internal" is not a host name or IP address`},
		{"server name with a port", srv.URL, []string{"--server-name", "api.internal:443"}, `--server-name "api.internal:443" is not a host name or IP address: a port goes in the target's URL, not in the server name`},
		{"server name in brackets", srv.URL, []string{"--server-name", "[::1]"}, `--server-name "[::1]" is not a host name or IP address: give an IPv6 address without brackets`},
		{"empty server name", srv.URL, []string{"--server-name="}, "--server-name is empty: give a host name or IP address, or leave the flag out (to drop the scenario file's tls.server_name, remove it from the file)"},
		{"empty CA file", srv.URL, []string{"--ca-cert="}, "--ca-cert is empty: give a PEM file of certificates, or leave the flag out (to drop the scenario file's tls.ca_cert, remove it from the file)"},
		{"empty client key", srv.URL, []string{"--client-cert", client.CertFile, "--client-key="}, "--client-key is empty: give a PEM private key file, or leave the flag out"},
		{"empty TLS version", srv.URL, []string{"--tls-min", ""}, "--tls-min is empty: give 1.2 or 1.3, or leave the flag out"},
		{"CA for a plain target", plain.URL, []string{"--ca-cert", ca.File}, "--ca-cert applies to an https:// target; the target " + plain.URL + " is plain HTTP"},
		{"insecure for a plain target", plain.URL, []string{"-k"}, "--insecure applies to an https:// target; the target " + plain.URL + " is plain HTTP"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"run", file, "--target", c.target, "-n", "1"}, c.args...)...)
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, c.want)
			}
		})
	}
	code, _, stderr := run(t, "smoke", "--ca-cert", ca.File)
	if want := "--ca-cert applies to an https:// target; the target is the embedded reference API, plain http://"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("smoke --ca-cert: exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
	if len(sent) > 0 {
		t.Errorf("%d requests were sent", len(sent))
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("the missing file exists")
	}
}

// TestTLSFlagsOverFileKeys: a run reads the TLS files once its flags
// apply, and applies the rule of a plain target to the options it ends
// with: a flag replaces a file's key that names a missing file, a plain
// --target leaves the file's block unused, an https:// --target uses the
// block of a file whose own target is plain.
func TestTLSFlagsOverFileKeys(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{IPs: testkit.Loopback()})
	target := tlsTarget(t, &tls.Config{Certificates: []tls.Certificate{server.TLS}})
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	dir := t.TempDir()
	missing := getFile(t, dir, "tls: {ca_cert: "+filepath.Join(dir, "missing.pem")+"}\n")

	code, summary, stderr := runTLS(t, missing, target, "--ca-cert", ca.File)
	wantPass(t, code, summary, stderr)

	code, summary, stderr = runTLS(t, missing, plain.URL)
	wantPass(t, code, summary, stderr)
	if want := "warning: tls block of " + missing + " not used: the target " + plain.URL + " is plain HTTP\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}

	plainInFile := getFile(t, t.TempDir(), "target: "+plain.URL+"\ntls: {ca_cert: "+ca.File+"}\n")
	code, summary, stderr = runTLS(t, plainInFile, target)
	wantPass(t, code, summary, stderr)

	code, stdout, stderr := run(t, "run", missing, "-n", "1")
	if want := "warning: tls block of " + missing + " not used: the target is the embedded reference API, plain http://\n"; code == exitUsage || !strings.HasPrefix(stderr, want) {
		t.Errorf("against the embedded API: exit %d, stderr %q, want the run and %q first\n%s", code, stderr, want, stdout)
	}
}

// TestTLSClientPairFlags: --client-cert and --client-key replace the
// file's pair together; one of them alone is a usage error saying the
// other is needed.
func TestTLSClientPairFlags(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{IPs: testkit.Loopback()})
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	other := ca.Issue(t, "other", testkit.CertSpec{Client: true})
	target := tlsTarget(t, &tls.Config{
		Certificates: []tls.Certificate{server.TLS},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
	})
	file := getFile(t, t.TempDir(), "tls: {ca_cert: "+ca.File+", client_cert: "+client.CertFile+", client_key: "+client.KeyFile+"}\n")

	code, summary, stderr := runTLS(t, file, target, "--client-cert", other.CertFile, "--client-key", other.KeyFile)
	wantPass(t, code, summary, stderr)

	for flag, want := range map[string]string{
		"--client-cert": "--client-cert needs --client-key, the certificate's private key\n",
		"--client-key":  "--client-key needs --client-cert, the certificate the key goes with\n",
	} {
		code, stdout, stderr := run(t, "run", file, "--target", target, "-n", "1", flag, other.CertFile)
		if code != exitUsage || stdout != "" || !strings.HasSuffix(stderr, want) {
			t.Errorf("%s alone: exit %d, stdout %q, stderr %q; want exit 2 and %q", flag, code, stdout, stderr, want)
		}
	}
}
