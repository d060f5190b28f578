package runner

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"
)

// selfSigned returns a self-signed certificate and its private key, each
// as PEM.
func selfSigned(t testing.TB) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "client"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

// FuzzPEM: any bytes as a certificate file and a key file give a client
// certificate or an error that blames the file at fault, never a panic:
// the certificate's file when it has no certificate that can be read, the
// key's when it has no private key, the pair when both are fine alone.
func FuzzPEM(f *testing.F) {
	cert, key := selfSigned(f)
	otherCert, otherKey := selfSigned(f)
	f.Add(cert, key)
	f.Add(cert, otherKey)
	f.Add(otherCert, key)
	f.Add(key, cert)
	f.Add(append(append([]byte{}, key...), cert...), append(append([]byte{}, cert...), key...))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte{}, []byte("not a key"))
	f.Fuzz(func(t *testing.T, certPEM, keyPEM []byte) {
		certs, certErr := parseCertificates(certPEM)
		if certErr == nil && len(certs) == 0 {
			t.Fatal("no certificate and no error")
		}
		hasKey := hasPrivateKey(keyPEM)
		pair, field, err := keyPair(certPEM, keyPEM)
		var mismatch pairError
		switch {
		case certErr != nil:
			if field != TLSClientCert || err == nil || err.Error() != certErr.Error() {
				t.Fatalf("the certificate's file is at fault (%v); keyPair blames %q: %v", certErr, field, err)
			}
		case !hasKey:
			if field != TLSClientKey || err == nil || errors.As(err, &mismatch) {
				t.Fatalf("the key's file has no private key; keyPair blames %q: %v", field, err)
			}
		case err != nil:
			if field != TLSClientKey || !errors.As(err, &mismatch) || err.Error() == "" {
				t.Fatalf("both files are fine alone; keyPair blames %q: %v", field, err)
			}
		default:
			if field != "" || len(pair.Certificate) == 0 || pair.PrivateKey == nil {
				t.Fatalf("a pair of %d certificates, key %T, field %q", len(pair.Certificate), pair.PrivateKey, field)
			}
		}
	})
}
