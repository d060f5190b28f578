package runner

import (
	"net"
	"net/http"
	"net/url"
	"time"
)

// maxRedirects bounds the same-host redirects a request follows.
const maxRedirects = 10

// maxResponseHeaderBytes bounds an answer's status line and headers, its
// 1xx interim answers included, on both paths: net/http's default for
// http.Transport.MaxResponseHeaderBytes.
const maxResponseHeaderBytes = 10 << 20

// NewClient returns the HTTP client of a run: keep-alive connections sized
// to concurrency (checked before reuse by a request that carries reuseTrace),
// timeout per request (send to last body byte), no proxy from
// the environment (load goes where the user pointed it), and redirects
// followed only within the same host: a redirect elsewhere is returned as the
// 3xx response itself.
func NewClient(concurrency int, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext:         dialChecked(dialer),
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: timeout,
		ForceAttemptHTTP2:   true,

		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != via[0].URL.Host || len(via) >= maxRedirects {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// workersPerHTTP2Conn is how many of a client's concurrent requests share
// one HTTP/2 connection: fewer than the 100 streams RFC 9113 asks a server
// to allow at least.
const workersPerHTTP2Conn = 100

// UseHTTP2 makes client, one of NewClient's, speak HTTP/2 alone to target
// (h2 by ALPN to an https:// one, h2c with prior knowledge to an http://
// one), with at most one connection per workersPerHTTP2Conn of its
// concurrency at a time: a run's workers share a few connections. (Go's
// transport sets aside a connection whose server allows no more streams on
// it, and may open another then.)
func UseHTTP2(client *http.Client, target *url.URL) {
	t := client.Transport.(*http.Transport)
	t.Protocols = new(http.Protocols)
	if target.Scheme == "https" {
		t.Protocols.SetHTTP2(true)
	} else {
		t.Protocols.SetUnencryptedHTTP2(true)
	}
	t.MaxConnsPerHost = (t.MaxIdleConnsPerHost + workersPerHTTP2Conn - 1) / workersPerHTTP2Conn
}
