// Package baseline is rmm's configuration management (GG2.GP6): approvals
// that carry a document's fingerprint, the change-control rules of
// `rmm check`, and baselines cut as annotated git tags whose message holds
// a manifest of every controlled document.
//
// Start with Plan and Record, which are `rmm approve`: Plan decides, from
// the library the approver was shown, which approval each document gets
// (or why none), and Record writes them under each file's lock, checking
// that the content is still what was approved. Approve computes the new
// bytes of one file with doc's front matter editor; Create, which cuts baseline/NAME after its
// preconditions; and Verify, which recomputes a baseline's manifest from
// the tagged commit. The manifest format and the JSON shapes of the
// command line are described in FORMAT.md beside this file.
//
// Roles. A person holds a role for a document when rmm.yaml `roles` lists
// their email under it, when the role is `owner` and they are the
// document's owner, or when the role is `stakeholder` and the document
// lists them as a stakeholder with `involvement: approve`. A stakeholder's
// free-text `role` (e.g. "CISO") is a description, not a role name: the
// approval records the role `stakeholder`. Required roles come from
// rmm.yaml `approvals` for the document's kind, and are followed by
// `stakeholder` when the document lists a stakeholder with involvement
// approve (SPEC 1 and 9: their approval is required). The stakeholder
// role is met when every such stakeholder has a current approval of the
// document, in any role (a manager who is also an approving stakeholder
// approves once).
package baseline

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/store"
)

// RoleOwner and RoleStakeholder are the roles every document defines for
// itself: its owner, and its stakeholders with involvement approve.
const (
	RoleOwner       = "owner"
	RoleStakeholder = "stakeholder"
)

// Holds reports whether email holds role for d.
func Holds(d *doc.Document, cfg *doc.Config, email, role string) bool {
	return doc.Contains(HeldRoles(d, cfg, email), role)
}

// HeldRoles lists the roles email holds for d, sorted: rmm.yaml roles,
// owner, stakeholder.
func HeldRoles(d *doc.Document, cfg *doc.Config, email string) []string {
	var roles []string
	if cfg != nil {
		roles = cfg.RolesOf(email)
	}
	if d.Owner != "" && strings.EqualFold(d.Owner, email) && !doc.Contains(roles, RoleOwner) {
		roles = append(roles, RoleOwner)
	}
	for _, s := range d.Stakeholders {
		if s.Involvement == "approve" && strings.EqualFold(s.Who, email) && !doc.Contains(roles, RoleStakeholder) {
			roles = append(roles, RoleStakeholder)
		}
	}
	sort.Strings(roles)
	return roles
}

// RequiredRoles lists the roles that must approve d: rmm.yaml approvals
// for its kind, then RoleStakeholder when d lists a stakeholder with
// involvement approve.
func RequiredRoles(d *doc.Document, cfg *doc.Config) []string {
	var out []string
	if cfg != nil {
		out = append(out, cfg.RequiredRoles(d.Kind)...)
	}
	if len(ApprovingStakeholders(d)) > 0 && !doc.Contains(out, RoleStakeholder) {
		out = append(out, RoleStakeholder)
	}
	return out
}

// ApprovingStakeholders lists the emails of d's stakeholders with
// involvement approve, in file order, each once.
func ApprovingStakeholders(d *doc.Document) []string {
	var out []string
	for _, s := range d.Stakeholders {
		if s.Involvement == "approve" && s.Who != "" && !containsFold(out, s.Who) {
			out = append(out, s.Who)
		}
	}
	return out
}

// Unagreed lists d's approving stakeholders who have no current approval
// of d (in any role): those whose agreement is still missing.
func Unagreed(d *doc.Document) []string { return unagreedWith(d, d.Approvals) }

func unagreedWith(d *doc.Document, as []doc.Approval) []string {
	var out []string
	for _, who := range ApprovingStakeholders(d) {
		ok := false
		for _, a := range as {
			if strings.EqualFold(a.By, who) && Current(d, a) {
				ok = true
				break
			}
		}
		if !ok {
			out = append(out, who)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// metWith reports whether role has a current approval among as: for
// RoleStakeholder while d lists approving stakeholders, one by each of
// them (in any role); else one as role.
func metWith(d *doc.Document, role string, as []doc.Approval) bool {
	if role == RoleStakeholder && len(ApprovingStakeholders(d)) > 0 {
		return len(unagreedWith(d, as)) == 0
	}
	for _, a := range as {
		if a.Role == role && Current(d, a) {
			return true
		}
	}
	return false
}

// met reports whether role has the current approval d needs of it.
func met(d *doc.Document, role string) bool { return metWith(d, role, d.Approvals) }

// Label names a role d still needs for people: "stakeholder
// (carol@example.org)" names the approving stakeholders who have not
// agreed; other roles are their name.
func Label(d *doc.Document, role string) string {
	if role == RoleStakeholder {
		if who := Unagreed(d); len(who) > 0 {
			return role + " (" + strings.Join(who, ", ") + ")"
		}
	}
	return role
}

// Labels is Label of each role.
func Labels(d *doc.Document, roles []string) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = Label(d, r)
	}
	return out
}

// Current reports whether a is a current approval of d: it carries d's
// fingerprint, and an `owner` approval is by d's owner.
func Current(d *doc.Document, a doc.Approval) bool {
	if a.Fingerprint != d.Fingerprint {
		return false
	}
	if a.Role == RoleOwner && !strings.EqualFold(a.By, d.Owner) {
		return false
	}
	return true
}

// Missing lists the required roles of d that have no current approval, in
// the order rmm.yaml gives them.
func Missing(d *doc.Document, cfg *doc.Config) []string {
	return missingWith(d, cfg, d.Approvals)
}

func missingWith(d *doc.Document, cfg *doc.Config, as []doc.Approval) []string {
	var out []string
	for _, role := range RequiredRoles(d, cfg) {
		if !metWith(d, role, as) {
			out = append(out, role)
		}
	}
	return out
}

// Approvers lists the current approvals of d, in file order.
func Approvers(d *doc.Document) []doc.Approval {
	var out []doc.Approval
	for _, a := range d.Approvals {
		if Current(d, a) {
			out = append(out, a)
		}
	}
	return out
}

// ErrRole is wrapped by Approve's refusal of a person who does not hold
// the role.
var ErrRole = errors.New("does not hold the role")

// Approve returns the new bytes of d's file with a appended to the front
// matter's `approvals` list. a.Fingerprint is set to d.Fingerprint and
// a.Date (required, RFC 3339) is written in UTC. When every role required
// for d's kind then has a current approval, `status` becomes `approved`
// (the key is inserted before `approvals` when absent; a retired document
// stays retired). No other byte of the file changes: comments, key order,
// quoting, line endings and the body are kept as they were (see
// doc.AppendItem and doc.SetValue, which do the editing).
//
// Approve refuses (an error wrapping ErrRole) when a.By does not hold
// a.Role for d; see the package comment for who holds which role. Front
// matter the editor cannot change in place is refused with an error
// wrapping doc.ErrCannotEdit; doc.ErrEditCheck means rmm failed.
func Approve(d *doc.Document, cfg *doc.Config, a doc.Approval) ([]byte, error) {
	if d == nil || !d.HasFrontMatter {
		return nil, fmt.Errorf("%s has no front matter to record an approval in: %w", docPath(d), doc.ErrCannotEdit)
	}
	if err := doc.CheckEmail(a.By); err != nil {
		return nil, fmt.Errorf("the approver: %v", err)
	}
	if strings.TrimSpace(a.Role) == "" {
		return nil, fmt.Errorf("an approval needs a role")
	}
	if !Holds(d, cfg, a.By, a.Role) {
		held := HeldRoles(d, cfg, a.By)
		what := "no role"
		if len(held) > 0 {
			what = "the roles " + strings.Join(held, ", ")
		}
		return nil, fmt.Errorf("%s %w %s for %s (%s); they hold %s", a.By, ErrRole, a.Role, d.ID, d.Path, what)
	}
	when, err := time.Parse(time.RFC3339, a.Date)
	if err != nil {
		return nil, fmt.Errorf("approval date %q is not RFC 3339", a.Date)
	}
	a.Date = when.UTC().Format(time.RFC3339)
	a.Fingerprint = d.Fingerprint
	a.Line = 0

	out, err := doc.AppendItem(d.Path, d.Raw, "approvals", a)
	if err != nil {
		return nil, err
	}
	approved := len(missingWith(d, cfg, append(append([]doc.Approval(nil), d.Approvals...), a))) == 0
	setStatus := approved && d.Status != "approved" && d.Status != "retired"
	if setStatus {
		if out, err = doc.SetValue(d.Path, out, "status", "approved"); err != nil {
			return nil, err
		}
	}
	// The editor checked the front matter as YAML; check it as approvals.
	nd, _ := doc.Parse(d.Path, out)
	if nd == nil || nd.Fingerprint != d.Fingerprint || len(nd.Approvals) != len(d.Approvals)+1 {
		return nil, fmt.Errorf("%s: %w (the approvals)", d.Path, doc.ErrEditCheck)
	}
	got := nd.Approvals[len(nd.Approvals)-1]
	got.Line = 0
	if got != a || setStatus && nd.Status != "approved" {
		return nil, fmt.Errorf("%s: %w (the approval reads back differently)", d.Path, doc.ErrEditCheck)
	}
	return out, nil
}

func docPath(d *doc.Document) string {
	if d == nil {
		return "document"
	}
	return d.Path
}

// Request is what `rmm approve` is asked to do.
type Request struct {
	IDs     []string // document ids or paths
	By      string   // the approver's email
	Role    string   // "" for DefaultRole
	Meaning string
	Date    string // RFC 3339
	// Templates are the library's kind templates (check.NewTemplates
	// over its tree): a document with a placeholder section is refused.
	// nil means rmm's own templates.
	Templates *check.Templates
}

// Pending is one approval that Plan decided to record.
type Pending struct {
	ID, Path string
	// Approval carries the fingerprint of the document the approver was
	// shown: Record refuses when the file no longer has it.
	Approval doc.Approval
	// Current: By has a current approval as Role already; nothing is
	// recorded.
	Current bool
}

// Plan decides, for each document of req.IDs (ids or paths), the approval
// req.By records: the role is req.Role or DefaultRole; the person must
// hold it; the document must have no error. problems lists every refusal
// (the caller records nothing then: all or none). A document listed
// twice gets one approval. err is an internal failure.
func Plan(lib *doc.Library, req Request) (pending []Pending, problems []string, err error) {
	cfg := lib.Config
	tpl := req.Templates
	if tpl == nil {
		tpl = check.DefaultTemplates
	}
	seen := map[string]bool{}
	for _, id := range req.IDs {
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
		if msg := placeholderProblem(d, tpl); msg != "" {
			problems = append(problems, msg)
			continue
		}
		role := req.Role
		if role == "" {
			if role = DefaultRole(d, cfg, req.By); role == "" {
				problems = append(problems, noRole(d, cfg, req.By))
				continue
			}
		}
		a := doc.Approval{By: req.By, Role: role, Date: req.Date, Meaning: req.Meaning, Fingerprint: d.Fingerprint}
		if hasCurrent(d, req.By, role) {
			pending = append(pending, Pending{ID: d.ID, Path: d.Path, Approval: a, Current: true})
			continue
		}
		// A dry run on the bytes the approver was shown: refusals are
		// reported now, before any file is locked.
		_, err := Approve(d, cfg, a)
		switch {
		case errors.Is(err, ErrRole):
			problems = append(problems, err.Error()+whoHolds(d, cfg, []string{role}))
			continue
		case errors.Is(err, doc.ErrEditCheck):
			return nil, nil, err
		case errors.Is(err, doc.ErrCannotEdit):
			problems = append(problems, err.Error())
			continue
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", d.Path, err))
			continue
		}
		pending = append(pending, Pending{ID: d.ID, Path: d.Path, Approval: a})
	}
	return pending, problems, nil
}

// placeholderProblem refuses to approve a document with placeholder
// sections (issue 10): an approval says the content was read and agreed,
// and a placeholder is no content.
func placeholderProblem(d *doc.Document, tpl *check.Templates) string {
	ps := tpl.Placeholders(d)
	if len(ps) == 0 {
		return ""
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = fmt.Sprintf("%s:%d: section %q %s", d.Path, p.Line, p.Section, p.Describe())
	}
	what := "a section that is still a placeholder"
	if len(ps) > 1 {
		what = fmt.Sprintf("%d sections that are still placeholders", len(ps))
	}
	return fmt.Sprintf("%s cannot be approved: it has %s (a placeholder is no content; write them first):\n    %s", d.ID, what, strings.Join(lines, "\n    "))
}

// noRole explains why no default role fits.
func noRole(d *doc.Document, cfg *doc.Config, by string) string {
	held := HeldRoles(d, cfg, by)
	need := Missing(d, cfg)
	switch {
	case len(held) == 0:
		return fmt.Sprintf("%s holds no role for %s (%s)%s", by, d.ID, d.Path, whoHolds(d, cfg, need))
	case len(need) == 0:
		return fmt.Sprintf("%s: every required role has a current approval already; pass --role to add another", d.ID)
	}
	var mine []string
	for _, a := range d.Approvals {
		if strings.EqualFold(a.By, by) && Current(d, a) && !doc.Contains(mine, a.Role) {
			mine = append(mine, a.Role)
		}
	}
	if len(mine) > 0 {
		return fmt.Sprintf("%s approved %s already, as %s; it still needs %s%s", by, d.ID, strings.Join(mine, ", "), strings.Join(Labels(d, need), ", "), whoHolds(d, cfg, need))
	}
	return fmt.Sprintf("%s holds %s for %s, but it still needs %s%s", by, strings.Join(held, ", "), d.ID, strings.Join(Labels(d, need), ", "), whoHolds(d, cfg, need))
}

// hasCurrent reports whether d has a current approval as role, by the
// person by ("" for anyone).
func hasCurrent(d *doc.Document, by, role string) bool {
	for _, old := range d.Approvals {
		if (by == "" || strings.EqualFold(old.By, by)) && old.Role == role && Current(d, old) {
			return true
		}
	}
	return false
}

// ErrChanged is wrapped by Record's refusal of a document whose content
// (not only its approvals or status) changed after Plan read it.
var ErrChanged = errors.New("changed while rmm was approving it (its content, not only its approvals); look at it again and run rmm approve again")

// Recorded is what Record did with one Pending.
type Recorded struct {
	Pending
	// Written is false when the file held a current approval by the same
	// person as the same role already (Pending.Current, or recorded
	// meanwhile by another rmm).
	Written bool
	// Left lists the required roles still without a current approval;
	// LeftLabels says the same for people (see Label).
	Left, LeftLabels []string
}

// Record writes every pending approval into its file below root, all or
// none. Each file is changed under its lock (store.Update, git's .lock
// protocol; locks are taken in path order, so two rmm never wait for each
// other in a circle): the file is read again and parsed, and when its
// fingerprint is no longer the one the approver was shown, Record
// refuses with ErrChanged and changes no file. Otherwise the approval is
// added to the bytes as they are now, and the status computed from the
// approvals now present: approvals recorded meanwhile by other rmm
// processes are kept. A lock held too long gives an error wrapping
// store.ErrBusy.
func Record(root string, cfg *doc.Config, pending []Pending) ([]Recorded, error) {
	out := make([]Recorded, len(pending))
	order := make([]int, 0, len(pending))
	for i, p := range pending {
		out[i].Pending = p
		if !p.Current {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return pending[order[a]].Path < pending[order[b]].Path })
	for i := 1; i < len(order); i++ {
		if pending[order[i]].Path == pending[order[i-1]].Path {
			return nil, fmt.Errorf("%s is listed twice", pending[order[i]].Path)
		}
	}
	// Each file's update runs inside the previous one's, so every lock is
	// held until all new contents are known: a refusal changes nothing.
	var update func(k int) error
	update = func(k int) error {
		if k == len(order) {
			return nil
		}
		i := order[k]
		p := pending[i]
		file := filepath.Join(root, filepath.FromSlash(p.Path))
		return store.Update(file, func(cur []byte) ([]byte, error) {
			data, r, err := recordOne(p, cfg, cur)
			if err != nil {
				return nil, err
			}
			if err := update(k + 1); err != nil {
				return nil, err
			}
			out[i] = r
			if data == nil {
				return nil, store.ErrUnchanged
			}
			return data, nil
		})
	}
	if err := update(0); err != nil {
		return nil, err
	}
	return out, nil
}

// recordOne applies p to cur, the file's bytes now; nil data means
// nothing to write.
func recordOne(p Pending, cfg *doc.Config, cur []byte) ([]byte, Recorded, error) {
	r := Recorded{Pending: p}
	d, _ := doc.Parse(p.Path, cur)
	if d == nil || d.Fingerprint != p.Approval.Fingerprint {
		return nil, r, fmt.Errorf("%s (%s) %w", p.ID, p.Path, ErrChanged)
	}
	if hasCurrent(d, p.Approval.By, p.Approval.Role) {
		r.Left = Missing(d, cfg)
		r.LeftLabels = Labels(d, r.Left)
		return nil, r, nil
	}
	data, err := Approve(d, cfg, p.Approval)
	if err != nil {
		return nil, r, err
	}
	nd, _ := doc.Parse(p.Path, data)
	if nd == nil {
		return nil, r, fmt.Errorf("%s: %w", p.Path, doc.ErrEditCheck)
	}
	r.Written, r.Left = true, Missing(nd, cfg)
	r.LeftLabels = Labels(nd, r.Left)
	return data, r, nil
}

// DefaultRole is the role email approves d as when none is given: the
// first required role of d that email holds and that has no current
// approval (for stakeholder: none by email); else stakeholder, when email
// is an approving stakeholder without a current approval; else "".
func DefaultRole(d *doc.Document, cfg *doc.Config, email string) string {
	for _, role := range Missing(d, cfg) {
		if role == RoleStakeholder && !containsFold(Unagreed(d), email) {
			continue
		}
		if Holds(d, cfg, email, role) {
			return role
		}
	}
	if Holds(d, cfg, email, RoleStakeholder) && containsFold(Unagreed(d), email) {
		return RoleStakeholder
	}
	return ""
}

// whoHolds tells who may approve as roles, for a refusal message.
func whoHolds(d *doc.Document, cfg *doc.Config, roles []string) string {
	var parts []string
	for _, role := range roles {
		var who []string
		switch role {
		case RoleOwner:
			who = []string{d.Owner}
		case RoleStakeholder:
			for _, s := range d.Stakeholders {
				if s.Involvement == "approve" {
					who = append(who, s.Who)
				}
			}
		default:
			if cfg != nil {
				who = append(who, cfg.Roles[role]...)
			}
		}
		sort.Strings(who)
		if len(who) == 0 && role != RoleOwner && role != RoleStakeholder {
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

// suggestID proposes ids close to a mistyped one.
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
