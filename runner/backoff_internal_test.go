package runner

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestBackoffSchedule: 10 ms doubling to 1 s, from the start again once an
// attempt connects.
func TestBackoffSchedule(t *testing.T) {
	var b backoff
	var got []time.Duration
	for range 9 {
		got = append(got, b.failed(connectBackoff))
	}
	b.connected()
	got = append(got, b.failed(connectBackoff))
	ms := time.Millisecond
	want := []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, time.Second, time.Second, 10 * ms}
	if !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

// TestFailedToConnect: the failures before a request reaches the server,
// as the http:// client (a dial error) and net/http (no connection had:
// connectError) return them, and not the others: a TLS alert after the
// request was sent reached the server.
func TestFailedToConnect(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("i/o timeout")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	cases := []struct {
		err  error
		want bool
	}{
		{dial, true},
		{&url.Error{Op: "Get", URL: "https://x/", Err: dial}, true},
		{connectError{errors.New("x509: certificate signed by unknown authority")}, true},
		{connectError{errors.New("net/http: TLS handshake timeout")}, true},
		{errors.New("remote error: tls: bad record MAC"), false},
		{read, false},
		{context.DeadlineExceeded, false},
	}
	for _, tc := range cases {
		if got := failedToConnect(tc.err); got != tc.want {
			t.Errorf("failedToConnect(%v) = %v", tc.err, got)
		}
	}
}

// TestStopWhileBackingOff: a run whose workers back off from a refused
// target stops as soon as it is cancelled, however long the back-off.
func TestStopWhileBackingOff(t *testing.T) {
	saved := connectBackoff
	connectBackoff = backoffSchedule{first: time.Hour, most: time.Hour}
	t.Cleanup(func() { connectBackoff = saved })
	// An https:// target whose TLS handshake fails: a failed connection
	// attempt that the test sees happen, when the server drops it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dropped := make(chan struct{}, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			dropped <- struct{}{}
		}
	}()
	target, _ := url.Parse("https://" + ln.Addr().String())
	ctx, cancel := context.WithCancel(t.Context())
	progress := &Progress{}
	done := make(chan *Result, 1)
	go func() {
		res, err := Run(ctx, Plan{Scenario: "test", Target: target, Load: Load{Concurrency: 2, Duration: time.Hour},
			Steps: []Step{{Name: "get", Method: http.MethodGet, Path: "/"}}, Timeout: 10 * time.Second, Progress: progress})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	for range 2 { // one attempt per worker
		select {
		case <-dropped:
		case <-time.After(30 * time.Second):
			t.Fatal("fewer than 2 connection attempts in 30s, want one per worker")
		}
	}
	for progress.Errors() < 2 { // both attempts recorded: the workers are backing off
		runtime.Gosched()
	}
	cancel()
	select {
	case res := <-done:
		if res != nil && (!res.Interrupted || res.Total.ConnectFailures() != 2) {
			t.Errorf("interrupted %v, %d failed to connect; want an interrupted run of one failure per worker", res.Interrupted, res.Total.ConnectFailures())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run went on backing off 30s after it was cancelled")
	}
}
