package runner

import (
	"net"
	"net/http"
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
