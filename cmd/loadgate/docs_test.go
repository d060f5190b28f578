package main

import (
	"path/filepath"
	"regexp"
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
