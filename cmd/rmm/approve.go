package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/baseline"
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
	done, err := baseline.ApproveDocs(r, snap, baseline.ApproveRequest{
		IDs: opts.IDs, By: opts.By, Role: opts.Role, Meaning: opts.Meaning, Now: e.now(),
		BeforeRecord: testHookBeforeRecord,
	})
	var refused *baseline.Refusal
	if errors.As(err, &refused) {
		return failf(refused.Hint, "%s", refused.Msg)
	}
	if err != nil {
		return internalf("%v", err)
	}
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
		if w.Since != "" {
			fmt.Fprintf(e.stdout, "  %s\n", w.Since)
		}
	}
	return nil
}
