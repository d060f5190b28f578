package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The checks of the command line that cobra would otherwise make in its own
// words: each problem is a usage error (exit 2) that says, in loadgate's
// words, what the command takes.

// noArgs is the Args of a command that takes no arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if subs := commandNames(cmd); len(subs) > 0 {
		return usagef("%s takes no arguments: %q is not one of its commands (%s)", commandName(cmd), args[0], strings.Join(subs, ", "))
	}
	return usagef("%s takes no arguments; got %s", commandName(cmd), quoted(args))
}

// takes returns the Args of a command that takes from lo to hi arguments
// (hi < 0: any number), each one described by what: "a result file".
func takes(lo, hi int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		usage := strings.TrimSuffix(cmd.UseLine(), " [flags]")
		switch {
		case len(args) < lo && hi != lo:
			return usagef("%s needs at least %s; usage: %s", commandName(cmd), what, usage)
		case len(args) < lo:
			return usagef("%s needs %s; usage: %s", commandName(cmd), what, usage)
		case hi >= 0 && len(args) > hi:
			return usagef("%s takes %s, not %d arguments (%s); usage: %s", commandName(cmd), what, len(args), quoted(args), usage)
		}
		return nil
	}
}

// commandName is cmd's path after "loadgate": "scenarios show".
func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// quoted lists arguments as Go strings: "a" "b".
func quoted(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, " ")
}

// commandNames are the names of cmd's commands that a user can call.
func commandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

// ownWords makes root's built-in parts, and every flag error, speak as
// loadgate does: an unknown command or help topic is a usage error that
// lists the commands, `completion` without a known shell is one that lists
// the shells, and a flag error points at the command's help.
func ownWords(root *cobra.Command) {
	root.Args = cobra.ArbitraryArgs
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return usagef("unknown command %q; the commands are %s (see 'loadgate help')", args[0], strings.Join(commandNames(cmd), ", "))
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usagef("%v (see '%s --help')", flagError(err), cmd.CommandPath())
	})
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [COMMAND]",
		Short: "Help about any command",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("no help for %q: the commands are %s", strings.Join(args, " "), strings.Join(commandNames(root), ", "))
			}
			return cmd.Help()
		},
	})
	root.InitDefaultCompletionCmd()
	for _, completion := range root.Commands() {
		if completion.Name() != "completion" {
			continue
		}
		shells := commandNames(completion)
		slices.Sort(shells)
		completion.Args = cobra.ArbitraryArgs
		completion.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("completion needs a shell: %s", strings.Join(shells, ", "))
			}
			return usagef("completion: unknown shell %q; the shells are %s", args[0], strings.Join(shells, ", "))
		}
		for _, shell := range completion.Commands() {
			shell.Args = noArgs
		}
	}
}

// flagError says in loadgate's words what is wrong with a flag's value,
// where pflag would quote strconv's or time's error.
func flagError(err error) error {
	var invalid *pflag.InvalidValueError
	if !errors.As(err, &invalid) {
		return err
	}
	f := invalid.GetFlag()
	name := "--" + f.Name
	if f.Shorthand != "" {
		name = "-" + f.Shorthand + "/" + name
	}
	var why string
	var num *strconv.NumError
	switch {
	case errors.As(err, &num) && errors.Is(num.Err, strconv.ErrRange):
		why = "out of range"
	case f.Value.Type() == "duration":
		why = "not a duration such as 500ms, 30s or 2m (at most 2562047h)"
	case f.Value.Type() == "bool":
		why = "not true or false"
	case strings.HasPrefix(f.Value.Type(), "int"):
		why = "not a whole number"
	case f.Value.Type() == "float64":
		why = "not a number"
	default:
		return err
	}
	return fmt.Errorf("%s %q: %s", name, invalid.GetValue(), why)
}
