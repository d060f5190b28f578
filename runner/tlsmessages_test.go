package runner_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestTLSFailureMessages: a run whose handshakes fail keeps one message per
// reason, of kind tls, that says why in the same words for every
// connection: no current time in an expired certificate's, the names a
// certificate holds when the host is not one, what a server's alert means.
func TestTLSFailureMessages(t *testing.T) {
	ca := testkit.NewCA(t, "corp")
	expiry := time.Now().Add(-time.Hour).Truncate(time.Second)
	cases := []struct {
		name   string
		spec   testkit.CertSpec
		server *tls.Config
		client *tls.Config
		want   string
	}{
		{"expired", testkit.CertSpec{IPs: testkit.Loopback(), NotAfter: expiry}, &tls.Config{}, &tls.Config{},
			"tls: failed to verify certificate: x509: certificate expired at " + expiry.UTC().Format(time.RFC3339)},
		{"another name", testkit.CertSpec{DNSNames: []string{"api.internal", "api2.internal"}}, &tls.Config{}, &tls.Config{},
			"tls: failed to verify certificate: x509: certificate is valid for api.internal, api2.internal, not 127.0.0.1"},
		{"another name and an IP address", testkit.CertSpec{DNSNames: []string{"a.internal", "b.internal", "c.internal"}, IPs: []net.IP{net.IPv4(10, 0, 0, 1)}}, &tls.Config{}, &tls.Config{},
			"tls: failed to verify certificate: x509: certificate is valid for a.internal, b.internal, c.internal, 10.0.0.1, not 127.0.0.1"},
		{"no name", testkit.CertSpec{}, &tls.Config{}, &tls.Config{},
			"tls: failed to verify certificate: x509: certificate names no host (no DNS or IP name), so not 127.0.0.1"},
		{"client certificate required", testkit.CertSpec{IPs: testkit.Loopback()}, &tls.Config{ClientAuth: tls.RequireAnyClientCert}, &tls.Config{},
			"remote error: tls: certificate required (the server requires a client certificate)"},
		{"client certificate required by TLS 1.2", testkit.CertSpec{IPs: testkit.Loopback()}, &tls.Config{ClientAuth: tls.RequireAnyClientCert, MaxVersion: tls.VersionTLS12}, &tls.Config{},
			"remote error: tls: handshake failure (the server refused the handshake: it may need a client certificate, or share no cipher suite with the client)"},
		{"version", testkit.CertSpec{IPs: testkit.Loopback()}, &tls.Config{MaxVersion: tls.VersionTLS12}, &tls.Config{MinVersion: tls.VersionTLS13},
			"remote error: tls: protocol version not supported (no TLS version that both sides accept)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.server.Certificates = []tls.Certificate{ca.Issue(t, "server", c.spec).TLS}
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.TLS = c.server
			srv.StartTLS()
			t.Cleanup(srv.Close)
			target, _ := url.Parse(srv.URL)
			c.client.RootCAs = x509.NewCertPool()
			c.client.RootCAs.AddCert(ca.Cert)
			// Workers at once meet the one certificate crypto/tls keeps per
			// server: its reason must not write into it (a race -race sees
			// with a certificate of 3 DNS names, their slice's capacity 4,
			// and an IP address). A failed handshake makes its worker back
			// off: few iterations each.
			p := plan(target, runner.Load{Concurrency: 8, Iterations: 16}, runner.Step{Name: "get", Method: "GET", Path: "/"})
			p.TLSConfig = c.client
			res := mustRun(t, t.Context(), p)
			got := res.Total.Messages
			if len(got) != 1 || got[0].Kind != runner.TransportTLS || got[0].Count != 16 || got[0].Text != c.want {
				t.Errorf("messages %+v, want the 16 requests of kind tls with %q", got, c.want)
			}
		})
	}
}
