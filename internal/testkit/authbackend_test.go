package testkit_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
)

// TestAuthBackendShape checks the habits scenario tests rely on: a form
// login, a raw token header, a nested record id, a duplicate as a 400 with
// a JSON code, a 429 without Retry-After, a token that expires by use.
func TestAuthBackendShape(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{LoginBurst: 1, TokenUses: 1})
	post := func(path, kind, body string) (*http.Response, map[string]any) {
		resp, err := http.Post(b.URL+path, kind, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		json.NewDecoder(resp.Body).Decode(&doc)
		return resp, doc
	}
	reg := `{"email":"ann@example.test","password":"a+b%c-12","passwordConfirm":"a+b%c-12"}`
	if resp, _ := post("/api/collections/users/records", "application/json", reg); resp.StatusCode != 200 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	resp, doc := post("/api/collections/users/records", "application/json", reg)
	code := doc["data"].(map[string]any)["email"].(map[string]any)["code"]
	if resp.StatusCode != 400 || code != "validation_not_unique" {
		t.Fatalf("duplicate: %d %v", resp.StatusCode, doc)
	}
	form := url.Values{"identity": {"ann@example.test"}, "password": {"a+b%c-12"}}.Encode()
	resp, doc = post("/api/collections/users/auth-with-password", "application/x-www-form-urlencoded", form)
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d %v", resp.StatusCode, doc)
	}
	token, id := doc["token"].(string), doc["record"].(map[string]any)["id"].(string)
	if resp, _ := post("/api/collections/users/auth-with-password", "application/x-www-form-urlencoded", form); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("second login past the burst: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	get := func(auth string) int {
		req, _ := http.NewRequest("GET", b.URL+"/api/collections/users/records/"+id, nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("Bearer " + token); got != 401 {
		t.Errorf("Bearer token: %d, want 401", got)
	}
	if got := get(token); got != 200 {
		t.Errorf("raw token, first use: %d, want 200", got)
	}
	if got := get(token); got != 401 {
		t.Errorf("raw token past its uses: %d, want 401", got)
	}
	if got := b.Requests("POST /api/collections/users/auth-with-password", 429); got != 1 {
		t.Errorf("the log counts %d 429s, want 1", got)
	}
}

// TestAuthBackendRefill: with RefillAfterRefusal, each 429 lets the burst
// through again.
func TestAuthBackendRefill(t *testing.T) {
	b := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{LoginBurst: 1, RefillAfterRefusal: true})
	b.AddUser("ann@example.test", "a-long-password")
	var got []int
	for range 4 {
		resp, err := http.Post(b.URL+"/api/collections/users/auth-with-password", "application/json",
			strings.NewReader(`{"identity":"ann@example.test","password":"a-long-password"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got = append(got, resp.StatusCode)
	}
	if fmt.Sprint(got) != "[200 429 200 429]" {
		t.Errorf("statuses %v, want [200 429 200 429]", got)
	}
}
