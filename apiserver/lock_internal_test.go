package apiserver

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// TestLockTimeoutAnswers503 holds the storage lock from the test and checks
// that a login gives up after the lock timeout with the seed service's exact
// 503: body, Retry-After, and a counted timeout.
func TestLockTimeoutAnswers503(t *testing.T) {
	const lockTimeout = 300 * time.Millisecond
	in, err := Start(Config{BcryptCost: bcrypt.MinCost, LockTimeout: lockTimeout, LockSpin: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Shutdown(t.Context())

	in.store.mu.Lock()
	began := time.Now()
	resp, err := http.Post(in.URL()+"/api/auth/login", "application/json",
		strings.NewReader(`{"username":"alice","password":"Passw0rd!"}`))
	elapsed := time.Since(began)
	in.store.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)

	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503; body %s", resp.StatusCode, raw)
	}
	if got, want := strings.TrimSpace(string(raw)), `{"error":"Service temporarily busy, please retry"}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	if got := resp.Header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if elapsed < lockTimeout {
		t.Errorf("answered after %s, before the lock timeout of %s", elapsed, lockTimeout)
	}
	if st := in.LockStats(); st.Timeouts != 1 {
		t.Errorf("LockStats().Timeouts = %d, want 1", st.Timeouts)
	}
	var body map[string]string
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Errorf("body is not JSON: %v", err)
	}
}
