package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

func init() { register(newHooksCmd) }

func newHooksCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hooks",
		Short: "Install git hooks that run rmm",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "install",
		Short: "Install a pre-commit hook that runs 'rmm check' on what is staged",
		Long: `Write the git pre-commit hook (in core.hooksPath, else .git/hooks). The hook
checks the staged tree, what the commit will hold, not the working tree: it
writes the index as a tree object, wraps it in a throw-away commit object
(never referenced, removed by git gc) and runs 'rmm check --at' on it, so
unstaged edits neither hide nor cause errors. A failing check stops the
commit; 'git commit --no-verify' skips it.

Running it again updates the hook. A pre-commit hook that rmm did not write is
never overwritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return hooksInstallRun(e) },
	})
	return cmd
}

// hookMarker identifies a hook rmm wrote.
const hookMarker = "# rmm-hook: pre-commit"

func hookScript(prefix string) string {
	dir := "."
	if prefix != "" {
		dir = "./" + prefix
	}
	return `#!/bin/sh
` + hookMarker + `
# Written by 'rmm hooks install'; run it again to update, delete this file to
# remove. Checks the staged tree (what this commit will hold), not the working
# tree: the index is written as a tree object, wrapped in a throw-away commit
# object that nothing references (git gc removes it), and checked from git
# objects with 'rmm check --at'. Skip once with 'git commit --no-verify'.
# Set RMM to the rmm program to use (default: rmm on PATH).
set -e
tree=$(git write-tree)
if parent=$(git rev-parse -q --verify HEAD); then
	commit=$(echo "rmm pre-commit check" | git commit-tree "$tree" -p "$parent")
else
	commit=$(echo "rmm pre-commit check" | git commit-tree "$tree")
fi
exec "${RMM:-rmm}" -C ` + shellQuote(dir) + ` check --at "$commit"
`
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func hooksInstallRun(e *env) error {
	r, err := e.openRepo()
	if err != nil {
		return err
	}
	dir := r.HooksDir()
	path := filepath.Join(dir, "pre-commit")
	want := []byte(hookScript(r.Prefix))
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, want):
		fmt.Fprintf(e.stdout, "%s is installed already\n", path)
		return nil
	case err == nil && !bytes.Contains(old, []byte(hookMarker)):
		return failf("add 'rmm check' to it yourself, or move it away and run 'rmm hooks install' again",
			"%s exists and was not written by rmm: leaving it alone", path)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return usagef("%v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("%v", err)
	}
	f, err := os.CreateTemp(dir, ".pre-commit.rmm-*")
	if err != nil {
		return usagef("%v", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(want); err != nil {
		f.Close()
		return usagef("%v", err)
	}
	if err := f.Chmod(0o755); err != nil {
		f.Close()
		return usagef("%v", err)
	}
	if err := f.Close(); err != nil {
		return usagef("%v", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return usagef("%v", err)
	}
	verb := "installed"
	if old != nil {
		verb = "updated"
	}
	fmt.Fprintf(e.stdout, "%s %s: it runs 'rmm check' on the staged tree before each commit\n", verb, path)
	return nil
}
