package testkit

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// DyingServer serves h on a loopback port until it has answered n
// requests, then dies at once: the n-th answer closes its connection and
// the listener, so that every later connection is refused, and a request
// that comes on a connection still open gets no answer (its connection is
// closed). Its death is an event of the requests, not of time. It returns
// the server's URL; the server is closed when the test ends.
func DyingServer(t testing.TB, h http.Handler, n int64) string {
	t.Helper()
	var arrived atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch count := arrived.Add(1); {
		case count < n:
		case count == n:
			srv.Listener.Close()
			w.Header().Set("Connection", "close")
		default:
			panic(http.ErrAbortHandler) // closes the connection without an answer
		}
		h.ServeHTTP(w, r)
	}))
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}
