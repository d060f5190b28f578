package apiserver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// authResponse is the body of a successful register or login.
type authResponse struct {
	Token       string    `json:"token"`
	UserID      string    `json:"user_id"`
	WorkspaceID string    `json:"workspace_id"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// profileResponse is the body of a successful profile request.
type profileResponse struct {
	UserID        string    `json:"user_id"`
	Username      string    `json:"username"`
	Email         string    `json:"email"`
	WorkspaceID   string    `json:"workspace_id"`
	WorkspaceName string    `json:"workspace_name"`
	CreatedAt     time.Time `json:"created_at"`
}

type registerRequest struct {
	Username      *string `json:"username"`
	Password      *string `json:"password"`
	Email         *string `json:"email"`
	WorkspaceName *string `json:"workspace_name"`
}

type loginRequest struct {
	Username    *string `json:"username"`
	Password    *string `json:"password"`
	WorkspaceID *string `json:"workspace_id"`
}

const (
	maxUsernameBytes = 64
	maxEmailBytes    = 254
)

func (s *Server) register(w http.ResponseWriter, r *http.Request) (any, *apiError) {
	var req registerRequest
	if fail := decodeJSON(w, r, &req); fail != nil {
		return nil, fail
	}
	if fail := requireFields(field{"username", req.Username}, field{"password", req.Password}, field{"email", req.Email}); fail != nil {
		return nil, fail
	}
	if msg := passwordProblem(*req.Password); msg != "" {
		return nil, badRequest(msg)
	}
	username, email := strings.TrimSpace(*req.Username), strings.TrimSpace(*req.Email)
	if fail := checkIdentity(username, email); fail != nil {
		return nil, fail
	}
	u := user{
		ID:            newID(),
		Username:      username,
		Email:         email,
		WorkspaceID:   newID(),
		WorkspaceName: username + "'s workspace",
		CreatedAt:     time.Now().UTC(),
	}
	if req.WorkspaceName != nil && strings.TrimSpace(*req.WorkspaceName) != "" {
		u.WorkspaceName = strings.TrimSpace(*req.WorkspaceName)
	}
	hash := func() (err error) {
		timed(s.metrics.bcrypt, "hash", func() {
			u.PasswordHash, err = bcrypt.GenerateFromPassword([]byte(*req.Password), s.cfg.BcryptCost)
		})
		return err
	}
	if !s.cfg.HashUnderLock {
		if err := hash(); err != nil {
			return nil, errInternal
		}
	}
	err := s.store.with(r.Context(), opRegister, func(t *tables) error {
		if _, taken := t.byUsername[u.Username]; taken {
			return conflict("Username already exists")
		}
		if _, taken := t.byEmailKey[emailKey(u.Email)]; taken {
			return conflict("Email already exists")
		}
		if s.cfg.HashUnderLock {
			if err := hash(); err != nil {
				return err
			}
		}
		t.insert(u)
		return nil
	})
	if err != nil {
		return nil, storageFailure(err)
	}
	return s.authenticated(u)
}

// checkIdentity validates the username and e-mail of a registration.
func checkIdentity(username, email string) *apiError {
	switch {
	case username == "":
		return badRequest("Username is required")
	case len(username) > maxUsernameBytes:
		return badRequest("Username must be at most 64 characters long")
	case email == "":
		return badRequest("Email is required")
	case len(email) > maxEmailBytes:
		return badRequest("Email must be at most 254 characters long")
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(domain, "@ ") {
		return badRequest("Invalid email format")
	}
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) (any, *apiError) {
	if s.permits != nil {
		if !s.permits.acquire(r.Context(), s.cfg.PermitWait, s.metrics.permitWaits) {
			s.metrics.permitRejections.Inc()
			return nil, errOverloaded
		}
		s.metrics.permitsInUse.Inc()
		defer s.metrics.permitsInUse.Dec()
		defer s.permits.release()
	}
	var req loginRequest
	if fail := decodeJSON(w, r, &req); fail != nil {
		return nil, fail
	}
	if fail := requireFields(field{"username", req.Username}, field{"password", req.Password}); fail != nil {
		return nil, fail
	}
	var u user
	var found, matches bool
	err := s.store.with(r.Context(), opLogin, func(t *tables) error {
		u, found = t.byUsername[*req.Username]
		if s.cfg.HashUnderLock {
			matches = s.passwordMatches(u, found, *req.Password)
		}
		return nil
	})
	if err != nil {
		return nil, storageFailure(err)
	}
	if !s.cfg.HashUnderLock {
		matches = s.passwordMatches(u, found, *req.Password)
	}
	if !matches || (req.WorkspaceID != nil && *req.WorkspaceID != "" && *req.WorkspaceID != u.WorkspaceID) {
		return nil, errInvalidCredentials
	}
	return s.authenticated(u)
}

// passwordMatches runs one full bcrypt comparison whether or not the user
// exists (against a dummy hash when not), so that an unknown user and a wrong
// password cost the same time.
func (s *Server) passwordMatches(u user, found bool, password string) bool {
	hash, pw := u.PasswordHash, []byte(password)
	if !found {
		hash = s.dummyHash
	}
	if len(pw) > maxPasswordBytes {
		found, pw = false, pw[:maxPasswordBytes]
	}
	var err error
	timed(s.metrics.bcrypt, "compare", func() { err = bcrypt.CompareHashAndPassword(hash, pw) })
	return err == nil && found
}

// authenticated issues a token for u, outside the storage lock.
func (s *Server) authenticated(u user) (any, *apiError) {
	token, expires, err := s.tokens.issue(u, time.Now())
	if err != nil {
		return nil, errInternal
	}
	return authResponse{Token: token, UserID: u.ID, WorkspaceID: u.WorkspaceID, ExpiresAt: expires.UTC()}, nil
}

func (s *Server) profile(_ http.ResponseWriter, r *http.Request) (any, *apiError) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errUnauthorized
	}
	userID, err := s.tokens.verify(strings.TrimSpace(token))
	if err != nil {
		return nil, errUnauthorized
	}
	var u user
	var found bool
	err = s.store.with(r.Context(), opProfile, func(t *tables) error {
		u, found = t.userByID(userID)
		return nil
	})
	if err != nil {
		return nil, storageFailure(err)
	}
	if !found {
		return nil, errUnauthorized
	}
	return profileResponse{UserID: u.ID, Username: u.Username, Email: u.Email,
		WorkspaceID: u.WorkspaceID, WorkspaceName: u.WorkspaceName, CreatedAt: u.CreatedAt}, nil
}

func (s *Server) health(http.ResponseWriter, *http.Request) (any, *apiError) {
	return map[string]any{
		"status":         "healthy",
		"timestamp":      time.Now().UTC(),
		"uptime_seconds": int64(time.Since(s.started).Seconds()),
	}, nil
}

// storageFailure maps an error from store.with to the answer: the
// lock-timeout 503, an *apiError from inside the lock, 499 when the client
// went away, or 500.
func storageFailure(err error) *apiError {
	var fail *apiError
	switch {
	case errors.Is(err, errLockTimeout):
		return errBusy
	case errors.As(err, &fail):
		return fail
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errClientClosed
	default:
		return errInternal
	}
}

// newID returns a random version 4 UUID.
func newID() string {
	h := []byte(randomHex(16))
	h[12] = '4'
	h[16] = "89ab"[h[16]%4]
	return string(h[0:8]) + "-" + string(h[8:12]) + "-" + string(h[12:16]) + "-" + string(h[16:20]) + "-" + string(h[20:32])
}
