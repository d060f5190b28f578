package runner_test

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestTLSOptionsConfig: the settings TLSOptions make carry a run to a
// server of a private CA, known by another name than its address, that
// asks for a client certificate and TLS 1.3; and each of them is needed.
func TestTLSOptionsConfig(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{DNSNames: []string{"api.internal"}})
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{server.TLS},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
		MinVersion:   tls.VersionTLS13,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	all := runner.TLSOptions{CACert: ca.File, ClientCert: client.CertFile, ClientKey: client.KeyFile, ServerName: "api.internal", MinVersion: "1.3"}
	for name, opts := range map[string]runner.TLSOptions{
		"all":                 all,
		"without the CA":      {ClientCert: client.CertFile, ClientKey: client.KeyFile, ServerName: "api.internal"},
		"without the client":  {CACert: ca.File, ServerName: "api.internal"},
		"without the name":    {CACert: ca.File, ClientCert: client.CertFile, ClientKey: client.KeyFile},
		"insecure, no name":   {Insecure: true, ClientCert: client.CertFile, ClientKey: client.KeyFile},
		"insecure, no client": {Insecure: true},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, problems := opts.Config(func(f runner.TLSField) string { return string(f) })
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			if cfg.NextProtos != nil || cfg.ClientSessionCache != nil {
				t.Errorf("the options set NextProtos %v or a session cache", cfg.NextProtos)
			}
			p := plan(target, runner.Load{Concurrency: 1, Iterations: 2}, runner.Step{Name: "get", Method: "GET", Path: "/"})
			p.TLSConfig = cfg
			res := mustRun(t, t.Context(), p)
			wantOK := name == "all" || name == "insecure, no name"
			if ok := res.Total.OK() == 2; ok != wantOK {
				t.Errorf("%d of 2 requests ok, want all %v: %+v", res.Total.OK(), wantOK, res.Total.Messages)
			}
			if res.TLSUnverified != opts.Insecure {
				t.Errorf("the result's TLSUnverified is %v, the options' Insecure %v", res.TLSUnverified, opts.Insecure)
			}
		})
	}
}

// TestTLSOptionsProblems: each problem names the setting and the file.
func TestTLSOptionsProblems(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	client := ca.Issue(t, "client", testkit.CertSpec{Client: true})
	opts := runner.TLSOptions{CACert: client.KeyFile, ClientCert: client.CertFile, ServerName: "a b", MinVersion: "1.0"}
	cfg, problems := opts.Config(func(f runner.TLSField) string { return "<" + string(f) + ">" })
	var got []string
	for _, p := range problems {
		got = append(got, string(p.Field)+": "+p.Message)
	}
	want := []string{
		"ca_cert: <ca_cert> " + client.KeyFile + ": no PEM certificate in the file (one starts with -----BEGIN CERTIFICATE-----)",
		"client_cert: <client_cert> needs <client_key>, the certificate's private key",
		`server_name: <server_name> "a b" is not a host name or IP address: it has a space, a control character or URL punctuation`,
		`min_version: <min_version> "1.0" is not a TLS version loadgate accepts: 1.2 or 1.3`,
	}
	if cfg != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("config %v, problems:\n%s\nwant:\n%s", cfg, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if cfg, problems := (runner.TLSOptions{}).Config(func(f runner.TLSField) string { return string(f) }); cfg != nil || problems != nil {
		t.Errorf("the zero options give %v, %v; want the defaults (nil)", cfg, problems)
	}
}

// TestTLSServerNames: a server name is a host name or an IP address as it
// is; with a port or in brackets, every handshake would fail on the name.
func TestTLSServerNames(t *testing.T) {
	for name, want := range map[string]string{
		"api.internal":     "",
		"127.0.0.1":        "",
		"::1":              "",
		"fe80::1":          "",
		"api.internal:443": `"api.internal:443" is not a host name or IP address: a port goes in the target's URL, not in the server name`,
		"127.0.0.1:8443":   `"127.0.0.1:8443" is not a host name or IP address: a port goes in the target's URL, not in the server name`,
		"[::1]":            `"[::1]" is not a host name or IP address: give an IPv6 address without brackets`,
		"[::1]:443":        `"[::1]:443" is not a host name or IP address: give an IPv6 address without brackets`,
		"api/v1":           `"api/v1" is not a host name or IP address: it has a space, a control character or URL punctuation`,
	} {
		var got string
		for _, p := range (runner.TLSOptions{ServerName: name}).Check(func(runner.TLSField) string { return "--server-name" }) {
			got += p.Message
		}
		if want != "" {
			want = "--server-name " + want
		}
		if got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestTLSConfigStaysAsGiven: a run and a client of UseTLSConfig leave the
// caller's config as it was (net/http adds its protocols to the config it
// has), so that one config serves a run's setup and its load.
func TestTLSConfigStaysAsGiven(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	server := ca.Issue(t, "server", testkit.CertSpec{IPs: testkit.Loopback()})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{server.TLS}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	config := func() *tls.Config {
		cfg, problems := runner.TLSOptions{CACert: ca.File}.Config(func(f runner.TLSField) string { return string(f) })
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		return cfg
	}
	unchanged := func(cfg *tls.Config, after string) {
		t.Helper()
		if cfg.NextProtos != nil || cfg.ClientSessionCache != nil {
			t.Errorf("after %s, the config has NextProtos %q, session cache %v; want neither", after, cfg.NextProtos, cfg.ClientSessionCache)
		}
	}

	cfg := config()
	client := runner.NewClient(1, 10*time.Second)
	runner.UseTLSConfig(client, cfg)
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	client.CloseIdleConnections()
	unchanged(cfg, "a client's request")

	p := plan(target, runner.Load{Concurrency: 1, Iterations: 2}, runner.Step{Name: "get", Method: "GET", Path: "/"})
	p.TLSConfig = config()
	if res := mustRun(t, t.Context(), p); res.Total.OK() != 2 {
		t.Fatalf("%d of 2 requests ok: %+v", res.Total.OK(), res.Total.Messages)
	}
	unchanged(p.TLSConfig, "a run")
}
