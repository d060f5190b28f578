package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputsOnOneFile: two outputs that name one file, by the same path
// written differently, through a linked directory or a linked file, are a
// usage error naming both, found before anything is sent or written.
func TestOutputsOnOneFile(t *testing.T) {
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	if err := os.Mkdir(in("sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(in("sub"), in("link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in("old.json"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(in("old.json"), in("alias.md")); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		args  []string
		flags [2]string
	}{
		"same path":         {[]string{"--out", in("r.json"), "--html", in("r.json")}, [2]string{"--out", "--html"}},
		"written otherwise": {[]string{"--junit", in("r.xml"), "--markdown", dir + "/sub/../r.xml"}, [2]string{"--junit", "--markdown"}},
		"linked directory":  {[]string{"--out", in("sub/r.json"), "--html", in("link/r.json")}, [2]string{"--out", "--html"}},
		"linked file":       {[]string{"--out", in("old.json"), "--markdown", in("alias.md")}, [2]string{"--out", "--markdown"}},
		"raw":               {[]string{"--raw", in("r.csv"), "--junit", in("r.csv")}, [2]string{"--junit", "--raw"}},
		"profile":           {[]string{"--out", in("p"), "--cpuprofile", in("p")}, [2]string{"--out", "--cpuprofile"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			api := watchAPI(t, "/api/auth/register", false)
			code, stdout, stderr := run(t, append([]string{"smoke", "--target", api.URL}, tc.args...)...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit %d, want 2, and no summary; stdout:\n%s", code, stdout)
			}
			if !strings.Contains(stderr, tc.flags[0]+" ") || !strings.Contains(stderr, tc.flags[1]+" ") || !strings.Contains(stderr, "name the same file") {
				t.Errorf("stderr %q does not name %s and %s as one file", stderr, tc.flags[0], tc.flags[1])
			}
			if api.count.Load() != 0 {
				t.Errorf("%d requests sent", api.count.Load())
			}
			if data, _ := os.ReadFile(in("old.json")); string(data) != "keep" {
				t.Errorf("an existing file was changed: %q", data)
			}
		})
	}
}

// TestStepSummaryChecked: a $GITHUB_STEP_SUMMARY that cannot be written is
// a usage error before the first request, as an --out there would be.
func TestStepSummaryChecked(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"missing directory": filepath.Join(dir, "missing", "summary.md"),
		"a directory":       dir,
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envStepSummary, path)
			api := watchAPI(t, "/api/auth/register", false)
			code, stdout, stderr := run(t, "smoke", "--target", api.URL)
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, "$GITHUB_STEP_SUMMARY "+path+": ") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and the variable named", code, stdout, stderr)
			}
			if api.count.Load() != 0 {
				t.Errorf("%d requests sent", api.count.Load())
			}
		})
	}
}
