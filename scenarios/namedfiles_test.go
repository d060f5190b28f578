package scenarios

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestNamedFiles: a scenario file names its users CSV, its multipart
// files (an aliased one once) and its tls block's files, as it writes
// them; a built-in names none.
func TestNamedFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"people.csv": "username,password\nu,p\n", "img/a.png": "png", "notes.txt": "n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := `
tls: {ca_cert: ca.pem, client_cert: /etc/client.pem, client_key: client.key}
users: {csv: people.csv}
steps:
  - name: one
    path: /upload
    multipart:
      avatar: &avatar {file: img/a.png}
      notes: {file: notes.txt}
  - name: two
    path: /upload
    multipart: {avatar: *avatar}
`
	sc, err := Parse(filepath.Join(dir, "s.yaml"), []byte(file), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	want := []NamedFile{{"ca.pem", true}, {"/etc/client.pem", true}, {"client.key", true}, {"people.csv", false}, {"img/a.png", false}, {"notes.txt", false}}
	if got := sc.Files(); !slices.Equal(got, want) {
		t.Errorf("Files() = %v, want %v", got, want)
	}
	builtin, _ := Lookup("stress")
	if got := builtin.Files(); len(got) != 0 {
		t.Errorf("the built-in stress names %v", got)
	}
}
