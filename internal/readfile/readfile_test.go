package readfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLimited(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	os.WriteFile(path, []byte("12345"), 0o644)
	if data, err := Limited(path, 5); err != nil || string(data) != "12345" {
		t.Errorf("at the limit: %q, %v", data, err)
	}
	if _, err := Limited(path, 4); err == nil || err.Error() != "larger than 4 bytes" {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := Limited("/dev/zero", 1<<10); err == nil {
		t.Errorf("/dev/zero was read")
	}
	if _, err := Limited(filepath.Join(dir, "missing"), 4); err == nil || strings.Contains(err.Error(), dir) {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := Limited(dir, 4); err == nil || strings.Contains(err.Error(), dir) {
		t.Errorf("a directory: %v", err)
	}
}
