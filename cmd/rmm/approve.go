package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/redline"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

func init() {
	register(newApproveCmd)
}

type approveOptions struct {
	IDs     []string
	By      string
	Role    string
	Meaning string
}

func newApproveCmd(e *env) *cobra.Command {
	opts := &approveOptions{}
	cmd := &cobra.Command{
		Use:   "approve ID... [--by EMAIL] [--role ROLE] [--meaning TEXT]",
		Short: "Record a fingerprinted approval of documents",
		Long: `Append an approval {by, role, date, meaning, fingerprint} to each document's
front matter, leaving every other byte of the file as it was. The approval
carries the document's current fingerprint: editing the document afterwards
makes it stale, and 'rmm check' then reports "changed after approval".

--by defaults to git's user.email. The person must hold the role: rmm.yaml
roles, "owner" (the document's owner) or "stakeholder" (a stakeholder of the
document with involvement: approve). --role defaults to the first role the
document's kind requires (rmm.yaml approvals) that the person holds and that
has no current approval yet. When every required role has a current approval,
and every stakeholder with involvement approve has one (in any role), status
becomes approved. A document with a placeholder section (empty, TODO, or its
template's text) is refused: an approval says the content was read.

All documents are approved or none: a refusal changes no file. Each file is
changed under git's lock protocol (FILE.lock): rmm reads it again with the
lock held and refuses when its content, not only its approvals, changed
since rmm read it; approvals that another rmm recorded meanwhile are kept,
so approvers of one document can run rmm approve at the same time. When
the lock stays taken (RMM_LOCK_WAIT, default 10s), rmm gives up and asks
to try again.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			return approveRun(e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.By, "by", "", "the approver's email (default: git's user.email)")
	cmd.Flags().StringVar(&opts.Role, "role", "", "the role approving (default: the first required role the person holds that still needs to approve)")
	cmd.Flags().StringVar(&opts.Meaning, "meaning", "", "what the approval means, e.g. \"approved for use\"")
	return cmd
}

// testHookBeforeRecord, when a test sets it, runs between reading the
// documents and recording the approvals: where another process's edit
// would land.
var testHookBeforeRecord func()

func approveRun(e *env, opts *approveOptions) error {
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	lib := snap.Lib
	by := strings.TrimSpace(opts.By)
	from := "--by"
	if by == "" {
		who, ok := r.Identity()
		if !ok {
			return failf("set it with 'git config user.email you@example.org', or pass --by EMAIL", "who approves? git has no user.email")
		}
		by, from = who.Email, "git's user.email"
	}
	if err := doc.CheckEmail(by); err != nil {
		return failf("pass --by with one email address, like dana@example.org; no document was changed", "%s: %v", from, err)
	}
	if !utf8.ValidString(opts.Meaning) {
		return failf("no document was changed", "--meaning is not valid UTF-8")
	}
	req := baseline.Request{IDs: opts.IDs, By: by, Role: opts.Role, Meaning: opts.Meaning, Date: e.now().UTC().Format(time.RFC3339),
		Templates: check.NewTemplates(snap.FS)}
	pending, problems, err := baseline.Plan(lib, req)
	if err != nil {
		return internalf("%v", err)
	}
	hint := "no document was changed"
	if len(opts.IDs) > 1 {
		hint = "no document was changed: approve all or none"
	}
	if len(problems) > 0 {
		return failf(hint, "%s", strings.Join(problems, "\n  "))
	}
	if testHookBeforeRecord != nil {
		testHookBeforeRecord()
	}
	done, err := baseline.Record(r.Root, lib.Config, pending)
	switch {
	case errors.Is(err, baseline.ErrChanged), errors.Is(err, doc.ErrCannotEdit), errors.Is(err, baseline.ErrRole):
		return failf(hint, "%v", err)
	case errors.Is(err, store.ErrBusy):
		return failf("try again in a moment; "+hint, "%v", err)
	case errors.Is(err, fs.ErrNotExist):
		// Only a race with someone deleting the file reaches this.
		return internalf("%v: the file went away while rmm was approving it", err)
	case err != nil:
		return internalf("%v", err)
	}
	var hist approveHistory
	for _, w := range done {
		if !w.Written {
			fmt.Fprintf(e.stderr, "%s: already approved by %s as %s; the approval is current\n", w.ID, w.Approval.By, w.Approval.Role)
			continue
		}
		status := "status: approved"
		if len(w.Left) > 0 {
			status = "still needs: " + strings.Join(w.LeftLabels, ", ")
		}
		fmt.Fprintf(e.stdout, "%s approved by %s as %s (fingerprint %s); %s\n", w.ID, w.Approval.By, w.Approval.Role, w.Approval.Fingerprint[:12], status)
		if d := lib.ByPath[w.Path]; d != nil {
			fmt.Fprintf(e.stdout, "  %s\n", sinceSummary(e, r, &hist, d, w.Approval.By))
		}
	}
	return nil
}

// approveHistory is the history pass, read once by the first summary
// that needs it.
type approveHistory struct {
	h    *repo.History
	err  error
	read bool
}

// sinceSummary says what changed in d (as the approver was shown it)
// since by's previous approval of it: the words and sections of the body
// and the front matter keys the fingerprint covers, or that this is by's
// first approval, so that an approval is informed.
func sinceSummary(e *env, r *repo.Repo, hist *approveHistory, d *doc.Document, by string) string {
	prev, ok := baseline.LastApprovalBy(d, by)
	if !ok {
		return "first approval by " + by
	}
	of := fmt.Sprintf("%s's approval as %s of %s", by, prev.Role, dateOnly(prev.Date))
	if prev.Fingerprint == d.Fingerprint {
		return "no change since " + of
	}
	if !hist.read {
		hist.read = true
		hist.h, hist.err = e.history(r, "")
	}
	if hist.err != nil {
		return fmt.Sprintf("changed since %s; what changed cannot be told: %v", of, hist.err)
	}
	v, found, err := baseline.ApprovedVersion(r.NewFileReader(), d.Path, hist.h.Of(r.FullPath(d.Path)), prev)
	switch {
	case err != nil:
		return fmt.Sprintf("changed since %s; what changed cannot be told: %v", of, err)
	case !found:
		return fmt.Sprintf("changed since %s, whose text is in no commit of %s: rmm cannot show what changed", of, d.Path)
	}
	rl := redline.Compare(v.Doc, d)
	var parts []string
	if rl.BodyChanged() {
		parts = append(parts, rl.BodySummary())
	} else if rl.WhiteSpace {
		parts = append(parts, "white space only in the body")
	}
	var keys []string
	for _, f := range rl.Fields {
		if f.Fingerprint {
			keys = append(keys, f.Key)
		}
	}
	if len(keys) > 0 {
		parts = append(parts, "front matter: "+strings.Join(keys, ", "))
	}
	if len(parts) == 0 {
		parts = append(parts, "the text changed")
	}
	return fmt.Sprintf("changed since %s (%s): %s; rmm diff %s %s shows it", of, shortHash(v.Commit.Hash),
		strings.Join(parts, "; "), d.ID, shortHash(v.Commit.Hash))
}
