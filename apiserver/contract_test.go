package apiserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/apiserver"
	"golang.org/x/crypto/bcrypt"
)

const goodPassword = "Passw0rd!"

// TestContract checks every status of the reference API's contract
// (docs/contracts.md §6) over real HTTP: each case is one request against a
// server that has one registered user, alice.
func TestContract(t *testing.T) {
	in := start(t, apiserver.Config{BcryptCost: bcrypt.MinCost})
	base := in.URL()
	alice := register(t, base, "alice", goodPassword, "alice@example.com")
	if alice.status != http.StatusOK {
		t.Fatalf("registering alice: %d %s", alice.status, alice.raw)
	}
	otherServer := start(t, apiserver.Config{BcryptCost: bcrypt.MinCost})
	foreign := register(t, otherServer.URL(), "alice", goodPassword, "alice@example.com").str("token")

	reg := func(username, password, email string) string {
		return jsonBody(map[string]string{"username": username, "password": password, "email": email})
	}
	bearer := func(token string) map[string]string { return map[string]string{"Authorization": "Bearer " + token} }
	cases := []struct {
		name    string
		method  string
		path    string
		body    string
		header  map[string]string
		status  int
		message string // the exact "error" of a failure
	}{
		{"register ok", "POST", "/api/auth/register", reg("bob", goodPassword, "bob@example.com"), nil, 200, ""},
		{"register with workspace name", "POST", "/api/auth/register",
			`{"username":"carol","password":"Passw0rd!","email":"carol@example.com","workspace_name":"Ops"}`, nil, 200, ""},
		{"password too short", "POST", "/api/auth/register", reg("dave", "Pa0!", "d@example.com"), nil, 400, "Password must be at least 8 characters long"},
		{"password without upper", "POST", "/api/auth/register", reg("dave", "passw0rd!", "d@example.com"), nil, 400, "Password must contain at least one uppercase letter"},
		{"password without lower", "POST", "/api/auth/register", reg("dave", "PASSW0RD!", "d@example.com"), nil, 400, "Password must contain at least one lowercase letter"},
		{"password without digit", "POST", "/api/auth/register", reg("dave", "Password!", "d@example.com"), nil, 400, "Password must contain at least one digit"},
		{"password without special", "POST", "/api/auth/register", reg("dave", "Passw0rdX", "d@example.com"), nil, 400, "Password must contain at least one special character"},
		{"password over bcrypt's 72 bytes", "POST", "/api/auth/register", reg("dave", goodPassword+strings.Repeat("x", 70), "d@example.com"), nil, 400, "Password must be at most 72 bytes long"},
		{"password rules come before conflicts", "POST", "/api/auth/register", reg("alice", "weak", "alice@example.com"), nil, 400, "Password must be at least 8 characters long"},
		{"empty username", "POST", "/api/auth/register", reg("  ", goodPassword, "d@example.com"), nil, 400, "Username is required"},
		{"invalid email", "POST", "/api/auth/register", reg("dave", goodPassword, "not-an-email"), nil, 400, "Invalid email format"},
		{"username taken", "POST", "/api/auth/register", reg("alice", goodPassword, "other@example.com"), nil, 409, "Username already exists"},
		{"email taken", "POST", "/api/auth/register", reg("alice2", goodPassword, "alice@example.com"), nil, 409, "Email already exists"},
		{"email taken in other case", "POST", "/api/auth/register", reg("alice3", goodPassword, "ALICE@example.com"), nil, 409, "Email already exists"},
		{"register missing email", "POST", "/api/auth/register", `{"username":"x","password":"Passw0rd!"}`, nil, 422, "Missing field `email`"},
		{"register null password", "POST", "/api/auth/register", `{"username":"x","password":null,"email":"x@example.com"}`, nil, 422, "Missing field `password`"},
		{"register wrong type", "POST", "/api/auth/register", `{"username":42,"password":"Passw0rd!","email":"x@example.com"}`, nil, 422, "Invalid type for field `username`: expected string"},
		{"body not an object", "POST", "/api/auth/register", `["alice"]`, nil, 422, "Request body must be a JSON object"},
		{"login ok", "POST", "/api/auth/login", jsonBody(map[string]string{"username": "alice", "password": goodPassword}), nil, 200, ""},
		{"login in own workspace", "POST", "/api/auth/login", jsonBody(map[string]string{"username": "alice", "password": goodPassword, "workspace_id": alice.str("workspace_id")}), nil, 200, ""},
		{"login wrong password", "POST", "/api/auth/login", jsonBody(map[string]string{"username": "alice", "password": "Wrong0ne!"}), nil, 401, "Invalid credentials"},
		{"login unknown user", "POST", "/api/auth/login", jsonBody(map[string]string{"username": "nobody", "password": goodPassword}), nil, 401, "Invalid credentials"},
		{"login other workspace", "POST", "/api/auth/login", jsonBody(map[string]string{"username": "alice", "password": goodPassword, "workspace_id": "nope"}), nil, 401, "Invalid credentials"},
		{"login over-long password", "POST", "/api/auth/login", jsonBody(map[string]string{"username": "alice", "password": goodPassword + strings.Repeat("x", 80)}), nil, 401, "Invalid credentials"},
		{"login missing password", "POST", "/api/auth/login", `{"username":"alice"}`, nil, 422, "Missing field `password`"},
		{"malformed JSON", "POST", "/api/auth/login", `{"username":"alice",`, nil, 400, "Malformed JSON body: unexpected EOF"},
		{"trailing data", "POST", "/api/auth/login", `{"username":"alice","password":"x"} {}`, nil, 400, "Malformed JSON body: unexpected data after the JSON object"},
		{"empty body", "POST", "/api/auth/login", ``, map[string]string{"Content-Type": "application/json"}, 400, "Malformed JSON body: EOF"},
		{"wrong content type", "POST", "/api/auth/login", `{}`, map[string]string{"Content-Type": "text/plain"}, 415, "Expected request with `Content-Type: application/json`"},
		{"JSON with charset", "POST", "/api/auth/login", `{"username":"alice","password":"Passw0rd!"}`, map[string]string{"Content-Type": "application/json; charset=utf-8"}, 200, ""},
		{"oversized body", "POST", "/api/auth/register", `{"username":"` + strings.Repeat("a", apiserver.MaxBodyBytes) + `"}`, nil, 413, "Request body is larger than 65536 bytes"},
		{"profile ok", "GET", "/api/auth/profile", "", bearer(alice.str("token")), 200, ""},
		{"profile without token", "GET", "/api/auth/profile", "", nil, 401, "Missing or invalid token"},
		{"profile with garbage token", "GET", "/api/auth/profile", "", bearer("not.a.jwt"), 401, "Missing or invalid token"},
		{"profile with another server's token", "GET", "/api/auth/profile", "", bearer(foreign), 401, "Missing or invalid token"},
		{"profile with basic auth", "GET", "/api/auth/profile", "", map[string]string{"Authorization": "Basic YTpi"}, 401, "Missing or invalid token"},
		{"health", "GET", "/health", "", nil, 200, ""},
		{"wrong method", "GET", "/api/auth/login", "", nil, 405, "Method GET is not allowed on /api/auth/login"},
		{"wrong method on health", "DELETE", "/health", "", nil, 405, "Method DELETE is not allowed on /health"},
		{"unknown path", "GET", "/api/auth/nope", "", nil, 404, "Not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, base+tc.path, tc.body, tc.header)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.status, r.raw)
			}
			if got := r.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q, want application/json", got)
			}
			if tc.status != http.StatusOK {
				if got := r.str("error"); got != tc.message {
					t.Errorf("error %q, want %q", got, tc.message)
				}
				return
			}
			if r.body["error"] != nil {
				t.Errorf("a 200 with an error field: %s", r.raw)
			}
		})
	}
}

// TestMethodNotAllowedNamesAllow checks the Allow header of a 405.
func TestMethodNotAllowedNamesAllow(t *testing.T) {
	in := start(t, apiserver.Config{BcryptCost: bcrypt.MinCost})
	r := call(t, http.MethodPut, in.URL()+"/api/auth/register", `{}`, nil)
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != http.MethodPost {
		t.Fatalf("got %d with Allow %q, want 405 with Allow POST", r.status, r.header.Get("Allow"))
	}
}

// TestTokensAndProfile follows one user from registration to profile and
// checks the fields of each answer.
func TestTokensAndProfile(t *testing.T) {
	in := start(t, apiserver.Config{BcryptCost: bcrypt.MinCost})
	base := in.URL()
	reg := register(t, base, "erin", goodPassword, "erin@example.com")
	for _, key := range []string{"token", "user_id", "workspace_id", "expires_at"} {
		if reg.str(key) == "" {
			t.Errorf("register answer lacks %q: %s", key, reg.raw)
		}
	}
	lg := login(t, base, "erin", goodPassword)
	if lg.str("user_id") != reg.str("user_id") || lg.str("workspace_id") != reg.str("workspace_id") {
		t.Errorf("login %s does not match register %s", lg.raw, reg.raw)
	}
	prof := call(t, http.MethodGet, base+"/api/auth/profile", "", map[string]string{"Authorization": "bearer " + lg.str("token")})
	want := map[string]string{"user_id": reg.str("user_id"), "username": "erin", "email": "erin@example.com",
		"workspace_id": reg.str("workspace_id"), "workspace_name": "erin's workspace"}
	for k, v := range want {
		if prof.str(k) != v {
			t.Errorf("profile %s = %q, want %q", k, prof.str(k), v)
		}
	}
	if health := call(t, http.MethodGet, base+"/health", "", nil); health.str("status") != "healthy" {
		t.Errorf("health: %s", health.raw)
	}
}
