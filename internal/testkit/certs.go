package testkit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority made for one test, its certificate
// written to File (PEM) in the test's temporary directory.
type CA struct {
	Cert *x509.Certificate
	File string
	key  *ecdsa.PrivateKey
}

// Cert is a certificate a CA issued: the pair for a tls.Config, and the
// same written as PEM files in the test's temporary directory.
type Cert struct {
	TLS      tls.Certificate
	CertFile string
	KeyFile  string
}

// CertSpec says what a certificate is for. The zero value is a server
// certificate for no name, valid from an hour ago for a day.
type CertSpec struct {
	DNSNames []string
	IPs      []net.IP
	// NotAfter ends its validity; zero is a day from now. One in the past
	// makes an expired certificate (valid for the day before it).
	NotAfter time.Time
	// Client makes it a client certificate, for mutual TLS.
	Client bool
}

// Loopback is the IPs of a certificate for 127.0.0.1.
func Loopback() []net.IP { return []net.IP{net.IPv4(127, 0, 0, 1)} }

// NewCA makes a CA whose name is name.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{Cert: cert, key: key, File: writePEM(t, name+"-ca.pem", "CERTIFICATE", der)}
}

// Issue makes a certificate that ca signs, as spec says; name names its
// files.
func (ca *CA) Issue(t testing.TB, name string, spec CertSpec) Cert {
	t.Helper()
	key := newKey(t)
	notAfter := spec.NotAfter
	if notAfter.IsZero() {
		notAfter = time.Now().Add(24 * time.Hour)
	}
	notBefore := time.Now().Add(-time.Hour)
	if day := notAfter.Add(-24 * time.Hour); day.Before(notBefore) {
		notBefore = day
	}
	usage := x509.ExtKeyUsageServerAuth
	if spec.Client {
		usage = x509.ExtKeyUsageClientAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     spec.DNSNames,
		IPAddresses:  spec.IPs,
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return Cert{
		TLS:      tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		CertFile: writePEM(t, name+".pem", "CERTIFICATE", der),
		KeyFile:  writePEM(t, name+"-key.pem", "PRIVATE KEY", keyDER),
	}
}

// LoopbackTLS returns the TLS configuration of an HTTP/1.1 server at
// 127.0.0.1 whose certificate a new CA issued, and that of a client that
// trusts that CA alone.
func LoopbackTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	ca := NewCA(t, "loopback")
	cert := ca.Issue(t, "loopback-server", CertSpec{IPs: Loopback()})
	return &tls.Config{Certificates: []tls.Certificate{cert.TLS}, NextProtos: []string{"http/1.1"}}, &tls.Config{RootCAs: ca.Pool()}
}

// Pool is a pool that holds ca's certificate alone.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// writePEM writes one PEM block of kind holding der to a file named name
// in a temporary directory of t, and returns its path.
func writePEM(t testing.TB, name, kind string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
