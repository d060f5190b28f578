package apiserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Instance is a Server listening on a TCP address.
type Instance struct {
	*Server
	url  string
	http *http.Server
	// served is closed when Serve has returned; serveErr is what it returned.
	served   chan struct{}
	serveErr error
}

// Start builds a Server from cfg and listens on 127.0.0.1 on an ephemeral
// port; this is the embedded target loadgate uses when no --target is given.
// It speaks HTTP/1.1, and h2c (HTTP/2 with prior knowledge) to a client
// that does (run --http2). Stop it with Shutdown.
func Start(cfg Config) (*Instance, error) {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return listen("127.0.0.1:0", cfg, protocols)
}

// Listen builds a Server from cfg and serves it on addr (host:port) in the
// background, over HTTP/1.1 alone: Go's HTTP/2 server bounds no stream's
// header time, and one connection could run many bcrypt handlers at once.
func Listen(addr string, cfg Config) (*Instance, error) {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	return listen(addr, cfg, protocols)
}

// listen serves a Server built from cfg on addr, speaking protocols.
func listen(addr string, cfg Config, protocols *http.Protocols) (*Instance, error) {
	srv, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	in := &Instance{
		Server: srv,
		url:    "http://" + ln.Addr().String(),
		http: &http.Server{
			Handler:           srv,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			Protocols:         protocols,
			// The server's own errors (a failed accept, a TLS handshake)
			// go to the API's log, not to the process's.
			ErrorLog: slog.NewLogLogger(srv.cfg.Logger.Handler(), slog.LevelError),
		},
		served: make(chan struct{}),
	}
	go func() {
		in.serveErr = in.http.Serve(ln)
		close(in.served)
	}()
	return in, nil
}

// URL is the base URL, such as http://127.0.0.1:40123, with no trailing slash.
func (in *Instance) URL() string { return in.url }

// Shutdown stops accepting connections and waits for in-flight requests until
// ctx ends, then closes what is left. It returns the error that stopped the
// server, if any was not a normal shutdown. Calling it again is harmless.
func (in *Instance) Shutdown(ctx context.Context) error {
	err := in.http.Shutdown(ctx)
	if err != nil {
		in.http.Close()
		err = fmt.Errorf("graceful shutdown: %w", err)
	}
	<-in.served
	if !errors.Is(in.serveErr, http.ErrServerClosed) {
		return errors.Join(err, in.serveErr)
	}
	return err
}
