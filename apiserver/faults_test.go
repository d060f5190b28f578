package apiserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/testkit"
	"golang.org/x/crypto/bcrypt"
)

const lockTimeoutBody = "Service temporarily busy, please retry"

// lockTimeoutRule is loadgate's default rule (docs/contracts.md §4): a 503 whose body
// mentions "temporarily busy" or "storage lock timeout".
func lockTimeoutRule(r response) bool {
	body := strings.ToLower(r.raw)
	return r.status == http.StatusServiceUnavailable &&
		(strings.Contains(body, "temporarily busy") || strings.Contains(body, "storage lock timeout"))
}

func countStatus(answers []response, status int) int {
	n := 0
	for _, r := range answers {
		if r.status == status {
			n++
		}
	}
	return n
}

// TestHashUnderLockCausesLockTimeouts shows the anti-pattern: with bcrypt
// inside the storage lock and a hash slower than the lock timeout, 16
// concurrent logins produce lock-timeout 503s; with the switch off, the same
// load produces none, with a lock timeout far above a lock hold, and holds
// the lock for a small part of a hash. (That margin keeps a busy machine,
// which may pause a lock holder for a while, from failing the second case;
// it only lengthens the queue in the first.)
func TestHashUnderLockCausesLockTimeouts(t *testing.T) {
	const lockTimeout = 150 * time.Millisecond
	cost := costSlowerThan(t, 2*lockTimeout)
	for _, underLock := range []bool{true, false} {
		name := map[bool]string{true: "hash under lock", false: "hash outside lock"}[underLock]
		t.Run(name, func(t *testing.T) {
			timeout := lockTimeout
			if !underLock {
				timeout = 10 * time.Second
			}
			in := start(t, apiserver.Config{BcryptCost: cost, LockTimeout: timeout,
				LockSpin: 5 * time.Millisecond, HashUnderLock: underLock})
			if r := register(t, in.URL(), "alice", goodPassword, "alice@example.com"); r.status != http.StatusOK {
				t.Fatalf("register: %d %s", r.status, r.raw)
			}
			answers := concurrentLogins(t, in.URL(), "alice", goodPassword, 16)
			lockTimeouts := 0
			for _, r := range answers {
				switch {
				case lockTimeoutRule(r):
					lockTimeouts++
					if r.header.Get("Retry-After") != "1" || r.str("error") != lockTimeoutBody {
						t.Errorf("lock-timeout answer without its contract: %v %s", r.header, r.raw)
					}
				case r.status != http.StatusOK:
					t.Errorf("unexpected answer %d %s", r.status, r.raw)
				}
			}
			t.Logf("cost %d: %d of 16 logins got the lock-timeout 503", cost, lockTimeouts)
			if underLock && lockTimeouts == 0 {
				t.Errorf("no lock timeouts with the hash under the lock")
			}
			if !underLock && lockTimeouts != 0 {
				t.Errorf("%d lock timeouts with the hash outside the lock, want 0", lockTimeouts)
			}
			if hold, hash := in.LockStats().HoldP50, 2*lockTimeout; !underLock && hold > hash/10 {
				t.Errorf("lock hold p50 %s with the hash outside the lock; a hash takes at least %s", hold, hash)
			}
		})
	}
}

// TestLoginSemaphoreOverload: with one permit and a hash slower than the
// permit wait, concurrent logins get the overload 503, whose body the
// harness must not take for a lock timeout.
func TestLoginSemaphoreOverload(t *testing.T) {
	const permitWait = 50 * time.Millisecond
	in := start(t, apiserver.Config{BcryptCost: costSlowerThan(t, 4*permitWait), LoginPermits: 1, PermitWait: permitWait})
	if r := register(t, in.URL(), "alice", goodPassword, "alice@example.com"); r.status != http.StatusOK {
		t.Fatalf("register: %d %s", r.status, r.raw)
	}
	answers := concurrentLogins(t, in.URL(), "alice", goodPassword, 4)
	if countStatus(answers, http.StatusOK) == 0 {
		t.Errorf("no login succeeded")
	}
	overloaded := 0
	for _, r := range answers {
		if r.status != http.StatusServiceUnavailable {
			continue
		}
		overloaded++
		if lockTimeoutRule(r) {
			t.Errorf("the overload 503 matches the lock-timeout rule: %s", r.raw)
		}
		if r.header.Get("Retry-After") != "1" || r.str("error") != "Too many concurrent logins, please retry" {
			t.Errorf("overload answer without its contract: %v %s", r.header, r.raw)
		}
	}
	if overloaded == 0 {
		t.Errorf("no overload 503 with 1 permit and 4 concurrent logins: %v", answers)
	}
}

// TestStorageDelayHoldsTheLock: a storage delay longer than the lock timeout
// makes a request that arrives while another holds the lock time out. A
// register and a stream of logins run together (every operation holds the
// lock 1.5 s); whichever takes the lock first, the other side meets it.
func TestStorageDelayHoldsTheLock(t *testing.T) {
	in := start(t, apiserver.Config{BcryptCost: bcrypt.MinCost, LockTimeout: 100 * time.Millisecond,
		LockSpin: 5 * time.Millisecond, StorageDelay: 1500 * time.Millisecond})
	registered := make(chan response, 1)
	go func() { registered <- register(t, in.URL(), "alice", goodPassword, "alice@example.com") }()
	answers := []response{}
	for done := false; !done; {
		answers = append(answers, login(t, in.URL(), "bob", goodPassword))
		select {
		case r := <-registered:
			answers, done = append(answers, r), true
		default:
		}
	}
	timedOut := 0
	for _, r := range answers {
		switch {
		case lockTimeoutRule(r):
			timedOut++
		case r.status != http.StatusOK && r.status != http.StatusUnauthorized:
			t.Errorf("unexpected answer %d %s", r.status, r.raw)
		}
	}
	if timedOut == 0 {
		t.Errorf("no request met the lock another held; answers: %v", answers)
	}
}

// TestFailureLogs checks one structured record per failed request with its
// fields, and that no password or token ever reaches the log.
func TestFailureLogs(t *testing.T) {
	var logs testkit.Buffer
	in := start(t, apiserver.Config{BcryptCost: bcrypt.MinCost, Logger: newJSONLogger(&logs)})
	base := in.URL()
	reg := register(t, base, "alice", goodPassword, "alice@example.com")
	call(t, http.MethodGet, base+"/api/auth/profile", "", map[string]string{"Authorization": "Bearer " + reg.str("token")})
	call(t, http.MethodPost, base+"/api/auth/login", `{"username":"alice","password":"Secr3t-Wr0ng!"}`, map[string]string{"X-Request-Id": "trace-123"})
	register(t, base, "alice", "Other-Passw0rd!", "alice2@example.com")
	register(t, base, "bob", "weakpass", "bob@example.com")
	in.LogLockStats()

	text := logs.String()
	for _, secret := range []string{goodPassword, "Secr3t-Wr0ng!", "Other-Passw0rd!", "weakpass", reg.str("token")} {
		if strings.Contains(text, secret) {
			t.Errorf("the log contains the secret %q:\n%s", secret, text)
		}
	}
	kinds := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] != "request failed" {
			continue
		}
		for _, key := range []string{"endpoint", "method", "status", "error_kind", "trace_id", "duration_ms"} {
			if _, ok := rec[key]; !ok {
				t.Errorf("failure record lacks %q: %s", key, line)
			}
		}
		kinds[rec["error_kind"].(string)] = true
		if rec["error_kind"] == "auth_error" && rec["trace_id"] != "trace-123" {
			t.Errorf("trace ID not taken from X-Request-Id: %s", line)
		}
	}
	for _, want := range []string{"auth_error", "conflict", "validation_error"} {
		if !kinds[want] {
			t.Errorf("no failure logged as %s:\n%s", want, text)
		}
	}
	if !strings.Contains(text, `"msg":"storage lock statistics"`) {
		t.Errorf("no lock statistics in the log:\n%s", text)
	}
}
