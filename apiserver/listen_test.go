package apiserver_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"golang.org/x/crypto/bcrypt"
)

// TestProtocols: the embedded instance (Start) answers h2c with prior
// knowledge as well as HTTP/1.1; one of serve (Listen) answers HTTP/1.1
// alone.
func TestProtocols(t *testing.T) {
	cfg := apiserver.Config{BcryptCost: bcrypt.MinCost}
	listened, err := apiserver.Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		listened.Shutdown(ctx)
	})
	for _, c := range []struct {
		name    string
		url     string
		h2cWant bool
	}{{"Start", start(t, cfg).URL(), true}, {"Listen", listened.URL(), false}} {
		for _, h2c := range []bool{false, true} {
			transport := &http.Transport{Protocols: new(http.Protocols)}
			if h2c {
				transport.Protocols.SetUnencryptedHTTP2(true)
			} else {
				transport.Protocols.SetHTTP1(true)
			}
			resp, err := (&http.Client{Transport: transport, Timeout: 10 * time.Second}).Get(c.url + "/health")
			if err == nil {
				resp.Body.Close()
			}
			transport.CloseIdleConnections()
			if answered, want := err == nil && resp.StatusCode == http.StatusOK, !h2c || c.h2cWant; answered != want {
				t.Errorf("%s, h2c %v: answered %v (%v); want %v", c.name, h2c, answered, err, want)
			}
		}
	}
}
