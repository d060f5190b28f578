package runner

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"
)

// TransportKind breaks down the requests that got no HTTP response.
type TransportKind uint8

const (
	TransportTimeout  TransportKind = iota // the per-request timeout, or a dial or read timeout
	TransportRefused                       // connection refused
	TransportReset                         // connection reset or closed mid-exchange
	TransportDNS                           // the host name did not resolve
	TransportTLS                           // TLS handshake or certificate failure
	TransportOther                         // anything else
	NumTransportKinds = iota
)

var transportNames = [NumTransportKinds]string{"timeout", "refused", "reset", "dns", "tls", "other"}

// String returns the kind's name as reports and the result JSON spell it.
func (k TransportKind) String() string { return transportNames[k] }

// netHTTPCauses are net/http's errors that keep no type of their own, by
// text, with the kind of their cause.
var netHTTPCauses = map[string]TransportKind{
	"http: server closed idle connection":             TransportReset, // the server closed a kept connection before answering
	"http: server gave HTTP response to HTTPS client": TransportTLS,   // the server does not speak TLS
}

// transportKind classifies an error from sending a request or reading its
// body, by its cause, the same for the fast client's errors and net/http's.
func transportKind(err error) TransportKind {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if kind, ok := netHTTPCauses[e.Error()]; ok {
			return kind
		}
	}
	var dnsErr *net.DNSError
	var netErr net.Error
	var recordErr tls.RecordHeaderError
	var alertErr tls.AlertError
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var remote *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return TransportDNS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return TransportTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return TransportRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return TransportReset
	case errors.As(err, &recordErr), errors.As(err, &alertErr), errors.As(err, &certErr),
		errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr), errors.As(err, &invalidCert),
		isRemoteAlert(err, &remote), errors.Is(err, errNoHTTP2):
		return TransportTLS
	default:
		return TransportOther
	}
}
