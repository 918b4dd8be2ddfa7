package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
)

func init() {
	register(newApproveCmd)
	registerRules(baseline.Rules)
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
status becomes approved.

All documents are approved or none: a refusal changes no file. Files are
replaced atomically.`,
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

type pendingWrite struct {
	d    *doc.Document
	a    doc.Approval
	out  []byte
	left []string // required roles still without a current approval
}

func approveRun(e *env, opts *approveOptions) error {
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	lib := snap.Lib
	cfg := lib.Config
	by := strings.TrimSpace(opts.By)
	if by == "" {
		who, ok := r.Identity()
		if !ok {
			return failf("set it with 'git config user.email you@example.org', or pass --by EMAIL", "who approves? git has no user.email")
		}
		by = who.Email
	}
	date := e.now().UTC().Format(time.RFC3339)
	var writes []pendingWrite
	var problems []string
	seen := map[string]bool{}
	for _, id := range opts.IDs {
		d := lib.ByID[id]
		if d == nil {
			d = lib.ByPath[filepath.ToSlash(filepath.Clean(id))]
		}
		if d == nil {
			problems = append(problems, fmt.Sprintf("no document has the id %s%s", id, suggestID(lib, id)))
			continue
		}
		if seen[d.Path] {
			continue
		}
		seen[d.Path] = true
		var errs []string
		for _, dg := range lib.Diags {
			if dg.Path == d.Path && dg.Severity == doc.Error {
				errs = append(errs, dg.String())
			}
		}
		if len(errs) > 0 {
			problems = append(problems, fmt.Sprintf("%s cannot be approved until its errors are fixed:\n    %s", d.ID, strings.Join(errs, "\n    ")))
			continue
		}
		role := opts.Role
		if role == "" {
			role = defaultRole(d, cfg, by)
			if role == "" {
				held := baseline.HeldRoles(d, cfg, by)
				need := baseline.Missing(d, cfg)
				switch {
				case len(held) == 0:
					problems = append(problems, fmt.Sprintf("%s holds no role for %s (%s)%s", by, d.ID, d.Path, whoHolds(d, cfg, need)))
				case len(need) == 0:
					problems = append(problems, fmt.Sprintf("%s: every required role has a current approval already; pass --role to add another", d.ID))
				default:
					problems = append(problems, fmt.Sprintf("%s holds %s for %s, but it still needs %s%s", by, strings.Join(held, ", "), d.ID, strings.Join(need, ", "), whoHolds(d, cfg, need)))
				}
				continue
			}
		}
		a := doc.Approval{By: by, Role: role, Date: date, Meaning: opts.Meaning}
		dup := false
		for _, old := range d.Approvals {
			if strings.EqualFold(old.By, by) && old.Role == role && baseline.Current(d, old) {
				dup = true
			}
		}
		if dup {
			fmt.Fprintf(e.stderr, "%s: already approved by %s as %s; the approval is current\n", d.ID, by, role)
			continue
		}
		out, err := baseline.Approve(d, cfg, a)
		if errors.Is(err, baseline.ErrRole) {
			problems = append(problems, err.Error()+whoHolds(d, cfg, []string{role}))
			continue
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", d.Path, err))
			continue
		}
		nd, _ := doc.Parse(d.Path, out)
		w := pendingWrite{d: d, a: a, out: out}
		if nd != nil {
			w.left = baseline.Missing(nd, cfg)
		}
		writes = append(writes, w)
	}
	if len(problems) > 0 {
		hint := "no document was changed"
		if len(opts.IDs) > 1 {
			hint = "no document was changed: approve all or none"
		}
		return failf(hint, "%s", strings.Join(problems, "\n  "))
	}
	for _, w := range writes {
		if err := writeAtomic(filepath.Join(r.Root, filepath.FromSlash(w.d.Path)), w.d.Raw, w.out); err != nil {
			return usagef("%v", err)
		}
		status := "status: approved"
		if len(w.left) > 0 {
			status = "still needs: " + strings.Join(w.left, ", ")
		}
		fmt.Fprintf(e.stdout, "%s approved by %s as %s (fingerprint %s); %s\n", w.d.ID, w.a.By, w.a.Role, w.d.Fingerprint[:12], status)
	}
	return nil
}

// defaultRole is the first required role of d that email holds and that
// has no current approval; else stakeholder, when email is an approving
// stakeholder without a current approval.
func defaultRole(d *doc.Document, cfg *doc.Config, email string) string {
	for _, role := range baseline.Missing(d, cfg) {
		if baseline.Holds(d, cfg, email, role) {
			return role
		}
	}
	if baseline.Holds(d, cfg, email, baseline.RoleStakeholder) {
		for _, a := range d.Approvals {
			if a.Role == baseline.RoleStakeholder && strings.EqualFold(a.By, email) && baseline.Current(d, a) {
				return ""
			}
		}
		return baseline.RoleStakeholder
	}
	return ""
}

// whoHolds tells who may approve as roles, for a refusal message.
func whoHolds(d *doc.Document, cfg *doc.Config, roles []string) string {
	var parts []string
	for _, role := range roles {
		var who []string
		switch role {
		case baseline.RoleOwner:
			who = []string{d.Owner}
		case baseline.RoleStakeholder:
			for _, s := range d.Stakeholders {
				if s.Involvement == "approve" {
					who = append(who, s.Who)
				}
			}
		default:
			who = append(who, cfg.Roles[role]...)
		}
		sort.Strings(who)
		if len(who) == 0 && role != baseline.RoleOwner && role != baseline.RoleStakeholder {
			parts = append(parts, role+": nobody; list an email under roles: "+role+" in rmm.yaml")
		} else if len(who) == 0 {
			parts = append(parts, role+": nobody")
		} else {
			parts = append(parts, role+": "+strings.Join(who, ", "))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func suggestID(lib *doc.Library, id string) string {
	up := strings.ToUpper(id)
	if d := lib.ByID[up]; d != nil {
		return "; did you mean " + up + "?"
	}
	var near []string
	for k := range lib.ByID {
		if strings.Contains(k, up) {
			near = append(near, k)
		}
	}
	sort.Strings(near)
	if len(near) > 0 && len(near) <= 3 {
		return "; did you mean " + strings.Join(near, " or ") + "?"
	}
	return ""
}

// writeAtomic replaces the file at path with data, through a temporary
// file in the same folder and a rename, keeping the file's mode. It
// refuses when the file no longer holds old (edited since rmm read it).
// A symlink is followed: its target is replaced.
func writeAtomic(path string, old, data []byte) error {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, old) {
		return fmt.Errorf("%s changed while rmm was approving it; run rmm approve again", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".rmm-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(info.Mode().Perm()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
