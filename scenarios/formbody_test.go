package scenarios

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/runner"
)

// TestFormBody: each name and value of a form is escaped, the rendered
// templates too, the step is a POST with the form's Content-Type, and a
// Content-Type the file gives wins.
func TestFormBody(t *testing.T) {
	file := `
users:
  register:
    request:
      path: /register
      form: {email: "{{user.email}}", password: "{{user.password}}"}
steps:
  - name: login
    path: /login
    form: {identity: "{{user.email}}", "pass word": "{{user.password}}", note: "a+b & c%"}
  - name: typed
    path: /typed
    headers: {Content-Type: text/plain}
    form: {a: b}
`
	sc, err := Parse("s.yaml", []byte(file), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := sc.Build(Env{RunID: "r", Embedded: true})
	login, typed := r.Steps[0], r.Steps[1]
	if login.Method != "POST" || login.Header.Get("Content-Type") != formContentType || typed.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("login %s %v, typed %v", login.Method, login.Header, typed.Header)
	}
	setup := r.Setup[0]
	user, err := url.ParseQuery(string(setup.Body))
	if err != nil || !strings.Contains(string(setup.Body), "%40loadgate.test&password=") || setup.Header.Get("Content-Type") != formContentType || setup.Method != "POST" {
		t.Errorf("setup %s %v %q: %v", setup.Method, setup.Header, setup.Body, err)
	}
	body := string(login.Body(runner.Iteration{}))
	got, err := url.ParseQuery(body)
	if err != nil || got.Get("identity") != user.Get("email") || got.Get("pass word") != user.Get("password") || got.Get("note") != "a+b & c%" || strings.Count(body, "&") != 2 {
		t.Errorf("body %q parses as %v (%v); want the user %v", body, got, err, user)
	}
}

// TestMultipartBody: fields (templates rendered) and files read when the
// file loads, relative to its directory, arrive as a multipart reader
// reads them, with the Content-Type naming the boundary.
func TestMultipartBody(t *testing.T) {
	dir := t.TempDir()
	avatar := []byte("\x89PNG\r\n--not-a-boundary\r\n\x00\xff")
	os.MkdirAll(filepath.Join(dir, "img"), 0o755)
	os.WriteFile(filepath.Join(dir, "img", "avatar.png"), avatar, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("plain notes"), 0o644)
	file := `
steps:
  - name: upload
    path: /upload
    multipart:
      title: "upload {{seq}}"
      avatar: {file: img/avatar.png, content_type: image/png}
      "say \"hi\"": x
      notes: {file: notes.txt, filename: n.txt}
`
	sc, err := Parse("s.yaml", []byte(file), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	step := sc.Build(Env{RunID: "r"}).Steps[0]
	mediaType, params, err := mime.ParseMediaType(step.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" || step.Method != "POST" {
		t.Fatalf("%s with Content-Type %q: %v", step.Method, step.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(bytes.NewReader(step.Body(runner.Iteration{Seq: 7})), params["boundary"])
	want := []struct{ name, filename, contentType, content string }{
		{"title", "", "", "upload 7"},
		{"avatar", "avatar.png", "image/png", string(avatar)},
		{`say "hi"`, "", "", "x"},
		{"notes", "n.txt", "application/octet-stream", "plain notes"},
	}
	for _, w := range want {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %s: %v", w.name, err)
		}
		content, _ := io.ReadAll(part)
		if part.FormName() != w.name || part.FileName() != w.filename || part.Header.Get("Content-Type") != w.contentType || string(content) != w.content {
			t.Errorf("part %q %q %q %q, want %+v", part.FormName(), part.FileName(), part.Header.Get("Content-Type"), content, w)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after the last part: %v, want EOF", err)
	}
}
