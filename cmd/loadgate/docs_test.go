package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fence is a Markdown code fence line as the docs write them: ``` alone,
// or followed by a language name.
var fence = regexp.MustCompile("^```[A-Za-z0-9_+-]*$")

// TestDocsFencesBalance: in README.md and docs/*.md, every line that starts
// a code fence is a whole fence line, every block that opens closes with a
// bare fence, and none is left open, so that no text after a fence is
// swallowed into a code block.
func TestDocsFencesBalance(t *testing.T) {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	for _, file := range files {
		inside := 0 // the line that opened the block, or 0
		for i, line := range strings.Split(string(mustRead(t, file)), "\n") {
			trimmed := strings.TrimLeft(line, " ")
			if !strings.HasPrefix(trimmed, "```") {
				continue
			}
			switch {
			case !fence.MatchString(trimmed):
				t.Errorf("%s:%d: a fence line with text after it: %q", file, i+1, line)
			case inside > 0 && trimmed != "```":
				t.Errorf("%s:%d: a block opened at line %d closes with %q", file, i+1, inside, line)
			}
			if inside > 0 {
				inside = 0
			} else {
				inside = i + 1
			}
		}
		if inside > 0 {
			t.Errorf("%s:%d: a code block that never closes", file, inside)
		}
	}
	if len(files) < 2 {
		t.Errorf("found %d files, want README.md and docs/*.md", len(files))
	}
}

// yamlBlock is a YAML example in Markdown: its text.
var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// TestScenarioDocsExamplesValidate: every YAML example with steps in
// docs/scenarios.md is a file `loadgate validate` accepts, beside the CSV
// file and the upload the examples name and with the environment variables
// they read, but the two the page shows being refused, which it refuses.
// Examples without steps are fragments of a file.
func TestScenarioDocsExamplesValidate(t *testing.T) {
	t.Setenv("ACME_API_KEY", "k-123")
	t.Setenv("API_PASSWORD", "pw")
	t.Setenv("CLIENT_ID", "client")
	dir := t.TempDir()
	writeFile(t, dir, "acme-users.csv", "email,pass,tenant\nann@acme.test,Secret-1,eu\n")
	writeFile(t, dir, "avatar.png", "\x89PNG")
	shownInvalid := []string{"name: checkout flow", "X-Token: {{seq}}"}
	checked := 0
	for i, block := range yamlBlock.FindAllStringSubmatch(string(mustRead(t, "../../docs/scenarios.md")), -1) {
		example := block[1]
		if !strings.Contains(example, "steps:") {
			continue
		}
		checked++
		file := writeFile(t, dir, fmt.Sprintf("example-%d.yaml", i+1), example)
		code, _, stderr := run(t, "validate", file)
		invalid := slices.ContainsFunc(shownInvalid, func(s string) bool { return strings.Contains(example, s) })
		switch {
		case invalid && code != exitUsage:
			t.Errorf("example %d, shown as invalid, validates:\n%s", i+1, example)
		case !invalid && code != exitOK:
			t.Errorf("example %d does not validate:\n%s\n%s", i+1, example, stderr)
		}
	}
	if checked < 15 {
		t.Errorf("%d examples with steps, want the page's 15 or more", checked)
	}
}
