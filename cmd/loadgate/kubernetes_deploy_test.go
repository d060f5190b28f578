package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDeployManifestsCurrent: the example manifests in deploy/kubernetes/
// are what `loadgate kubernetes` renders from its login.yaml today, with
// the flags of the Makefile's manifests target (which rewrites them).
func TestDeployManifestsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..", "deploy", "kubernetes")
	example := []string{"--shards", "3", "--image", "ghcr.io/loadgate/loadgate:latest", "--run-id", "example", "--deadline", "30m"}
	for file, args := range map[string][]string{
		"job.yaml":  append([]string{"kubernetes", "job", filepath.Join(dir, "login.yaml"), "--start-at", "2026-12-01T09:00:00Z"}, example...),
		"gate.yaml": append([]string{"kubernetes", "gate"}, example...),
	} {
		code, stdout, stderr := run(t, args...)
		if code != exitOK {
			t.Fatalf("%s: exit %d\n%s", file, code, stderr)
		}
		saved, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if string(saved) != stdout {
			t.Errorf("deploy/kubernetes/%s is not what loadgate renders today: run make manifests\nrendered:\n%s", file, stdout)
		}
	}
}
