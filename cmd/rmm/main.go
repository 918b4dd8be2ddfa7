// Command rmm turns a git repository of Markdown files into a controlled
// process asset library. Each verb lives in its own file as an options
// struct, a newXCmd that parses flags into it and an xRun that does the
// work; the packages below decide, this package parses and prints.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/rules"
	"github.com/rmm-pal/rmm/store"
)

func main() {
	stop := startProfile()
	code := Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// version is set by the linker for releases.
var version = "dev"

// Exit codes of SPEC 7.
const (
	exitOK     = 0
	exitFailed = 1 // a check failed or a precondition refused the action
	exitUsage  = 2 // bad usage or an internal failure
)

// exitError carries an exit code, a message and an optional hint.
type exitError struct {
	code int
	msg  string // "" when the output already said everything
	hint string
}

func (e *exitError) Error() string { return e.msg }

// failf is a refusal or failed check: exit 1.
func failf(hint, format string, args ...any) error {
	noteSite()
	return &exitError{code: exitFailed, msg: fmt.Sprintf(format, args...), hint: hint}
}

// usagef is bad usage: exit 2.
func usagef(format string, args ...any) error {
	noteSite()
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// internalf is an internal failure, one no input of the user's should
// cause (a disk that fails, a bug): exit 2. Unlike failf and usagef, its
// call sites need no testscript (errors_test.go).
func internalf(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// noteSite records the source line of a failf or usagef call in the file
// RMM_ERROR_SITES names, when set: the tests use it to find the errors a
// user can meet that no testscript reaches (errors_test.go).
func noteSite() {
	p := os.Getenv("RMM_ERROR_SITES")
	if p == "" {
		return
	}
	_, file, line, ok := runtime.Caller(2)
	if !ok {
		return
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "%s:%d\n", filepath.Base(file), line)
	f.Close()
}

// errSilentFail exits 1 after output that already said why.
var errSilentFail = &exitError{code: exitFailed}

// env is what every command shares: streams, the -C folder and the clock.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dir            string
	now            func() time.Time
}

// Main runs rmm with args and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, dir: ".", now: time.Now}
	if v := os.Getenv("RMM_NOW"); v != "" {
		// Tests pin the clock so that overdue reviews do not drift.
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			e.now = func() time.Time { return t }
		}
	}
	if err := setLockWait(); err != nil {
		fmt.Fprintf(stderr, "rmm: %s\n", err)
		return exitUsage
	}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var xe *exitError
	if !errors.As(err, &xe) {
		xe = &exitError{code: exitUsage, msg: err.Error()}
		if isUsageError(err) {
			xe.hint = "see 'rmm --help'"
		}
	}
	if xe.msg != "" {
		fmt.Fprintf(stderr, "rmm: %s\n", xe.msg)
	}
	if xe.hint != "" {
		fmt.Fprintf(stderr, "rmm: hint: %s\n", xe.hint)
	}
	return xe.code
}

func isUsageError(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires ", "invalid argument", "flag needs"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "rmm",
		Short: "A controlled process asset library from a git repository of Markdown",
		Long: `rmm turns a git repository of Markdown files with YAML front matter into a
controlled process asset library: it validates documents, records
fingerprinted approvals, cuts baselines as git tags, records how standard
processes are tailored for each unit, and publishes a static website.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.PersistentFlags().StringVarP(&e.dir, "directory", "C", ".", "run as if rmm was started in `DIR`")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, msg: err.Error(), hint: fmt.Sprintf("see '%s --help'", c.CommandPath())}
	})
	for _, mk := range commands {
		root.AddCommand(mk(e))
	}
	return root
}

// commands lists the constructors of every verb; each verb's file adds
// itself in an init function, so verbs can be added without touching this
// file.
var commands []func(*env) *cobra.Command

func register(mk func(*env) *cobra.Command) { commands = append(commands, mk) }

// openRepo finds the library's root from -C and opens its git repository.
func (e *env) openRepo() (*repo.Repo, error) {
	root, err := repo.FindRoot(e.dir)
	if errors.Is(err, repo.ErrNoRoot) {
		return nil, failf("run 'rmm init' to start one, or use -C DIR", "%v", err)
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	r, err := repo.Open(root)
	if errors.Is(err, repo.ErrNotGit) {
		return nil, failf("run 'git init' there, or 'rmm init' which does it", "%s has rmm.yaml but is not in a git repository", root)
	}
	if err != nil {
		// A repository git cannot read (a broken .git/config, say): exit 2,
		// as for damaged objects.
		return nil, usagef("%v", err)
	}
	return r, nil
}

// load opens the repository and reads the library at rev ("" for the
// working tree). An empty repository is refused: the library has no
// history to check against.
func (e *env) load(rev string) (*repo.Repo, *repo.Snapshot, error) {
	r, err := e.openRepo()
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := r.Head(); errors.Is(err, repo.ErrEmpty) {
		return nil, nil, failf("commit rmm.yaml and your documents first: git add -A && git commit", "%s: the repository has no commits yet", r.Root)
	}
	snap, err := r.Load(rev, doc.LoadOptions{})
	if errors.Is(err, repo.ErrNoRev) {
		return nil, nil, failf("name a commit, a branch or a tag such as baseline/NAME", "%v", err)
	}
	if err != nil {
		return nil, nil, failf("", "%v", err)
	}
	return r, snap, nil
}

// runChecks loads nothing: it applies every rule to snap.
func (e *env) runChecks(r *repo.Repo, snap *repo.Snapshot) []doc.Diagnostic {
	diags, _ := rules.Check(r, snap, e.now())
	return diags
}

// setLockWait reads RMM_LOCK_WAIT (a Go duration such as 100ms or 30s):
// how long a command that edits a document waits for another process's
// lock on it before giving up (store.LockWait, 10s by default).
func setLockWait() error {
	v := os.Getenv("RMM_LOCK_WAIT")
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return usagef("RMM_LOCK_WAIT=%q is not a duration such as 100ms or 30s", v)
	}
	store.LockWait = d
	return nil
}

// history reads the history pass from commit (HEAD when ""), through the
// repository's history cache. A repository whose objects cannot be read
// (a damaged or hostile pack, a missing object) is exit 2, with the error
// naming the object and the path being read.
func (e *env) history(r *repo.Repo, commit string) (*repo.History, error) {
	if commit == "" {
		head, _, err := r.Head()
		if err != nil {
			return nil, internalf("%v", err) // load read HEAD already
		}
		commit = head
	}
	h, err := repo.LoadHistory(r.GitDir, commit, r.HistoryCacheDir())
	if err != nil {
		return nil, &exitError{code: exitUsage, msg: noteErr("read history: %v", err), hint: "the repository is damaged: 'git fsck' lists what is wrong"}
	}
	return h, nil
}

// noteErr is fmt.Sprintf for an error message built outside failf and
// usagef: it records its call site as they do (errors_test.go).
func noteErr(format string, args ...any) string {
	noteSite()
	return fmt.Sprintf(format, args...)
}
