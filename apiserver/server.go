// Package apiserver is loadgate's reference auth API: an in-memory copy of the
// seed service's contract (register, login, profile, health) with its storage
// lock, its 503s and its fault switches. It imports nothing from loadgate.
package apiserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Server is the reference API as an http.Handler. It is safe for concurrent use.
type Server struct {
	cfg       Config
	store     *store
	tokens    tokens
	permits   permits // nil when the login semaphore is off
	dummyHash []byte  // checked for unknown users so that they cost a full bcrypt
	mux       *http.ServeMux
	started   time.Time
	metrics   *metrics
}

// New validates cfg and builds a Server. It computes one bcrypt hash, so it
// takes about as long as one login.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	secret := cfg.JWTSecret
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte(randomHex(16)), cfg.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("computing the dummy hash: %w", err)
	}
	s := &Server{
		cfg:       cfg,
		tokens:    tokens{secret: secret, ttl: cfg.TokenTTL},
		dummyHash: dummy,
		mux:       http.NewServeMux(),
		started:   time.Now(),
		metrics:   newMetrics(cfg.LoginPermits),
	}
	s.store = newStore(cfg, s)
	if cfg.LoginPermits > 0 {
		s.permits = newPermits(cfg.LoginPermits)
	}
	s.route("/api/auth/register", "register", http.MethodPost, s.register)
	s.route("/api/auth/login", "login", http.MethodPost, s.login)
	s.route("/api/auth/profile", "profile", http.MethodGet, s.profile)
	s.route("/health", "health", http.MethodGet, s.health)
	s.route("/", "not_found", "", func(http.ResponseWriter, *http.Request) (any, *apiError) {
		return nil, &apiError{status: http.StatusNotFound, kind: kindValidation, message: "Not found"}
	})
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// LockStats returns the storage lock statistics since the server started.
func (s *Server) LockStats() LockStats { return s.store.lockStats() }

// LogLockStats writes the lock statistics to the server's logger at info level.
func (s *Server) LogLockStats() {
	st := s.LockStats()
	s.cfg.Logger.Info("storage lock statistics",
		"operations", st.Operations, "timeouts", st.Timeouts,
		"wait_p50_ms", ms(st.WaitP50), "wait_p99_ms", ms(st.WaitP99), "wait_max_ms", ms(st.WaitMax),
		"hold_p50_ms", ms(st.HoldP50), "hold_p99_ms", ms(st.HoldP99), "hold_max_ms", ms(st.HoldMax))
}

// endpoint handles one route: it returns the 200 body, or the error to answer.
type endpoint func(w http.ResponseWriter, r *http.Request) (any, *apiError)

// route registers an endpoint for path, answering 405 with an Allow header to
// any method but method (an empty method accepts all). Every response is
// JSON; every failed request is logged with its kind and trace ID.
func (s *Server) route(path, name, method string, handle endpoint) {
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		traceID := traceIDFrom(r)
		w.Header().Set("X-Request-Id", traceID)
		var body any
		var fail *apiError
		if method != "" && r.Method != method {
			w.Header().Set("Allow", method)
			fail = &apiError{status: http.StatusMethodNotAllowed, kind: kindValidation,
				message: fmt.Sprintf("Method %s is not allowed on %s", r.Method, path)}
		} else {
			body, fail = handle(w, r)
		}
		status := http.StatusOK
		if fail != nil {
			status, body = fail.status, map[string]string{"error": fail.message}
			if fail.retryAfter {
				w.Header().Set("Retry-After", "1")
			}
		}
		writeJSON(w, status, body)
		took := time.Since(start)
		var kind errorKind
		if fail != nil {
			kind = fail.kind
			s.logFailure(r, name, fail, traceID, took)
		}
		s.metrics.request(name, status, kind, took)
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// logFailure writes one record for a failed request. It never logs a body or
// a header value other than the trace ID, so passwords and tokens stay out.
func (s *Server) logFailure(r *http.Request, name string, fail *apiError, traceID string, took time.Duration) {
	level := slog.LevelInfo
	switch {
	case fail.status >= 500 && fail.status != http.StatusServiceUnavailable:
		level = slog.LevelError
	case fail.status >= 500:
		level = slog.LevelWarn
	}
	s.cfg.Logger.LogAttrs(context.Background(), level, "request failed",
		slog.String("endpoint", name),
		slog.String("method", r.Method),
		slog.Int("status", fail.status),
		slog.String("error_kind", string(fail.kind)),
		slog.String("trace_id", traceID),
		slog.Float64("duration_ms", ms(took)))
}

// locked records one storage operation that got the lock: in the metrics,
// and in one debug record.
func (s *Server) locked(op string, wait, hold time.Duration) {
	s.metrics.lockWait.WithLabelValues(op).Observe(wait.Seconds())
	s.metrics.lockHold.WithLabelValues(op).Observe(hold.Seconds())
	s.cfg.Logger.LogAttrs(context.Background(), slog.LevelDebug, "storage lock",
		slog.String("op", op), slog.Float64("wait_ms", ms(wait)), slog.Float64("hold_ms", ms(hold)))
}

// lockTimedOut records one storage operation that gave up waiting for the
// lock.
func (s *Server) lockTimedOut(op string) { s.metrics.lockTimeouts.WithLabelValues(op).Inc() }

// traceIDFrom takes the caller's X-Request-Id when it is a plain token of at
// most 64 characters, and otherwise makes a new one.
func traceIDFrom(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 || strings.IndexFunc(id, func(c rune) bool {
		return !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
	}) >= 0 {
		return randomHex(8)
	}
	return id
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
