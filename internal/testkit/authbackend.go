package testkit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// AuthBackend is a loopback server shaped like a third-party auth API that
// scenario files are written for, unlike the reference API in its every
// habit:
//
//   - POST /api/collections/users/records registers {email, password,
//     passwordConfirm} and answers 200 with the record; a taken e-mail is a
//     400 whose data.email.code is "validation_not_unique", a password under
//     8 characters a 400 whose data.password.code is
//     "validation_length_out_of_range";
//   - POST /api/collections/users/auth-with-password takes {identity,
//     password} and answers 200 {"token": ..., "record": {"id": ..., "email":
//     ...}}, or 400 for wrong credentials;
//   - GET /api/collections/users/records/{id} wants the raw token in
//     Authorization (no "Bearer "): 401 without a valid one, 403 for another
//     user's record;
//   - POST /api/collections/users/auth-refresh answers like a login, for
//     the token in Authorization.
//
// Bodies may be JSON, application/x-www-form-urlencoded or
// multipart/form-data. Throttled answers are 429s without Retry-After.
// Start it with NewAuthBackend; it is safe for concurrent use.
type AuthBackend struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	opts   AuthBackendOptions
	mu     sync.Mutex
	users  map[string]authUser // by e-mail
	tokens map[string]*authToken
	logins int // answered by auth-with-password, 2xx or not, since the last throttle window
	log    map[string]int
}

// The routes of an AuthBackend, as Requests names them.
const (
	AuthRegister = "POST /api/collections/users/records"
	AuthLogin    = "POST /api/collections/users/auth-with-password"
	AuthRefresh  = "POST /api/collections/users/auth-refresh"
	AuthRecord   = "GET /api/collections/users/records/{id}"
)

// AuthBackendOptions shape an AuthBackend. The zero value throttles nothing
// and keeps tokens valid forever.
type AuthBackendOptions struct {
	// LoginBurst, when positive, is how many auth-with-password requests
	// are answered before every further one gets a 429, until Release.
	LoginBurst int
	// RefillAfterRefusal lets LoginBurst more logins through after each
	// 429, as Release would, without a test having to watch for it.
	RefillAfterRefusal bool
	// TokenUses, when positive, is how many requests a token authorises
	// before it answers 401, as an expired token would.
	TokenUses int
}

type authUser struct {
	id, email, password string
}

type authToken struct {
	userID string
	uses   int
}

// NewAuthBackend serves an AuthBackend on a loopback port until the test
// ends.
func NewAuthBackend(t testing.TB, opts AuthBackendOptions) *AuthBackend {
	t.Helper()
	b := &AuthBackend{opts: opts, users: map[string]authUser{}, tokens: map[string]*authToken{}, log: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/collections/users/records", b.register)
	mux.HandleFunc("POST /api/collections/users/auth-with-password", b.login)
	mux.HandleFunc("POST /api/collections/users/auth-refresh", b.refresh)
	mux.HandleFunc("GET /api/collections/users/records/{id}", b.record)
	b.URL = "http://" + HTTPServer(t, b.logged(mux))
	return b
}

// Requests returns how many requests the server answered with status at
// path (its own request log), such as Requests("POST
// /api/collections/users/auth-with-password", 429).
func (b *AuthBackend) Requests(route string, status int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.log[fmt.Sprintf("%s %d", route, status)]
}

// Release lets LoginBurst more logins through.
func (b *AuthBackend) Release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logins = 0
}

// AddUser registers a user directly, as one created before the test.
func (b *AuthBackend) AddUser(email, password string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.users[email] = authUser{id: newID(), email: email, password: password}
}

// logged counts each answer by method, path pattern and status.
func (b *AuthBackend) logged(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Method + " " + r.URL.Path
		if strings.HasPrefix(r.URL.Path, "/api/collections/users/records/") {
			route = r.Method + " /api/collections/users/records/{id}"
		}
		b.mu.Lock()
		b.log[fmt.Sprintf("%s %d", route, rec.status)]++
		b.mu.Unlock()
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (b *AuthBackend) register(w http.ResponseWriter, r *http.Request) {
	f, ok := fields(w, r)
	if !ok {
		return
	}
	email, password := f["email"], f["password"]
	invalid := map[string]any{}
	switch {
	case !strings.Contains(email, "@"):
		invalid["email"] = fieldError("validation_is_email", "Must be a valid email address.")
	case len(password) < 8:
		invalid["password"] = fieldError("validation_length_out_of_range", "Must be at least 8 characters.")
	case f["passwordConfirm"] != password:
		invalid["passwordConfirm"] = fieldError("validation_values_mismatch", "Values don't match.")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, taken := b.users[email]; taken && len(invalid) == 0 {
		invalid["email"] = fieldError("validation_not_unique", "Value must be unique.")
	}
	if len(invalid) > 0 {
		answer(w, http.StatusBadRequest, map[string]any{"code": 400, "message": "Failed to create record.", "data": invalid})
		return
	}
	u := authUser{id: newID(), email: email, password: password}
	b.users[email] = u
	answer(w, http.StatusOK, u.record())
}

func (b *AuthBackend) login(w http.ResponseWriter, r *http.Request) {
	f, ok := fields(w, r)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logins++
	if b.opts.LoginBurst > 0 && b.logins > b.opts.LoginBurst {
		if b.opts.RefillAfterRefusal {
			b.logins = 0
		}
		answer(w, http.StatusTooManyRequests, map[string]any{"code": 429, "message": "Too Many Requests.", "data": map[string]any{}})
		return
	}
	u, found := b.users[f["identity"]]
	if !found || u.password != f["password"] {
		answer(w, http.StatusBadRequest, map[string]any{"code": 400, "message": "Failed to authenticate.", "data": map[string]any{}})
		return
	}
	b.issue(w, u)
}

func (b *AuthBackend) refresh(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.authorised(w, r)
	if ok {
		b.issue(w, u)
	}
}

func (b *AuthBackend) record(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.authorised(w, r)
	if !ok {
		return
	}
	if u.id != r.PathValue("id") {
		answer(w, http.StatusForbidden, map[string]any{"code": 403, "message": "Only the owner can read the record.", "data": map[string]any{}})
		return
	}
	answer(w, http.StatusOK, u.record())
}

// issue answers with a new token for u; b.mu is held.
func (b *AuthBackend) issue(w http.ResponseWriter, u authUser) {
	token := newID() + newID()
	b.tokens[token] = &authToken{userID: u.id}
	answer(w, http.StatusOK, map[string]any{"token": token, "record": u.record()})
}

// authorised returns the user of the raw token in Authorization, or
// answers 401; b.mu is held.
func (b *AuthBackend) authorised(w http.ResponseWriter, r *http.Request) (authUser, bool) {
	tok := b.tokens[r.Header.Get("Authorization")]
	if tok != nil {
		tok.uses++
	}
	if tok == nil || b.opts.TokenUses > 0 && tok.uses > b.opts.TokenUses {
		answer(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "The request requires valid record authorization token.", "data": map[string]any{}})
		return authUser{}, false
	}
	for _, u := range b.users {
		if u.id == tok.userID {
			return u, true
		}
	}
	answer(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "The token's user is gone.", "data": map[string]any{}})
	return authUser{}, false
}

func (u authUser) record() map[string]any {
	return map[string]any{"id": u.id, "email": u.email, "collectionName": "users", "verified": false}
}

// fields reads a body of JSON, form or multipart fields as strings, or
// answers 400.
func fields(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	out := map[string]string{}
	kind, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch kind {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if kind == "multipart/form-data" {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
	default:
		var raw map[string]any
		err = json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&raw)
		for k, v := range raw {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
	}
	if err != nil {
		answer(w, http.StatusBadRequest, map[string]any{"code": 400, "message": "Failed to load the submitted data.", "data": map[string]any{}})
		return nil, false
	}
	return out, true
}

func fieldError(code, message string) map[string]string {
	return map[string]string{"code": code, "message": message}
}

func answer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
