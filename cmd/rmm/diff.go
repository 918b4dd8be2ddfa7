package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/redline"
	"github.com/rmm-pal/rmm/repo"
)

func init() { register(newDiffCmd) }

type diffOptions struct {
	ID   string
	A, B string // "" for the defaults: the last approval, the working tree
	JSON bool
	// Color is set by diffRun when stdout is a terminal and NO_COLOR is
	// not set.
	Color bool
}

func newDiffCmd(e *env) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff ID [A [B]]",
		Short: "Show what changed in a document, word by word",
		Long: `Show what changed in a document from revision A to revision B: the front
matter keys whose values differ (the keys the fingerprint covers first, then
status; approvals added and removed apart), and the body word by word, as
git diff --word-diff does: [-deleted-] and {+inserted+}, with two lines of
context around each change, under a header naming the line of the new file
and its section. White space changes (a re-wrapped paragraph) are not word
changes; rmm says when they are all there is.

A and B are revisions: a commit, a branch, baseline/NAME (or a baseline's
NAME), HEAD~2. B defaults to the working tree. A defaults to the document's
last approval: the commit that recorded its most recent approval (current or
stale), so rmm diff ID shows what changed since the document was last
approved. A document never approved has nothing to default to: name A.

Colour is used when stdout is a terminal and NO_COLOR is not set; the marks
stay, so colour is never the only sign.

--json prints {id, from, to, approval, fields, approvals, body,
words_inserted, words_deleted, sections, whitespace_only, coarse}: see the
README.`,
		Args: cobra.RangeArgs(1, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if len(args) > 1 {
				opts.A = args[1]
			}
			if len(args) > 2 {
				opts.B = args[2]
			}
			opts.Color = isTerminal(e.stdout) && os.Getenv("NO_COLOR") == ""
			return diffRun(e, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the redline as JSON")
	return cmd
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// diffSide is one end of a redline, as --json prints it.
type diffSide struct {
	// Rev is the revision as named (baseline/NAME for a baseline), the
	// commit of the last approval for the default A, or "working tree".
	Rev         string `json:"rev"`
	Commit      string `json:"commit"` // full hash; "" for the working tree
	Path        string `json:"path"`
	Fingerprint string `json:"fingerprint"`
}

type diffJSON struct {
	ID   string   `json:"id"`
	From diffSide `json:"from"`
	To   diffSide `json:"to"`
	// Approval is the last approval, when From defaulted to it.
	Approval *doc.Approval `json:"approval,omitempty"`
	*redline.Redline
}

func diffRun(e *env, opts *diffOptions) error {
	r, wt, err := e.load("")
	if err != nil {
		return err
	}
	to := diffSide{Rev: "working tree"}
	toLib := wt.Lib
	if opts.B != "" {
		label, snap, err := loadSnapshot(e, r, opts.B)
		if err != nil {
			return err
		}
		to.Rev, to.Commit, toLib = label, snap.Commit, snap.Lib
	}
	nd := toLib.ByID[opts.ID]
	if nd == nil {
		return absentDoc(wt.Lib, opts.ID, to.Rev, opts.B != "")
	}
	to.Path, to.Fingerprint = nd.Path, nd.Fingerprint

	var from diffSide
	var od *doc.Document
	var approval *doc.Approval
	if opts.A == "" {
		v, a, err := lastApproved(e, r, nd)
		if err != nil {
			return err
		}
		approval, od = &a, v.Doc
		from = diffSide{Rev: v.Commit.Hash, Commit: v.Commit.Hash}
		if v.Commit.Hash == "" {
			from.Rev = "working tree"
		}
	} else {
		label, snap, err := loadSnapshot(e, r, opts.A)
		if err != nil {
			return err
		}
		from = diffSide{Rev: label, Commit: snap.Commit}
		if od = snap.Lib.ByID[opts.ID]; od == nil {
			return absentDoc(wt.Lib, opts.ID, label, true)
		}
	}
	from.Path, from.Fingerprint = od.Path, od.Fingerprint

	rl := redline.Compare(od, nd)
	if opts.JSON {
		printJSON(e, diffJSON{ID: opts.ID, From: from, To: to, Approval: approval, Redline: rl})
		return nil
	}
	return writeDiff(e.stdout, opts, from, to, approval, rl)
}

// absentDoc refuses an id that names no document at rev: unknown
// everywhere (with a suggestion from the working tree), or only absent
// there.
func absentDoc(wt *doc.Library, id, rev string, atRev bool) error {
	if !atRev || wt.ByID[id] == nil {
		return failf("rmm diff names a document by its id, e.g. rmm diff IMC-PLAN", "no document has the id %s%s", id, baseline.SuggestID(wt, id))
	}
	return failf("it was added after "+rev+", or had another id there; rmm history "+id+" lists its commits",
		"%s is not in %s", id, rev)
}

// lastApproved finds the text of d's last approval in the history of
// its file (see baseline.ApprovedVersion). An approval recorded in the
// working tree of an unchanged text is the working tree itself.
func lastApproved(e *env, r *repo.Repo, d *doc.Document) (baseline.Version, doc.Approval, error) {
	a, ok := baseline.LastApproval(d)
	if !ok {
		return baseline.Version{}, a, failf(fmt.Sprintf("name a revision to compare with, e.g. rmm diff %s HEAD~1", d.ID),
			"%s has never been approved: there is no approval to compare with", d.ID)
	}
	h, err := e.history(r, "")
	if err != nil {
		return baseline.Version{}, a, err
	}
	v, ok, err := baseline.ApprovedVersion(r.NewFileReader(), d.Path, h.Of(r.FullPath(d.Path)), a)
	if err != nil {
		return baseline.Version{}, a, &exitError{code: exitUsage, msg: noteErr("read the history of %s: %v", d.Path, err), hint: "the repository is damaged: 'git fsck' lists what is wrong"}
	}
	if !ok && d.Fingerprint == a.Fingerprint {
		return baseline.Version{Doc: d}, a, nil
	}
	if !ok {
		why := "it was never committed"
		if h.Incomplete() {
			why = "this shallow clone may not hold it"
		}
		return baseline.Version{}, a, failf(fmt.Sprintf("name a revision to compare with, e.g. rmm diff %s HEAD~1", d.ID),
			"%s: the text its last approval (by %s as %s, %s) approved is in no commit of %s: %s",
			d.ID, a.By, a.Role, dateOnly(a.Date), d.Path, why)
	}
	return v, a, nil
}

func dateOnly(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}

// ANSI styles of the text form.
const (
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiReset = "\x1b[m"
)

func writeDiff(w io.Writer, opts *diffOptions, from, to diffSide, approval *doc.Approval, rl *redline.Redline) error {
	paint := func(style, s string) string {
		if !opts.Color {
			return s
		}
		return style + s + ansiReset
	}
	var b strings.Builder
	fromRev := from.Rev
	if approval != nil && from.Commit != "" {
		fromRev = shortHash(from.Commit)
	}
	note := ""
	if approval != nil {
		note = fmt.Sprintf(" (last approval: %s as %s, %s)", approval.By, approval.Role, dateOnly(approval.Date))
	}
	fmt.Fprintf(&b, "%s\n", paint(ansiBold, fmt.Sprintf("--- %s %s%s", fromRev, from.Path, note)))
	fmt.Fprintf(&b, "%s\n", paint(ansiBold, fmt.Sprintf("+++ %s %s", to.Rev, to.Path)))
	if !rl.Changed() && !rl.WhiteSpace {
		b.WriteString("no change\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	if len(rl.Fields) > 0 || len(rl.Approvals) > 0 {
		b.WriteString("front matter:\n")
		for _, f := range rl.Fields {
			extra := ""
			if !f.Fingerprint {
				extra = " (not covered by the fingerprint)"
			}
			fmt.Fprintf(&b, "  %s: %s -> %s%s\n", f.Key, paint(ansiRed, fieldValue(f.Old)), paint(ansiGreen, fieldValue(f.New)), extra)
		}
		for _, a := range rl.Approvals {
			sign, style := "+", ansiGreen
			if a.Op == redline.Delete {
				sign, style = "-", ansiRed
			}
			meaning := ""
			if a.Meaning != "" {
				meaning = fmt.Sprintf(" %q", a.Meaning)
			}
			fmt.Fprintf(&b, "  approvals: %s\n", paint(style, fmt.Sprintf("%s %s as %s, %s%s", sign, a.By, a.Role, dateOnly(a.Date), meaning)))
		}
	}
	switch {
	case rl.BodyChanged():
		fmt.Fprintf(&b, "body: %s\n", bodySummary(rl))
	case rl.WhiteSpace:
		b.WriteString("body: white space only (line breaks or spacing); no word changed\n")
	default:
		b.WriteString("body: no change\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return redline.WriteHunks(w, rl.Hunks(2), opts.Color)
}

// bodySummary is the words and sections of a body's changes.
func bodySummary(rl *redline.Redline) string {
	s := rl.BodySummary()
	if rl.Coarse {
		s += " (too large to compare word by word in full: some changed lines are shown whole)"
	}
	return s
}

func fieldValue(v *string) string {
	if v == nil {
		return "(absent)"
	}
	if *v == "" {
		return `""`
	}
	return *v
}
