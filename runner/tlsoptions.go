package runner

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/internal/readfile"
)

// maxPEMBytes bounds a certificate or key file.
const maxPEMBytes = 1 << 20

// TLSOptions are a user's TLS settings for an https:// target. The zero
// value is Go's defaults: the system's roots (which $SSL_CERT_FILE and
// $SSL_CERT_DIR choose on Linux), verification of the target's host name.
type TLSOptions struct {
	// Insecure skips the verification of the target's certificate.
	Insecure bool
	// CACert is a PEM file of certificates trusted besides the system's
	// roots.
	CACert string
	// ClientCert and ClientKey are the PEM files of the certificate and
	// private key shown to a target that asks for one (mutual TLS); both or
	// neither.
	ClientCert, ClientKey string
	// ServerName is the name sent in SNI and verified in the target's
	// certificate instead of the target's host: for a target addressed by IP.
	ServerName string
	// MinVersion is the oldest TLS version accepted: "1.2" or "1.3"; ""
	// is Go's default (1.2).
	MinVersion string
}

// TLSField names one of TLSOptions' settings, by its key in a scenario
// file's tls block.
type TLSField string

// TLSOptions' settings, as TLSProblem names them.
const (
	TLSInsecure   TLSField = "insecure"
	TLSCACert     TLSField = "ca_cert"
	TLSClientCert TLSField = "client_cert"
	TLSClientKey  TLSField = "client_key"
	TLSServerName TLSField = "server_name"
	TLSMinVersion TLSField = "min_version"
)

// TLSFields are TLSOptions' settings, in the order of the struct.
func TLSFields() []TLSField {
	return []TLSField{TLSInsecure, TLSCACert, TLSClientCert, TLSClientKey, TLSServerName, TLSMinVersion}
}

// Takes says in words what a setting of a value takes ("a PEM private
// key file"), for a message that refuses an empty one; "" for TLSInsecure.
func (f TLSField) Takes() string {
	switch f {
	case TLSCACert:
		return "a PEM file of certificates"
	case TLSClientCert:
		return "a PEM certificate file"
	case TLSClientKey:
		return "a PEM private key file"
	case TLSServerName:
		return "a host name or IP address"
	case TLSMinVersion:
		return "1.2 or 1.3"
	}
	return ""
}

// TLSUsed reports whether a run against target uses TLS options: only an
// https:// target does; nil is the embedded reference API, plain http://.
func TLSUsed(target *url.URL) bool { return target != nil && target.Scheme == "https" }

// TLSProblem is one reason TLSOptions cannot be used: the setting at
// fault, and a message that starts with its name and, for a file, the
// file's path.
type TLSProblem struct {
	Field   TLSField
	Message string
}

// IsZero reports whether o asks for nothing but the defaults.
func (o TLSOptions) IsZero() bool { return o == TLSOptions{} }

// Check returns every problem with o's settings that shows without
// reading its files: a client certificate without its key or a key without
// its certificate, a server name that cannot be one, a TLS version loadgate
// does not accept. Each setting is named by name(field).
func (o TLSOptions) Check(name func(TLSField) string) []TLSProblem {
	var found []TLSProblem
	add := func(field TLSField, format string, args ...any) {
		found = append(found, TLSProblem{field, name(field) + " " + fmt.Sprintf(format, args...)})
	}
	switch {
	case o.ClientCert != "" && o.ClientKey == "":
		add(TLSClientCert, "needs %s, the certificate's private key", name(TLSClientKey))
	case o.ClientKey != "" && o.ClientCert == "":
		add(TLSClientKey, "needs %s, the certificate the key goes with", name(TLSClientCert))
	}
	if o.ServerName != "" {
		if why := serverNameProblem(o.ServerName); why != "" {
			add(TLSServerName, "%q is not a host name or IP address%s", o.ServerName, why)
		}
	}
	if _, err := ParseTLSVersion(o.MinVersion); err != nil {
		add(TLSMinVersion, "%v", err)
	}
	return found
}

// Config checks o (see Check), reads its files and returns the TLS settings
// they make, or every problem with them in the order of o's settings, each
// setting named by name(field). A nil Config with no problem is the
// defaults. It sets neither NextProtos nor a session cache: the client that
// uses it does.
func (o TLSOptions) Config(name func(TLSField) string) (*tls.Config, []TLSProblem) {
	if o.IsZero() {
		return nil, nil
	}
	found := o.Check(name)
	add := func(field TLSField, err error) {
		found = append(found, TLSProblem{field, name(field) + " " + err.Error()})
	}
	version, _ := ParseTLSVersion(o.MinVersion)
	cfg := &tls.Config{InsecureSkipVerify: o.Insecure, ServerName: o.ServerName, MinVersion: version}
	if o.CACert != "" {
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if err := addCertificates(roots, o.CACert); err != nil {
			add(TLSCACert, fmt.Errorf("%s: %w", o.CACert, err))
		}
		cfg.RootCAs = roots
	}
	if o.ClientCert != "" && o.ClientKey != "" {
		cert, field, err := loadKeyPair(o.ClientCert, o.ClientKey)
		if err != nil {
			add(field, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if len(found) > 0 {
		order := TLSFields()
		slices.SortStableFunc(found, func(a, b TLSProblem) int {
			return cmp.Compare(slices.Index(order, a.Field), slices.Index(order, b.Field))
		})
		return nil, found
	}
	return cfg, nil
}

// ParseTLSVersion reads a TLS version as a user writes it: "1.2" or
// "1.3"; "" is 0, Go's default.
func ParseTLSVersion(s string) (uint16, error) {
	switch s {
	case "":
		return 0, nil
	case "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("%q is not a TLS version loadgate accepts: 1.2 or 1.3", s)
}

// UseTLSConfig makes client, one of NewClient's, use a copy of cfg for
// https:// targets (net/http sets NextProtos in the config it has: cfg
// stays as it is, for other clients); nil keeps the defaults.
func UseTLSConfig(client *http.Client, cfg *tls.Config) {
	if cfg != nil {
		client.Transport.(*http.Transport).TLSClientConfig = cfg.Clone()
	}
}

// addCertificates adds the certificates of the PEM file at path to pool.
// A file without one, or with a certificate that does not parse, is an
// error; blocks of other kinds (a key, parameters) are passed over.
func addCertificates(pool *x509.CertPool, path string) error {
	data, err := readfile.Limited(path, maxPEMBytes)
	if err != nil {
		return err
	}
	certs, err := parseCertificates(data)
	if err != nil {
		return err
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return nil
}

// parseCertificates returns the certificates of the PEM blocks in data.
func parseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d is not a certificate that can be read: %v", n, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM certificate in the file (one starts with -----BEGIN CERTIFICATE-----)")
	}
	return certs, nil
}

// loadKeyPair reads a client certificate and its key from PEM files; an
// error says what is wrong with which file (field).
func loadKeyPair(certPath, keyPath string) (tls.Certificate, TLSField, error) {
	certPEM, err := readfile.Limited(certPath, maxPEMBytes)
	if err != nil {
		return tls.Certificate{}, TLSClientCert, fmt.Errorf("%s: %v", certPath, err)
	}
	keyPEM, err := readfile.Limited(keyPath, maxPEMBytes)
	if err != nil {
		return tls.Certificate{}, TLSClientKey, fmt.Errorf("%s: %v", keyPath, err)
	}
	cert, field, err := keyPair(certPEM, keyPEM)
	var mismatch pairError
	switch {
	case errors.As(err, &mismatch):
		return cert, field, fmt.Errorf("%s: %v (the certificate: %s)", keyPath, err, certPath)
	case field == TLSClientCert:
		return cert, field, fmt.Errorf("%s: %v", certPath, err)
	case err != nil:
		return cert, field, fmt.Errorf("%s: %v", keyPath, err)
	}
	return cert, "", nil
}

// keyPair makes a client certificate of the PEM of a certificate and of
// its private key; an error says what is wrong with which of the two
// (field), a pairError when each is fine alone.
func keyPair(certPEM, keyPEM []byte) (tls.Certificate, TLSField, error) {
	if _, err := parseCertificates(certPEM); err != nil {
		return tls.Certificate{}, TLSClientCert, err
	}
	if !hasPrivateKey(keyPEM) {
		return tls.Certificate{}, TLSClientKey, errors.New("no PEM private key in the file (one starts with -----BEGIN PRIVATE KEY-----, or EC or RSA PRIVATE KEY)")
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, TLSClientKey, pairError{keyPairError(err)}
	}
	return cert, "", nil
}

// pairError is why a certificate and a private key, each readable, do not
// make a pair.
type pairError struct{ reason string }

func (e pairError) Error() string { return e.reason }

// hasPrivateKey reports whether data holds a PEM block of a private key.
func hasPrivateKey(data []byte) bool {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		switch {
		case block == nil:
			return false
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			return true
		}
	}
}

// keyPairError says in words why tls.X509KeyPair refused a pair.
func keyPairError(err error) string {
	switch err.Error() {
	case "tls: private key does not match public key", "tls: private key type does not match public key type":
		return "the private key does not match the certificate"
	case "tls: failed to parse private key":
		return "the private key cannot be read (an encrypted key is not supported)"
	}
	return err.Error()
}

// serverNameProblem returns, when s cannot be a TLS server name, why in
// words that start with ": ", else "". A name is a host name or an IP
// address as it is, without a port or brackets.
func serverNameProblem(s string) string {
	if len(s) > 253 {
		return ": longer than 253 characters"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '@' {
			return ": it has a space, a control character or URL punctuation"
		}
	}
	switch {
	case strings.ContainsAny(s, "[]"):
		return ": give an IPv6 address without brackets"
	case strings.Contains(s, ":") && net.ParseIP(s) == nil:
		return ": a port goes in the target's URL, not in the server name"
	}
	return ""
}
