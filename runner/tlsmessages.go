package runner

import (
	"crypto/x509"
	"errors"
	"net"
	"slices"
	"strings"
	"time"
)

// verifyFailed starts crypto/tls's message for a certificate it refused.
const verifyFailed = "tls: failed to verify certificate: "

// remoteAlertHints say what a TLS alert from the server most often means,
// by crypto/tls's text for it.
var remoteAlertHints = map[string]string{
	"tls: certificate required":           "the server requires a client certificate",
	"tls: bad certificate":                "the server refused the client certificate, or its lack of one",
	"tls: certificate unknown":            "the server refused the client certificate",
	"tls: unknown certificate authority":  "the server does not trust the client certificate's issuer",
	"tls: certificate expired":            "the server finds the client certificate expired",
	"tls: protocol version not supported": "no TLS version that both sides accept",
	"tls: handshake failure":              "the server refused the handshake: it may need a client certificate, or share no cipher suite with the client",
	"tls: unrecognized name":              "the server has no certificate for the name sent in SNI",
	"tls: no application protocol":        "the server speaks none of the protocols offered by ALPN: HTTP/2 alone, or HTTP/1.1 alone",
}

// tlsReason returns, for a TLS failure whose text crypto/tls words poorly
// for a summary, a text that says why and is the same for every connection
// that fails the same way: an expired certificate's text without the
// current time, a wrong host name with the names the certificate holds,
// an alert from the server with what it most often means. ok is false for
// any other error.
func tlsReason(err error) (text string, ok bool) {
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var remote *net.OpError
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert != nil:
		if time.Now().Before(invalid.Cert.NotBefore) {
			return verifyFailed + "x509: certificate is not valid before " + invalid.Cert.NotBefore.UTC().Format(time.RFC3339), true
		}
		return verifyFailed + "x509: certificate expired at " + invalid.Cert.NotAfter.UTC().Format(time.RFC3339), true
	case errors.As(err, &hostname) && hostname.Certificate != nil:
		// The certificate is shared by every connection to the server:
		// names is a slice of its own, never an append to DNSNames.
		names := slices.Clone(hostname.Certificate.DNSNames)
		for _, ip := range hostname.Certificate.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 {
			return verifyFailed + "x509: certificate names no host (no DNS or IP name), so not " + hostname.Host, true
		}
		return verifyFailed + "x509: certificate is valid for " + strings.Join(names, ", ") + ", not " + hostname.Host, true
	case isRemoteAlert(err, &remote):
		if hint, ok := remoteAlertHints[remote.Err.Error()]; ok {
			return remote.Error() + " (" + hint + ")", true
		}
	}
	return "", false
}

// isRemoteAlert reports whether err is a TLS alert the server sent, and
// sets *remote to it.
func isRemoteAlert(err error, remote **net.OpError) bool {
	return errors.As(err, remote) && (*remote).Op == "remote error"
}
