package runner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"
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
