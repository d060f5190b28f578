package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
)

// authUsers registers users with a form (no method: a POST) through the
// third-party-shaped API; their passwords hold + and %, and "%2B", which
// a form decodes as "+" unless it is escaped.
const authUsers = `
users:
  register:
    count: 10
    password: "Pw+%{{n}}-x%2B!"
    request:
      path: /api/collections/users/records
      form: {email: "{{user.email}}", password: "{{user.password}}", passwordConfirm: "{{user.password}}"}
`

// TestFormLoginAuthAPI: a form login sends each rendered value escaped, so
// every user logs in although their passwords hold + and %; the same login
// as a hand-written form string fails every time. The counts are the
// server's own.
func TestFormLoginAuthAPI(t *testing.T) {
	api := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	dir := t.TempDir()
	form := writeFile(t, dir, "form.yaml", "target: "+api.URL+authUsers+`
load: {concurrency: 2, iterations: 20}
steps:
  - name: login
    path: /api/collections/users/auth-with-password
    form: {identity: "{{user.email}}", password: "{{user.password}}"}
slos: [errors==0, login.requests==20]
`)
	if code, stdout, stderr := run(t, "run", form, "--no-progress"); code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if reg, ok, bad := api.Requests(testkit.AuthRegister, 200), api.Requests(testkit.AuthLogin, 200), api.Requests(testkit.AuthLogin, 400); reg != 10 || ok != 20 || bad != 0 {
		t.Errorf("server log: %d registered, %d logins ok, %d refused; want 10, 20, 0", reg, ok, bad)
	}

	handWritten := writeFile(t, dir, "string.yaml", "target: "+api.URL+authUsers+`
load: {concurrency: 2, iterations: 20}
steps:
  - name: login
    path: /api/collections/users/auth-with-password
    headers: {Content-Type: application/x-www-form-urlencoded}
    body: "identity={{user.email}}&password={{user.password}}"
slos: [login.client_error==20]
`)
	if code, stdout, stderr := run(t, "run", handWritten, "--no-progress"); code != exitOK {
		t.Fatalf("hand-written form: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if ok, bad := api.Requests(testkit.AuthLogin, 200), api.Requests(testkit.AuthLogin, 400); ok != 20 || bad != 20 {
		t.Errorf("server log after the hand-written form: %d logins ok, %d refused; want 20 (before), 20", ok, bad)
	}
}

// TestMultipartAuthAPI: users registered and logged in with multipart
// bodies, fields and a file from beside the scenario file; every request
// arrives whole.
func TestMultipartAuthAPI(t *testing.T) {
	api := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	dir := t.TempDir()
	writeFile(t, dir, "avatar.txt", "a small file\r\n--with a dash line\r\n")
	file := writeFile(t, dir, "multipart.yaml", "target: "+api.URL+`
load: {concurrency: 2, iterations: 6}
users:
  register:
    count: 3
    request:
      path: /api/collections/users/records
      multipart:
        email: "{{user.email}}"
        password: "{{user.password}}"
        passwordConfirm: "{{user.password}}"
        avatar: {file: avatar.txt, content_type: text/plain}
steps:
  - name: login
    path: /api/collections/users/auth-with-password
    multipart: {identity: "{{user.email}}", password: "{{user.password}}"}
slos: [errors==0]
`)
	if code, stdout, stderr := run(t, "run", file, "--no-progress"); code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if reg, ok := api.Requests(testkit.AuthRegister, 200), api.Requests(testkit.AuthLogin, 200); reg != 3 || ok != 6 {
		t.Errorf("server log: %d registered, %d logins ok; want 3, 6", reg, ok)
	}
}

// TestExpectedDuplicateAuthAPI: six users are registered twice, one of
// them with a password too short. With the duplicate expected, the five
// second registrations that answer 400 validation_not_unique are ok, and
// the short password's two 400s stay errors; the counts match the
// server's log.
func TestExpectedDuplicateAuthAPI(t *testing.T) {
	api := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("email,password\n")
	for i := range 5 {
		fmt.Fprintf(&csv, "u%d@auth.test,Secret-%d-pw\n", i, i)
	}
	csv.WriteString("short@auth.test,pw\n")
	writeFile(t, dir, "people.csv", csv.String())
	file := writeFile(t, dir, "dup.yaml", "target: "+api.URL+`
load: {concurrency: 1, iterations: 12}
users: {csv: people.csv}
steps:
  - name: register
    path: /api/collections/users/records
    body: {email: "{{user.email}}", password: "{{user.password}}", passwordConfirm: "{{user.password}}"}
    expect:
      - {status: 400, json: {path: data.email.code, equals: validation_not_unique}}
slos: [register.ok==10, register.client_error==2]
`)
	out := filepath.Join(dir, "result.json")
	if code, stdout, stderr := run(t, "run", file, "--out", out, "--no-progress"); code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	e := endpoint(t, readResult(t, out), "register")
	if created, refused := api.Requests(testkit.AuthRegister, 200), api.Requests(testkit.AuthRegister, 400); created != 5 || refused != 7 ||
		e.OK != int64(created+5) || e.Classes["client_error"] != int64(refused-5) {
		t.Errorf("server: %d created, %d refused; result: %+v; want 5, 7 and 10 ok, 2 client errors", created, refused, e)
	}
}

// TestStepClassNoToken: a step's own class counts its 200s without a
// token, in the summary, the result file and the SLOs, and leaves the
// other steps alone: the login answers carry a token, the record reads
// (raw token in Authorization, the id from the nested record) do not.
func TestStepClassNoToken(t *testing.T) {
	api := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	dir := t.TempDir()
	noToken := "classes: {no_token: {status: 200, json: {path: token, exists: false}}}"
	file := writeFile(t, dir, "token.yaml", "target: "+api.URL+authUsers+`
load: {concurrency: 2, iterations: 8}
steps:
  - name: login
    path: /api/collections/users/auth-with-password
    form: {identity: "{{user.email}}", password: "{{user.password}}"}
    `+noToken+`
    extract: {token: token, id: record.id}
  - name: record
    path: "/api/collections/users/records/{{id}}"
    headers: {Authorization: "{{token}}"}
    `+noToken+`
slos: [login.no_token==0, no_token==0]
`)
	out := filepath.Join(dir, "result.json")
	code, stdout, stderr := run(t, "run", file, "--out", out, "--no-progress")
	if code != exitSLOFailed {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	r := readResult(t, out)
	login, record := endpoint(t, r, "login"), endpoint(t, r, "record")
	if served := api.Requests(testkit.AuthRecord, 200); login.OK != 8 || login.Classes["no_token"] != 0 || served != 8 || record.Classes["no_token"] != int64(served) {
		t.Errorf("login %+v, record %+v, server's record reads %d; want 8 ok logins and 8 no_token reads", login, record, served)
	}
	if !strings.Contains(stdout, "no_token:8") || !strings.Contains(stdout, "PASS  login.no_token==0") || !strings.Contains(stdout, "FAIL  no_token==0") {
		t.Errorf("the summary does not show the class:\n%s", stdout)
	}
}

// TestUsernameAsEmailAuthAPI: run --username a@b.test with users whose
// identity is their e-mail logs in as that e-mail, registering nobody;
// without users.identity the e-mail is built from the username by the
// e-mail template, name@domain@domain, and every login fails.
func TestUsernameAsEmailAuthAPI(t *testing.T) {
	api := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	const password = "Pw+%2B-given"
	api.AddUser("a@b.test", password)
	dir := t.TempDir()
	scenario := func(identity string) string {
		return "target: " + api.URL + `
load: {iterations: 4}
users:
  register: {count: 3, email: "{{user.username}}@auth.test"}
  ` + identity + `
steps:
  - name: login
    path: /api/collections/users/auth-with-password
    form: {identity: "{{user.email}}", password: "{{user.password}}"}
slos: [errors==0]
`
	}
	withIdentity := writeFile(t, dir, "identity.yaml", scenario("identity: email"))
	if code, stdout, stderr := run(t, "run", withIdentity, "--username", "a@b.test", "--password", password, "--no-progress"); code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if ok, reg := api.Requests(testkit.AuthLogin, 200), api.Requests(testkit.AuthRegister, 200)+api.Requests(testkit.AuthRegister, 400); ok != 4 || reg != 0 {
		t.Errorf("server log: %d logins ok, %d registrations; want 4, 0", ok, reg)
	}
	without := writeFile(t, dir, "plain.yaml", scenario("order: sequential"))
	if code, _, _ := run(t, "run", without, "--username", "a@b.test", "--password", password, "--no-progress"); code != exitSLOFailed || api.Requests(testkit.AuthLogin, 400) != 4 {
		t.Errorf("without identity: exit %d, %d logins refused; want 3, 4", code, api.Requests(testkit.AuthLogin, 400))
	}
}

// TestUnreadableMultipartFile: validate and run name a multipart file that
// cannot be read, at its line and column, and exit 2 before any request.
func TestUnreadableMultipartFile(t *testing.T) {
	api := testkit.NewAuthBackend(t, testkit.AuthBackendOptions{})
	dir := t.TempDir()
	file := writeFile(t, dir, "upload.yaml", "target: "+api.URL+`
steps:
  - name: upload
    path: /api/collections/users/records
    multipart: {avatar: {file: missing.png}}
`)
	want := file + ":5:32: step upload.multipart.avatar.file " + filepath.Join(dir, "missing.png") + ": no such file or directory\n"
	for _, cmd := range []string{"validate", "run"} {
		if code, _, stderr := run(t, cmd, file); code != exitUsage || stderr != want {
			t.Errorf("%s: exit %d, stderr %q; want 2, %q", cmd, code, stderr, want)
		}
	}
	if n := api.Requests(testkit.AuthRegister, 400) + api.Requests(testkit.AuthRegister, 200); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
