package runner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"
)

// TestTransportKindOfWrappedErrors checks the kinds no loopback test can
// provoke, with errors shaped as net/http returns them.
func TestTransportKindOfWrappedErrors(t *testing.T) {
	dial := func(err error) error {
		return &url.Error{Op: "Get", URL: "http://x/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	cases := []struct {
		name string
		err  error
		want TransportKind
	}{
		{"dns", dial(&net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}), TransportDNS},
		{"deadline", fmt.Errorf("wrapped: %w", context.DeadlineExceeded), TransportTimeout},
		{"other", dial(errors.New("something odd")), TransportOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := transportKind(tc.err); got != tc.want {
				t.Errorf("transportKind(%v) = %s, want %s", tc.err, got, tc.want)
			}
		})
	}
}

// FuzzRetryAfter: any Retry-After header gives a wait between 0 and the cap.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "1", "120", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999", " 3 "} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, header string) {
		if wait := retryAfter(header, 10*time.Second, now); wait < 0 || wait > 10*time.Second {
			t.Fatalf("retryAfter(%q) = %s, outside 0..10s", header, wait)
		}
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for header, want := range map[string]time.Duration{
		"":                              time.Second,
		"2":                             2 * time.Second,
		"0":                             0,
		"600":                           10 * time.Second,
		"99999999999999999999":          10 * time.Second,
		"-99999999999999999999":         time.Second,
		"soon":                          time.Second,
		"Sun, 22 Nov 2026 00:00:03 GMT": 3 * time.Second,
		"Sat, 21 Nov 2026 00:00:00 GMT": 0,
	} {
		if got := retryAfter(header, 10*time.Second, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", header, got, want)
		}
	}
}
