package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageInOwnWords: every mistake on the command line is a usage error,
// exit 2, in one line of loadgate's own words, with no cobra default
// showing through and plurals that agree with their counts.
func TestUsageInOwnWords(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "one-user.csv")
	file := filepath.Join(dir, "unique.yaml")
	os.WriteFile(users, []byte("username,password\nann,pw\n"), 0o644)
	os.WriteFile(file, []byte("users: {csv: one-user.csv, order: unique}\nsteps:\n  - {name: a, path: \"/a/{{user.username}}\"}\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "report needs at least one result file; usage: loadgate report RESULT.json..."},
		{[]string{"validate"}, "validate needs at least one scenario file; usage: loadgate validate FILE..."},
		{[]string{"scenarios", "show"}, "scenarios show needs the name of a built-in scenario; usage: loadgate scenarios show NAME"},
		{[]string{"scenarios", "show", "a", "b"}, `scenarios show takes the name of a built-in scenario, not 2 arguments ("a" "b")`},
		{[]string{"run", "a", "b"}, `run takes one scenario, a built-in name or a FILE.yaml, not 2 arguments ("a" "b")`},
		{[]string{"smoke", "x"}, `smoke takes no arguments; got "x"`},
		{[]string{"version", "x"}, `version takes no arguments; got "x"`},
		{[]string{"serve", "x"}, `serve takes no arguments; got "x"`},
		{[]string{"scenarios", "x"}, `scenarios takes no arguments: "x" is not one of its commands (show)`},
		{[]string{"foo"}, `unknown command "foo"; the commands are completion, kubernetes, logs, plan, report, run, scenarios, serve, smoke, validate, version`},
		{[]string{"help", "foo"}, `no help for "foo": the commands are completion, kubernetes, logs, plan, report, run`},
		{[]string{"completion"}, "completion needs a shell: bash, fish, powershell, zsh"},
		{[]string{"completion", "tcsh"}, `completion: unknown shell "tcsh"; the shells are bash, fish, powershell, zsh`},
		{[]string{"completion", "bash", "x"}, `completion bash takes no arguments; got "x"`},
		{[]string{"run", "--rps", "5"}, "unknown flag: --rps (see 'loadgate run --help')"},
		{[]string{"run", file, "-n", "5"}, "the scenario's users (order: unique) allow at most 1 iteration\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line containing %q", code, stdout, stderr, tc.want)
			}
			for _, cobra := range []string{"arg(s)", `" for "loadgate`, "Did you mean", "iterations\n"} {
				if strings.Contains(stderr, cobra) {
					t.Errorf("stderr %q shows %q", stderr, cobra)
				}
			}
		})
	}
}

// TestCompletionScripts: each shell named gets its script, exit 0.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "fish", "powershell", "zsh"} {
		code, stdout, stderr := run(t, "completion", shell)
		if code != exitOK || !strings.Contains(stdout, "loadgate") || stderr != "" {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, code, len(stdout), stderr)
		}
	}
	if code, stdout, _ := run(t, "help", "run"); code != exitOK || !strings.Contains(stdout, "--target") {
		t.Errorf("help run: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := run(t); code != exitOK || !strings.Contains(stdout, "Available Commands") {
		t.Errorf("no arguments: exit %d\n%s", code, stdout)
	}
}
