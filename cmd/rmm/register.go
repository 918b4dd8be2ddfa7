package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/appraise"
	"github.com/rmm-pal/rmm/check"
)

func init() { register(newRegisterCmd) }

type registerOptions struct {
	JSON, CSV bool
	At        string
}

func newRegisterCmd(e *env) *cobra.Command {
	opts := &registerOptions{}
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Print the document register: every controlled document with its status, revision, approvals and next review",
		Long: `Print the document register, the master list of controlled documents: for
every document with front matter, its id, title, kind, area, unit, owner,
status (as change control sees it: "changed after approval" when an approval
no longer holds), current revision (the fingerprint's first 12 characters)
and the latest baseline holding that revision, the day and the approvers of
its current approvals, when its next review is due, and its sensitivity.

The default output is an aligned table. --json prints an array of objects;
--csv prints CSV with a header row, each cell that a spreadsheet would read
as a formula (starting with = + - @) prefixed with '. The site carries the
same register as register.html and register.csv.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return registerRun(e, opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the register as JSON")
	cmd.Flags().BoolVar(&opts.CSV, "csv", false, "print the register as CSV")
	cmd.Flags().StringVar(&opts.At, "at", "", "the register at a revision (commit, branch, baseline/NAME) instead of the working tree")
	return cmd
}

func registerRun(e *env, opts *registerOptions) error {
	if opts.JSON && opts.CSV {
		return usagef("--json and --csv cannot be used together: choose one output")
	}
	r, snap, err := e.load(opts.At)
	if err != nil {
		return err
	}
	ctx := check.NewContext(r, snap, e.now())
	at := snap.Commit
	if at == "" {
		at, _, _ = r.Head()
	}
	entries := appraise.Register(snap.Lib, appraise.Control(ctx), appraise.Baselines(r, at))
	switch {
	case opts.JSON:
		b, _ := json.MarshalIndent(entries, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
	case opts.CSV:
		if err := appraise.WriteRegisterCSV(e.stdout, entries); err != nil {
			return internalf("write: %v", err)
		}
	default:
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		head := make([]string, len(appraise.RegisterColumns))
		for i, c := range appraise.RegisterColumns {
			head[i] = strings.ToUpper(c)
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for _, en := range entries {
			cells := en.Cells()
			for i, c := range cells {
				if c == "" {
					cells[i] = "-"
				}
				cells[i] = strings.Map(func(r rune) rune {
					if r == '\t' || r == '\n' || r == '\r' {
						return ' '
					}
					return r
				}, cells[i])
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
	}
	return nil
}
