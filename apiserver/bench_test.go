package apiserver_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"golang.org/x/crypto/bcrypt"
)

// benchClients is the number of concurrent login clients of the throughput
// benchmark.
const benchClients = 32

// BenchmarkLoginThroughput measures logins per second with 32 concurrent
// clients over loopback, against the bound of cores ÷ time per hash, and the
// storage lock's hold time p99 under that load. Reported metrics:
// logins/s, bound-logins/s, %-of-bound, hash-ms and lock-hold-p99-µs.
func BenchmarkLoginThroughput(b *testing.B) {
	for _, cost := range []int{bcrypt.MinCost, apiserver.DefaultBcryptCost} {
		b.Run(fmt.Sprintf("cost=%d", cost), func(b *testing.B) {
			perHash := timePerHash(b, cost)
			in := start(b, apiserver.Config{BcryptCost: cost})
			if r := register(b, in.URL(), "alice", goodPassword, "alice@example.com"); r.status != http.StatusOK {
				b.Fatalf("register: %d %s", r.status, r.raw)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
			body := jsonBody(map[string]string{"username": "alice", "password": goodPassword})
			procs := runtime.GOMAXPROCS(0)
			b.SetParallelism((benchClients + procs - 1) / procs)
			b.ResetTimer()
			began := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Post(in.URL()+"/api/auth/login", "application/json", strings.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("login answered %d", resp.StatusCode)
						return
					}
				}
			})
			elapsed := time.Since(began)
			b.StopTimer()
			rate := float64(b.N) / elapsed.Seconds()
			bound := float64(procs) / perHash.Seconds()
			b.ReportMetric(rate, "logins/s")
			b.ReportMetric(bound, "bound-logins/s")
			b.ReportMetric(100*rate/bound, "%-of-bound")
			b.ReportMetric(float64(perHash)/float64(time.Millisecond), "hash-ms")
			b.ReportMetric(float64(in.LockStats().HoldP99)/float64(time.Microsecond), "lock-hold-p99-µs")
		})
	}
}

// timePerHash is the median time of one bcrypt comparison at cost, measured
// serially on one core for about half a second.
func timePerHash(b *testing.B, cost int) time.Duration {
	b.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(goodPassword), cost)
	if err != nil {
		b.Fatal(err)
	}
	var samples []time.Duration
	for deadline := time.Now().Add(500 * time.Millisecond); len(samples) < 5 || time.Now().Before(deadline); {
		began := time.Now()
		bcrypt.CompareHashAndPassword(hash, []byte(goodPassword))
		samples = append(samples, time.Since(began))
	}
	slices.Sort(samples)
	return samples[len(samples)/2]
}

// BenchmarkLoginFailure compares a wrong password with an unknown user at the
// default cost: the two must cost the same, or timing enumerates users.
func BenchmarkLoginFailure(b *testing.B) {
	in := start(b, apiserver.Config{})
	if r := register(b, in.URL(), "alice", goodPassword, "alice@example.com"); r.status != http.StatusOK {
		b.Fatalf("register: %d %s", r.status, r.raw)
	}
	for _, tc := range []struct{ name, username string }{{"wrong-password", "alice"}, {"unknown-user", "nobody"}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if r := login(b, in.URL(), tc.username, "Wrong-Passw0rd!"); r.status != http.StatusUnauthorized {
					b.Fatalf("login answered %d", r.status)
				}
			}
		})
	}
}
