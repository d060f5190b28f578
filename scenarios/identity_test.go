package scenarios

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/runner"
)

// TestIdentityEmail: with users.identity: email, --username fills the
// e-mail of registered users (not username, from which the e-mail would
// be built as name@domain@domain), against a remote target and as the
// first registered user of the embedded API; with CSV users it fills the
// column named.
func TestIdentityEmail(t *testing.T) {
	remote := &url.URL{Scheme: "https", Host: "x"}
	file := "users:\n  register: {count: 2, email: \"{{user.username}}@example.test\"}\n  identity: email\nsteps:\n  - {name: a, path: /a, form: {identity: \"{{user.email}}\", name: \"{{user.username}}\", password: \"{{user.password}}\"}}\n"
	sc, err := Parse("s.yaml", []byte(file), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.CheckCredentials(); err != nil {
		t.Fatal(err)
	}
	r := sc.Build(Env{RunID: "r", Username: "ann@acme.test", Password: "p+%w", Target: remote})
	if got := string(r.Steps[0].Body(runner.Iteration{})); len(r.Setup) != 0 || got != "identity=ann%40acme.test&name=lg-r-0&password=p%2B%25w" {
		t.Errorf("remote: %d setup requests, body %s", len(r.Setup), got)
	}
	r = sc.Build(Env{RunID: "r", Username: "ann@acme.test", Password: "p+%w", Embedded: true})
	if len(r.Setup) != 2 || !strings.Contains(string(r.Setup[0].Body), `"username":"lg-r-0","email":"ann@acme.test","password":"p+%w"`) || !strings.Contains(string(r.Setup[1].Body), `"email":"lg-r-1@example.test"`) {
		t.Errorf("embedded: setup %+v", r.Setup)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "u.csv"), []byte("email,password,tenant\nbo@x.test,pw,eu\n"), 0o644)
	sc, err = Parse("s.yaml", []byte("users: {csv: u.csv, identity: email}\nsteps:\n  - {name: a, path: /a, body: {e: \"{{user.email}}\", p: \"{{user.password}}\", t: \"{{user.tenant}}\"}}\n"), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r = sc.Build(Env{RunID: "r", Username: "ann@acme.test", Password: "pw2", Target: remote})
	if err := sc.CheckCredentials(); err != nil || string(r.Steps[0].Body(runner.Iteration{})) != `{"e":"ann@acme.test","p":"pw2","t":""}` {
		t.Errorf("CSV: %v, body %s", err, r.Steps[0].Body(runner.Iteration{}))
	}
	sc, _ = Parse("s.yaml", []byte("users: {csv: u.csv}\nsteps:\n  - {name: a, path: \"/a/{{user.email}}\"}\n"), Options{Dir: dir})
	if err := sc.CheckCredentials(); err == nil || !strings.Contains(err.Error(), "fill the user fields username and password; this scenario's users have email, password, tenant") {
		t.Errorf("CSV without identity: %v", err)
	}
}
