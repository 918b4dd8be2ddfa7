package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/store"
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

// errNotOurs is what the hook's update returns for a hook rmm did not write.
var errNotOurs = errors.New("not written by rmm")

// hooksInstallRun writes the hook. It never replaces a hook rmm did not
// write, even one that appears while it runs: a new hook is linked into
// place (store.WriteNew), which fails when the file exists by then; rmm's
// own hook is changed under git's lock protocol (store.Update), which
// reads it again with the lock held and checks the marker there. Both
// sync the file and its folder: a hook is a file the user relies on.
func hooksInstallRun(e *env) error {
	r, err := e.openRepo()
	if err != nil {
		return err
	}
	path := filepath.Join(r.HooksDir(), "pre-commit")
	want := []byte(hookScript(r.Prefix))
	verb := "installed"
	err = store.WriteNew(path, want, 0o755)
	if errors.Is(err, fs.ErrExist) {
		verb = "updated"
		err = store.Update(path, func(cur []byte) ([]byte, error) {
			switch {
			case bytes.Equal(cur, want):
				verb = ""
				return nil, store.ErrUnchanged
			case !bytes.Contains(cur, []byte(hookMarker)):
				return nil, errNotOurs
			}
			return want, nil
		})
	}
	switch {
	case errors.Is(err, errNotOurs):
		return failf("add 'rmm check' to it yourself, or move it away and run 'rmm hooks install' again",
			"%s exists and was not written by rmm: leaving it alone", path)
	case errors.Is(err, store.ErrBusy):
		return failf("try again", "%v", err)
	case err != nil && isDir(path):
		return failf("move it away and run 'rmm hooks install' again",
			"%s is a folder, not a hook: leaving it alone", path)
	case err != nil:
		return internalf("%v", err)
	}
	// git runs only an executable hook; Update keeps the mode rmm's hook
	// had, which someone may have changed.
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o100 == 0 {
		if err := os.Chmod(path, fi.Mode().Perm()|0o755); err != nil {
			return internalf("%v", err)
		}
		if verb == "" {
			verb = "updated"
		}
	}
	if verb == "" {
		fmt.Fprintf(e.stdout, "%s is installed already\n", path)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s %s: it runs 'rmm check' on the staged tree before each commit\n", verb, path)
	return nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
