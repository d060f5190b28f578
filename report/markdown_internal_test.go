package report

import "testing"

// TestMDCode checks that a code span shows its text as it is, whatever
// backticks and spaces it has, and stays on one line.
func TestMDCode(t *testing.T) {
	for in, want := range map[string]string{
		"login":     "`login`",
		"a`b":       "``a`b``",
		"a``b`":     "``` a``b` ```",
		"`x":        "`` `x ``",
		" padded ":  "`  padded  `",
		"two\nline": "`two\uFFFDline`",
		"":          "(none)",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMDText checks that text of our own loses no character to Markdown.
func TestMDText(t *testing.T) {
	if got, want := mdText(`a*b_c [d](e) <f> & ~g~ $h$ \`+"`i`"), `a\*b\_c \[d\](e) \<f\> \& \~g\~ \$h\$ \\\`+"`i\\`"; got != want {
		t.Errorf("mdText = %q, want %q", got, want)
	}
}

// TestGitHubEscapes checks the escaping of workflow commands: a property
// value also escapes the : and , that end it.
func TestGitHubEscapes(t *testing.T) {
	if got, want := ghData("50%: a,b\r\nc"), "50%25: a,b%0D%0Ac"; got != want {
		t.Errorf("ghData = %q, want %q", got, want)
	}
	if got, want := ghProperty("50%: a,b\r\nc"), "50%25%3A a%2Cb%0D%0Ac"; got != want {
		t.Errorf("ghProperty = %q, want %q", got, want)
	}
}
