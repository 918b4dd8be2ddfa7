package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/doc"
)

func init() { register(newCheckCmd) }

type checkOptions struct {
	JSON   bool
	Strict bool
	At     string
}

func newCheckCmd(e *env) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate every document: front matter, references, sections, approvals, tailoring",
		Long: `Validate every document of the library and print diagnostics as
path:line: severity: message [rule], sorted by path and line, then a count on
stderr. Exit 0 when there is no error, 1 when there is one (or, with --strict,
a warning), 2 on bad usage.

--json prints a JSON array of {path, line, severity, rule, message} instead
([] when all is well); line is 0 for a finding about a whole file.

--at REV checks the library as committed at REV (a commit, branch, tag or
baseline/NAME), read from git objects, without touching the working tree.

The sections a plan, evaluation, review, lesson or training record needs
are those of rmm's templates; a repository that has .rmm/templates/KIND.md
requires that template's level-2 headings instead, for any kind. A section
that is empty, only TODO lines, or its template's text is a placeholder: a
warning, an error in an approved document [placeholder].

A detached HEAD is fine (CI checks commits out that way). A shallow clone
is checked with a warning [shallow]: its history is incomplete.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return checkRun(e, opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print diagnostics as a JSON array of {path, line, severity, rule, message}")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "treat warnings as errors")
	cmd.Flags().StringVar(&opts.At, "at", "", "check the library at a revision (commit, branch, baseline/NAME) instead of the working tree")
	return cmd
}

func checkRun(e *env, opts *checkOptions) error {
	r, snap, err := e.load(opts.At)
	if err != nil {
		return err
	}
	if _, err := e.history(r, snap.Commit); err != nil {
		return err
	}
	diags := e.runChecks(r, snap)
	if opts.JSON {
		if diags == nil {
			diags = []doc.Diagnostic{}
		}
		b, _ := json.MarshalIndent(diags, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
	} else {
		for _, d := range diags {
			fmt.Fprintln(e.stdout, d.String())
		}
	}
	errs, warns := 0, 0
	for _, d := range diags {
		if d.Severity == doc.Error {
			errs++
		} else {
			warns++
		}
	}
	if !opts.JSON {
		fmt.Fprintf(e.stderr, "%s, %s, %s\n", plural(len(snap.Lib.Docs), "document"), plural(errs, "error"), plural(warns, "warning"))
	}
	if errs > 0 || (opts.Strict && warns > 0) {
		return errSilentFail
	}
	return nil
}

// plural spells "1 error", "2 errors".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
