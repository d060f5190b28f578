package apiserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/apiserver"
	"golang.org/x/crypto/bcrypt"
)

// fuzzHandler checks that one request with any body and content type gets a
// 2xx or 4xx answer with a JSON object body, and an "error" on a 4xx.
func fuzzHandler(f *testing.F, method, path string, seeds []string) {
	srv, err := apiserver.New(apiserver.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		f.Add(s, "application/json")
	}
	f.Add(`{"username":"a"}`, "text/plain")
	f.Add(`{"username":"a"}`, "application/problem+json; charset=utf-8")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for body %q (%s): %s", rec.Code, body, contentType, rec.Body)
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("status %d with a body that is not a JSON object: %q", rec.Code, rec.Body)
		}
		if rec.Code >= 400 && answer["error"] == nil {
			t.Fatalf("status %d without an error message: %s", rec.Code, rec.Body)
		}
	})
}

func FuzzRegister(f *testing.F) {
	fuzzHandler(f, http.MethodPost, "/api/auth/register", []string{
		`{"username":"alice","password":"Passw0rd!","email":"alice@example.com"}`,
		`{"username":"alice","password":"Passw0rd!","email":"alice@example.com","workspace_name":"Ops"}`,
		`{"username":"","password":"` + strings.Repeat("Aa1!", 30) + `","email":"@"}`,
		`{"username":null}`, `[]`, `"x"`, `{}`, `{"username":1e999}`, "{\"username\":\"\xff\"}", `{} {}`,
	})
}

func FuzzLogin(f *testing.F) {
	fuzzHandler(f, http.MethodPost, "/api/auth/login", []string{
		`{"username":"alice","password":"Passw0rd!"}`,
		`{"username":"alice","password":"Passw0rd!","workspace_id":"x"}`,
		`{"username":"alice","password":"` + strings.Repeat("x", 200) + `"}`,
		`{"password":"x"}`, `null`, `{"username":["a"]}`, ``,
	})
}

// FuzzProfileAuthorization feeds any Authorization header to the profile
// endpoint: it answers 401, never 5xx.
func FuzzProfileAuthorization(f *testing.F) {
	srv, err := apiserver.New(apiserver.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "Bearer ", "Bearer x.y.z", "bearer eyJhbGciOiJub25lIn0.e30.", "Basic YTpi"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, authorization string) {
		req := httptest.NewRequest(http.MethodGet, "/api/auth/profile", nil)
		req.Header["Authorization"] = []string{authorization}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d for Authorization %q: %s", rec.Code, authorization, rec.Body)
		}
	})
}
