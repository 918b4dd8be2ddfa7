package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/store"
	"github.com/rmm-pal/rmm/tailor"
)

func init() {
	register(newTailorCmd)
}

type tailorOptions struct {
	Standard string
	Unit     string
	ID       string
	Owner    string
}

func newTailorCmd(e *env) *cobra.Command {
	opts := &tailorOptions{}
	cmd := &cobra.Command{
		Use:   "tailor STANDARD-ID --unit UNIT [--id ID] [--owner EMAIL]",
		Short: "Tailor a standard process for a unit; confirm, show and list defined processes",
		Long: `Write a new defined process for UNIT that tailors the standard process
STANDARD-ID, with base set to the current commit, and print its path
(processes/UNIT/NAME.md). Its body is a list of operations on the standard's
sections, each a heading with one class and a "Rationale:" paragraph:

  ## Title {#section-id .suppress}             leave the section out
  ## Title {#section-id .replace}              replace what is under it
  ## Title {#section-id .extend}               append to its text
  ## New title {#new-id .add after=section-id} add a section after it

The owner is --owner, else git's user.email; with neither, rmm refuses.
A unit tailors a standard once: rmm refuses a second defined process, or a
file that exists (it never replaces one).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Standard = args[0]
			return tailorRun(e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Unit, "unit", "", "the organizational unit (one of rmm.yaml units); required")
	cmd.Flags().StringVar(&opts.ID, "id", "", "the defined process's id (default: the standard's id without -STD, then the unit)")
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "the defined process's owner (default: git's user.email)")
	cmd.AddCommand(newTailorConfirmCmd(e), newTailorStatusCmd(e), newTailorShowCmd(e))
	return cmd
}

func tailorRun(e *env, opts *tailorOptions) error {
	if !doc.IDPattern.MatchString(opts.Standard) {
		return &exitError{code: exitUsage, msg: fmt.Sprintf("%q is neither a standard's id nor a subcommand of rmm tailor", opts.Standard),
			hint: "rmm tailor STANDARD-ID --unit UNIT, or rmm tailor confirm|status|show"}
	}
	if opts.Unit == "" {
		return usagef("--unit is required: the organizational unit the defined process is for")
	}
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	st, err := tailor.Start(r, snap, tailor.StartRequest{Standard: opts.Standard, Unit: opts.Unit, ID: opts.ID, Owner: opts.Owner})
	if err != nil {
		return tailorErr(err)
	}
	fmt.Fprintln(e.stdout, st.Path)
	if st.Uncommitted {
		fmt.Fprintf(e.stderr, "rmm: hint: %s has changes that are not committed; base is HEAD, so changed sections will be suspect until you commit them and run 'rmm tailor confirm %s'\n", st.Standard.Path, st.ID)
	}
	return nil
}

// tailorErr turns package tailor's refusals into exit codes and hints.
func tailorErr(err error) error {
	var rf *tailor.Refusal
	switch {
	case errors.As(err, &rf) && rf.Usage:
		return usagef("%s", rf.Msg)
	case errors.As(err, &rf):
		return failf(rf.Hint, "%s", rf.Msg)
	}
	return internalf("%v", err)
}

// definedProcess finds a defined process by id, or explains why not.
func definedProcess(lib *doc.Library, id string) (*doc.Document, error) {
	d, err := tailor.Find(lib, id)
	if err != nil {
		return nil, tailorErr(err)
	}
	return d, nil
}

// ---- confirm ----

func newTailorConfirmCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "confirm ID",
		Short: "Move a defined process's base to the current commit, once its unit has reviewed the changes",
		Long: `Set base of the defined process ID to the current commit (HEAD), after the
unit has looked at the sections of the standard that changed since the old
base ('rmm check' names them as suspect). Only the value on the base: line
changes; every other byte of the file stays as it is. The file is changed
under git's lock protocol (FILE.lock; RMM_LOCK_WAIT, default 10s, is how
long rmm waits for another process's lock).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return tailorConfirmRun(e, args[0]) },
	}
}

func tailorConfirmRun(e *env, id string) error {
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	p, err := definedProcess(snap.Lib, id)
	if err != nil {
		return err
	}
	head, _, err := r.Head()
	if err != nil {
		return internalf("%v", err) // load read HEAD already
	}
	old, changed, err := tailor.Confirm(r.Root, p, head)
	switch {
	case errors.Is(err, store.ErrBusy):
		return failf("try again in a moment; the file was not changed", "%v", err)
	case errors.Is(err, tailor.ErrNotDefined), errors.Is(err, doc.ErrCannotEdit):
		return failf("the file was not changed", "%v", err)
	case err != nil:
		return internalf("%v", err)
	}
	if !changed {
		fmt.Fprintf(e.stdout, "%s: base is %s already\n", p.ID, short(head))
		return nil
	}
	from := old
	if from == "" {
		from = "(none)"
	} else {
		from = short(from)
	}
	fmt.Fprintf(e.stdout, "%s: base moved from %s to %s\n", p.ID, from, short(head))
	return nil
}

func short(h string) string {
	if len(h) > 12 && isHex(h) {
		return h[:12]
	}
	return h
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// ---- status ----

type tailorStatusOptions struct{ JSON bool }

func newTailorStatusCmd(e *env) *cobra.Command {
	opts := &tailorStatusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print the tailoring matrix: standards by units, not tailored, current or suspect",
		Long: `Print the tailoring matrix: for every standard process and every unit of
rmm.yaml, whether the unit has a defined process for it, and whether that
process is current or suspect (a section it targets, or a required one,
changed in the standard since its base), with the count of each operation.
--json prints {units, standards, cells}; see tailor/FORMAT.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return tailorStatusRun(e, opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the matrix as JSON")
	return cmd
}

// tailorStatusJSON is the shape of `rmm tailor status --json`.
type tailorStatusJSON struct {
	Units     []string      `json:"units"`
	Standards []string      `json:"standards"`
	Cells     []tailor.Cell `json:"cells"`
}

func tailorStatusRun(e *env, opts *tailorStatusOptions) error {
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	ctx := check.NewContext(r, snap, e.now())
	cells, err := tailor.Matrix(ctx)
	if err != nil {
		return internalf("%v", err) // Matrix reports problems in its cells
	}
	units := append([]string{}, snap.Lib.Config.Units...)
	stds := []string{}
	for _, s := range tailor.Standards(snap.Lib) {
		stds = append(stds, s.ID)
	}
	if opts.JSON {
		if cells == nil {
			cells = []tailor.Cell{}
		}
		b, _ := json.MarshalIndent(tailorStatusJSON{Units: units, Standards: stds, Cells: cells}, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	if len(stds) == 0 {
		fmt.Fprintln(e.stdout, "no standard process (kind: standard) yet")
		return nil
	}
	if len(units) == 0 {
		fmt.Fprintln(e.stdout, "rmm.yaml lists no units: add units: [NAME, ...] to tailor standards for them")
		return nil
	}
	printMatrix(e, units, cells)
	return nil
}

// printMatrix prints the tailoring matrix as a table, then a line for
// each defined process.
func printMatrix(e *env, units []string, cells []tailor.Cell) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "STANDARD")
	for _, u := range units {
		fmt.Fprintf(tw, "\t%s", u)
	}
	fmt.Fprintln(tw)
	for i, c := range cells {
		if i%len(units) == 0 {
			fmt.Fprint(tw, c.Standard)
		}
		fmt.Fprintf(tw, "\t%s", c.State)
		if i%len(units) == len(units)-1 {
			fmt.Fprintln(tw)
		}
	}
	tw.Flush()
	var details []string
	for _, c := range cells {
		if c.Process == "" {
			continue
		}
		var counts []string
		for _, k := range tailor.OpKinds {
			if n := c.Counts[k]; n > 0 {
				counts = append(counts, fmt.Sprintf("%s %d", k, n))
			}
		}
		if len(counts) == 0 {
			counts = []string{"no operation"}
		}
		line := fmt.Sprintf("%s × %s: %s (%s): %s", c.Standard, c.Unit, c.Process, c.Path, strings.Join(counts, ", "))
		if c.State == tailor.Suspect && c.Problem != "" {
			line += "; suspect: " + c.Problem
		} else if c.State == tailor.Suspect {
			line += "; suspect: " + strings.Join(c.Suspect, ", ")
		}
		details = append(details, line)
	}
	if len(details) > 0 {
		fmt.Fprintln(e.stdout)
		for _, l := range details {
			fmt.Fprintln(e.stdout, l)
		}
	}
}

// ---- show ----

type tailorShowOptions struct{ JSON bool }

func newTailorShowCmd(e *env) *cobra.Command {
	opts := &tailorShowOptions{}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print a defined process: the standard with the unit's operations applied, and the tailoring record",
		Long: `Print the effective defined process ID as Markdown: the standard as it is
now with the unit's operations applied, each tailored section marked
"> Tailored (OPERATION): RATIONALE", then the tailoring record (operation,
section, rationale). Problems with the operations are printed on stderr, as
'rmm check' reports them. --json prints {id, ..., sections, record}; see
tailor/FORMAT.md.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return tailorShowRun(e, opts, args[0]) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the defined process as JSON")
	return cmd
}

// tailorShowJSON is the shape of `rmm tailor show --json`.
type tailorShowJSON struct {
	ID          string               `json:"id"`
	Title       string               `json:"title"`
	Path        string               `json:"path"`
	Unit        string               `json:"unit"`
	Tailors     string               `json:"tailors"`
	Base        string               `json:"base"`
	State       tailor.State         `json:"state"`
	Suspect     []string             `json:"suspect"`
	Sections    []tailor.Section     `json:"sections"`
	Suppressed  []string             `json:"suppressed"`
	Record      []tailor.RecordEntry `json:"record"`
	Diagnostics []doc.Diagnostic     `json:"diagnostics"`
	Markdown    string               `json:"markdown"`
}

func tailorShowRun(e *env, opts *tailorShowOptions, id string) error {
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	p, err := definedProcess(snap.Lib, id)
	if err != nil {
		return err
	}
	eff, err := tailor.Show(check.NewContext(r, snap, e.now()), p)
	if err != nil {
		return tailorErr(err)
	}
	std, def, diags, sus, state := eff.Standard, eff.Defined, eff.Diags, eff.Suspect, eff.State
	md := def.Markdown()
	if opts.JSON {
		out := tailorShowJSON{ID: p.ID, Title: p.Title, Path: p.Path, Unit: p.Unit, Tailors: p.Tailors, Base: p.Base,
			State: state, Suspect: nonNil(sus), Sections: def.Sections, Suppressed: nonNil(def.Suppressed),
			Record: def.Record(), Diagnostics: diags, Markdown: md}
		if out.Sections == nil {
			out.Sections = []tailor.Section{}
		}
		if out.Diagnostics == nil {
			out.Diagnostics = []doc.Diagnostic{}
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	for _, d := range diags {
		fmt.Fprintln(e.stderr, d.String())
	}
	fmt.Fprintf(e.stdout, "# %s\n\n", p.Title)
	fmt.Fprintf(e.stdout, "> Defined process %s of unit %s, tailored from %s (%s) at base %s.\n", p.ID, p.Unit, std.ID, std.Title, short(p.Base))
	if len(sus) > 0 {
		fmt.Fprintf(e.stdout, ">\n> Suspect: %s changed in %s since base; review, then run 'rmm tailor confirm %s'.\n", strings.Join(sus, ", "), std.ID, p.ID)
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprint(e.stdout, md)
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
