package baseline

// Change control of every signed record (SPEC 9, issue 9): what an
// approved document needs to stay approved, whatever kind it is, and which
// documents of the latest baseline have left control.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Statuses EffectiveStatus and Control.Status return besides a document's
// own status. None of them is "approved": the site must not show the
// approved badge on such a document.
const (
	// StatusChanged: approved, but a needed role's approvals are all stale
	// (the document changed after approval).
	StatusChanged = "changed after approval"
	// StatusUnsigned: approved, but a needed role never approved it (or
	// the document carries no approval at all).
	StatusUnsigned = "approval missing"
	// StatusLeft: a document of the latest baseline that left change
	// control (kind or control changed, status lowered by hand) without
	// being retired or approved again in its new form.
	StatusLeft = "left control"
)

// Needed lists the roles whose current approval an approved d needs, in
// order, each once: RequiredRoles (the roles rmm.yaml `approvals` requires
// for d's kind); for a kind rmm.yaml requires none for, every role that
// d's approvals carry (a signed record stays signed by whoever signed it),
// then any other RequiredRoles gives. A document with none needs nothing,
// and cannot be approved (see Approved).
func Needed(d *doc.Document, cfg *doc.Config) []string {
	req := RequiredRoles(d, cfg)
	if cfg != nil && len(cfg.RequiredRoles(d.Kind)) > 0 {
		return req
	}
	var out []string
	for _, a := range d.Approvals {
		if a.Role != "" && !doc.Contains(out, a.Role) {
			out = append(out, a.Role)
		}
	}
	for _, role := range req {
		if !doc.Contains(out, role) {
			out = append(out, role)
		}
	}
	return out
}

// Unmet lists the roles of Needed(d, cfg) with no current approval.
func Unmet(d *doc.Document, cfg *doc.Config) []string {
	var out []string
	for _, role := range Needed(d, cfg) {
		if !met(d, role) {
			out = append(out, role)
		}
	}
	return out
}

// Approved reports whether d is approved and its approval holds: status
// approved, at least one needed role, and a current approval of each.
// It knows nothing of baselines; Control.Approved adds them.
func Approved(d *doc.Document, cfg *doc.Config) bool {
	return EffectiveStatus(d, cfg) == "approved"
}

// EffectiveStatus is d's status as change control sees it: its own
// status, except that an approved document whose approval does not hold
// is StatusChanged (some needed role has only stale approvals) or
// StatusUnsigned (a needed role never approved, or nothing is needed
// because the document carries no approval at all).
func EffectiveStatus(d *doc.Document, cfg *doc.Config) string {
	st := d.EffectiveStatus()
	if !d.HasFrontMatter || st != "approved" {
		return st
	}
	needed := Needed(d, cfg)
	if len(needed) == 0 {
		return StatusUnsigned
	}
	status := st
	for _, role := range needed {
		if met(d, role) {
			continue
		}
		if len(stale(d, role)) > 0 {
			return StatusChanged
		}
		status = StatusUnsigned
	}
	return status
}

// stale lists "by as role" for each approver of role whose approvals of d
// are not current, once each, in file order. For the stakeholder role
// (while d lists approving stakeholders) they are the stale approvals, in
// any role, of the stakeholders who have not agreed.
func stale(d *doc.Document, role string) []string {
	var who []string
	byPerson := role == RoleStakeholder && len(ApprovingStakeholders(d)) > 0
	if byPerson {
		who = Unagreed(d)
	}
	var out []string
	for _, a := range d.Approvals {
		if Current(d, a) || (byPerson && !containsFold(who, a.By)) || (!byPerson && a.Role != role) {
			continue
		}
		s := a.By + " as " + a.Role
		if !doc.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Left is a document of the latest baseline that left change control.
type Left struct {
	ID   string `json:"id"`
	Path string `json:"path"`
	// Baseline is the tag of the baseline that holds it.
	Baseline string `json:"baseline"`
	// Changes say how it left: "kind policy -> note", "control: version",
	// "status approved -> draft".
	Changes []string `json:"changes"`
	// Roles must approve it again, in its new form, unless it is retired.
	Roles []string `json:"roles"`

	key   string // the front matter key the diagnostic points at
	holds bool   // every role of Roles has a current approval: only the status is wrong
	doc   *doc.Document
}

// Control is change control against the latest baseline: Status is what
// the site should show for a document, and Left lists the documents that
// left control. Make one with NewControl.
type Control struct {
	// Baseline is the latest baseline, nil when there is none.
	Baseline *Manifest
	cfg      *doc.Config
	left     map[*doc.Document]*Left
	list     []*Left
}

// NewControl compares lib with m, the latest baseline (see LatestAt; nil
// when there is none). A document is held by m when m's manifest lists
// its id, or when it was an approved document carrying approvals at m's
// commit (a signed record such as a review or an evaluation). It has left
// control, unless it is retired now, when:
//   - listed in the manifest (approved there), it is no longer under
//     baseline control (its kind changed, or control: version), or its
//     status is no longer approved; it is back under control once it is
//     approved again in its new form: status approved and a current
//     approval of every role that approved it in m and every role it
//     needs now (Needed);
//   - a signed record at m's commit, with the same id at the same path,
//     its status is no longer approved (lowered by hand).
//
// It reads m's commit tree once, and the old version of a document only
// when the document is a candidate (not approved, or not controlled)
// and its blob differs from the one m holds: no per-document git walk.
// Documents removed since m are the baseline-removed rule's business.
//
// The error says m's commit could not be read; the Control returned with
// it still gives EffectiveStatus for every document (it knows of none that
// left control), so a caller may show statuses and report the error.
func NewControl(r *repo.Repo, lib *doc.Library, m *Manifest) (*Control, error) {
	c := &Control{Baseline: m, cfg: lib.Config, left: map[*doc.Document]*Left{}}
	if m == nil {
		return c, nil
	}
	var tree *repo.TreeFS
	openTree := func() error {
		if tree != nil {
			return nil
		}
		t, err := r.Tree(m.Commit)
		if err != nil {
			return fmt.Errorf("read %s's commit %s: %w", m.Tag, short(m.Commit), err)
		}
		tree = t
		return nil
	}
	for _, d := range lib.Docs {
		if !d.HasFrontMatter || d.ID == "" || lib.ByID[d.ID] != d {
			continue
		}
		st := d.EffectiveStatus()
		if st == "retired" {
			continue
		}
		e := m.Entry(d.ID)
		if st == "approved" && (e == nil || d.Controlled()) {
			continue // the approval rule watches it
		}
		oldPath := d.Path
		if err := openTree(); err != nil {
			return c, err
		}
		if e != nil {
			oldPath = e.Path
		}
		oldBlob, ok := tree.BlobHash(oldPath)
		if !ok || oldBlob == repo.BlobHash(d.Raw) {
			continue // not at the baseline's commit, or unchanged since
		}
		data, err := tree.ReadFile(oldPath)
		if err != nil {
			return &Control{Baseline: m, cfg: lib.Config, left: map[*doc.Document]*Left{}}, fmt.Errorf("read %s at %s: %w", oldPath, m.Tag, err)
		}
		od, _ := doc.Parse(oldPath, data)
		if od == nil || !od.HasFrontMatter || od.ID != d.ID || od.EffectiveStatus() != "approved" {
			continue
		}
		l := &Left{ID: d.ID, Path: d.Path, Baseline: m.Tag, doc: d}
		var roles []string
		if e != nil {
			for _, a := range e.Approvers {
				roles = append(roles, a.Role)
			}
			if !d.Controlled() {
				switch {
				case d.Kind != od.Kind:
					l.Changes = append(l.Changes, fmt.Sprintf("kind %s -> %s", od.Kind, d.Kind))
					l.key = "kind"
				default:
					l.Changes = append(l.Changes, "control: "+d.Control)
					l.key = "control"
				}
			}
		} else {
			if len(od.Approvals) == 0 {
				continue
			}
			for _, a := range Approvers(od) {
				roles = append(roles, a.Role)
			}
		}
		if st != "approved" {
			l.Changes = append(l.Changes, "status approved -> "+st)
			if l.key == "" {
				l.key = "status"
			}
		}
		if len(l.Changes) == 0 {
			continue
		}
		roles = append(roles, Needed(d, lib.Config)...)
		for _, role := range roles {
			if role != "" && !doc.Contains(l.Roles, role) {
				l.Roles = append(l.Roles, role)
			}
		}
		if reapproved(d, lib.Config, l.Roles) {
			continue
		}
		l.holds = len(l.Roles) > 0
		for _, role := range l.Roles {
			l.holds = l.holds && met(d, role)
		}
		c.left[d] = l
		c.list = append(c.list, l)
	}
	sort.Slice(c.list, func(i, j int) bool { return c.list[i].ID < c.list[j].ID })
	return c, nil
}

// reapproved reports whether d is approved in its present form by every
// one of roles (and its own approval holds).
func reapproved(d *doc.Document, cfg *doc.Config, roles []string) bool {
	if !Approved(d, cfg) {
		return false
	}
	for _, role := range roles {
		if !met(d, role) {
			return false
		}
	}
	return true
}

// Left lists the documents that left control, by id.
func (c *Control) Left() []*Left { return c.list }

// LeftOf returns how d left control, or nil.
func (c *Control) LeftOf(d *doc.Document) *Left { return c.left[d] }

// Status is what the site should show as d's status: StatusLeft for a
// document that left control, else EffectiveStatus.
func (c *Control) Status(d *doc.Document) string {
	if c != nil && c.left[d] != nil {
		return StatusLeft
	}
	cfg := (*doc.Config)(nil)
	if c != nil {
		cfg = c.cfg
	}
	return EffectiveStatus(d, cfg)
}

// Approved reports whether the site may show d as approved.
func (c *Control) Approved(d *doc.Document) bool { return c.Status(d) == "approved" }

// message is the check diagnostic's text.
func (l *Left) message() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s left change control: it is approved at %s, and now %s", l.ID, l.Baseline, strings.Join(describe(l.Changes), " and "))
	b.WriteString("; a document of the latest baseline leaves control only by being retired: set status: retired to withdraw it, or ")
	roles := "its approvers"
	if len(l.Roles) > 0 {
		roles = strings.Join(l.Roles, ", ")
	}
	if l.holds {
		fmt.Fprintf(&b, "set status: approved back (its approvals as %s are current)", roles)
	} else {
		fmt.Fprintf(&b, "have it approved again in its new form as %s (rmm approve %s)", roles, l.ID)
	}
	return b.String()
}

func describe(changes []string) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		switch {
		case strings.HasPrefix(c, "kind "):
			from, to, _ := strings.Cut(strings.TrimPrefix(c, "kind "), " -> ")
			out[i] = fmt.Sprintf("its kind is %s, not %s (not under baseline control)", to, from)
		case strings.HasPrefix(c, "control: "):
			out[i] = "it has " + c + " (version control only)"
		case strings.HasPrefix(c, "status approved -> "):
			out[i] = "its status is " + strings.TrimPrefix(c, "status approved -> ") + " (lowered by hand: only rmm approve sets it)"
		default:
			out[i] = c
		}
	}
	return out
}
