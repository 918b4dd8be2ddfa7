package baseline

import (
	"fmt"
	"strings"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Rules are the change-control rules of `rmm check`:
//
//   - approval (error): an `approved` document, of any kind, whose
//     approval does not hold: a role it needs (Needed: rmm.yaml's for its
//     kind, else every role its approvals carry) has no current approval.
//     "changed after approval" names the stale approvals (who as which
//     role) and the roles that must approve again; an approved document
//     with no approval at all is an error too. At the line of the first
//     stale approval, else of status;
//   - review-due (warning): a document with review_every whose last
//     approval or management review (ManagementReview: approved, signed
//     by a manager) is older than that;
//   - approval-role (warning): a current approval by someone who no longer
//     holds its role;
//   - baseline-left (error): a document of the latest baseline that left
//     change control without being retired or approved again in its new
//     form (see NewControl): its kind or control changed, or its status
//     was lowered by hand;
//   - baseline-removed (error): a document of the latest baseline (see
//     LatestAt) that is gone without having been retired first: its last
//     version before the removal (in the working tree, at HEAD, or in the
//     commit history) is not `status: retired`;
//   - retired-ref (warning): a document that is not retired refers to a
//     retired one;
//   - proposal: a proposal's implemented_in that names no existing
//     baseline (error); a proposal implemented without implemented_in
//     (warning);
//   - independence (error, GG2.GP9): an evaluation whose evaluator authored
//     (per git history: the author email of any commit that changed the
//     file), owns or approved (any approval of it) a document it
//     evaluates (see Independence).
func Rules() []check.Rule {
	return []check.Rule{
		{Name: "approval", Fn: changedAfterApproval},
		{Name: "review-due", Fn: reviewDue},
		{Name: "approval-role", Fn: approvalRoles},
		{Name: "baseline-left", Fn: leftControl},
		{Name: "baseline-removed", Fn: removedFromBaseline},
		{Name: "retired-ref", Fn: retiredRefs},
		{Name: "independence", Fn: independence},
		{Name: "proposal", Fn: proposals},
	}
}

// proposals: a proposal's implemented_in must name a baseline that exists
// (baseline/NAME, a tag of the repository); a proposal implemented
// without naming the baseline that implements it is a warning.
func proposals(c *check.Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	var names []string
	listed := false
	for _, d := range c.Lib.Docs {
		if !d.HasFrontMatter || d.Kind != "proposal" {
			continue
		}
		if d.ImplementedIn == "" {
			if d.EffectiveStatus() == "implemented" {
				ds = append(ds, doc.Warnf(d.Path, d.Line("status"), "proposal", "%s is implemented but does not say where: set implemented_in: baseline/NAME, the baseline that holds the change", d.ID))
			}
			continue
		}
		if !listed && c.Repo != nil {
			names, _ = c.Repo.TagNames(TagPrefix)
			listed = true
		}
		if doc.Contains(names, d.ImplementedIn) {
			continue
		}
		hint := ""
		switch {
		case !strings.HasPrefix(d.ImplementedIn, TagPrefix):
			hint = " (it is written baseline/NAME)"
			if doc.Contains(names, TagPrefix+d.ImplementedIn) {
				hint = fmt.Sprintf(" (did you mean %s?)", TagPrefix+d.ImplementedIn)
			}
		case len(names) == 0:
			hint = " (there is no baseline yet)"
		case len(names) > 5:
			hint = " (baselines: " + strings.Join(names[:5], ", ") + ", ...)"
		default:
			hint = " (baselines: " + strings.Join(names, ", ") + ")"
		}
		ds = append(ds, doc.Errorf(d.Path, d.Line("implemented_in"), "proposal", "implemented_in names %s, which is no baseline%s", d.ImplementedIn, hint))
	}
	return ds
}

func changedAfterApproval(c *check.Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	cfg := c.Lib.Config
	for _, d := range c.Lib.Docs {
		if !d.HasFrontMatter || d.EffectiveStatus() != "approved" {
			continue
		}
		if msg, line := approvalProblem(d, cfg); msg != "" {
			ds = append(ds, doc.Errorf(d.Path, line, "approval", "%s", msg))
		}
	}
	return ds
}

// approvalProblem says why an approved d's approval does not hold, and at
// which line, or "".
func approvalProblem(d *doc.Document, cfg *doc.Config) (string, int) {
	needed := Needed(d, cfg)
	if len(needed) == 0 {
		return fmt.Sprintf("%s is approved but carries no approval: status is set by rmm approve, not by hand (rmm approve %s)", d.ID, d.ID), d.Line("status")
	}
	unmet := Unmet(d, cfg)
	if len(unmet) == 0 {
		return "", 0
	}
	line := d.Line("status")
	firstStale := 0
	var staleBy, missing []string
	for _, role := range unmet {
		s := stale(d, role)
		if len(s) == 0 {
			missing = append(missing, role)
			continue
		}
		for _, x := range s {
			if !doc.Contains(staleBy, x) {
				staleBy = append(staleBy, x)
			}
		}
		for _, a := range d.Approvals {
			if a.Role == role && (firstStale == 0 || a.Line < firstStale) {
				firstStale = a.Line
			}
		}
	}
	if firstStale > 0 {
		line = firstStale
	}
	var b strings.Builder
	if len(staleBy) > 0 {
		what := "approval by %s is"
		if len(staleBy) > 1 {
			what = "approvals by %s are"
		}
		fmt.Fprintf(&b, "%s changed after approval: the "+what+" stale", d.ID, strings.Join(staleBy, ", "))
		if len(missing) > 0 {
			fmt.Fprintf(&b, ", and none is by %s", strings.Join(Labels(d, missing), ", "))
		}
	} else {
		fmt.Fprintf(&b, "%s is approved without an approval as %s", d.ID, strings.Join(Labels(d, missing), ", "))
	}
	fmt.Fprintf(&b, "; re-approve as %s (rmm approve %s)", strings.Join(Labels(d, unmet), ", "), d.ID)
	return b.String(), line
}

// latest is the latest baseline of the commit the context checks (HEAD
// for the working tree), or nil.
func latest(c *check.Context) *Manifest {
	if c.Repo == nil {
		return nil
	}
	at := c.Snap.Commit
	if at == "" {
		head, _, err := c.Repo.Head()
		if err != nil {
			return nil
		}
		at = head
	}
	m, _ := LatestAt(c.Repo, at)
	return m
}

func leftControl(c *check.Context) []doc.Diagnostic {
	m := latest(c)
	if m == nil {
		return nil
	}
	ctl, err := NewControl(c.Repo, c.Lib, m)
	if err != nil {
		return []doc.Diagnostic{doc.Errorf(doc.ConfigFile, 0, "baseline-left", "cannot compare with %s, the latest baseline: %v (run 'rmm baseline verify %s')", m.Tag, err, m.Name)}
	}
	var ds []doc.Diagnostic
	for _, l := range ctl.Left() {
		ds = append(ds, doc.Errorf(l.Path, l.doc.Line(l.key), "baseline-left", "%s", l.message()))
	}
	return ds
}

func approvalRoles(c *check.Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	for _, d := range c.Lib.Docs {
		for _, a := range d.Approvals {
			if Current(d, a) && !Holds(d, c.Lib.Config, a.By, a.Role) {
				ds = append(ds, doc.Warnf(d.Path, a.Line, "approval-role", "%s approved as %s but no longer holds that role", a.By, a.Role))
			}
		}
	}
	return ds
}

func retiredRefs(c *check.Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	for _, d := range c.Lib.Docs {
		if d.EffectiveStatus() == "retired" {
			continue
		}
		for _, r := range d.Refs {
			t := c.Lib.Resolve(r)
			if t == nil || t == d || t.EffectiveStatus() != "retired" {
				continue
			}
			hint := ""
			if t.SupersededBy != "" {
				hint = fmt.Sprintf("; it is superseded by %s", t.SupersededBy)
			}
			ds = append(ds, doc.Warnf(d.Path, r.Line, "retired-ref", "refers to %s, which is retired (obsolete)%s", t.ID, hint))
		}
	}
	return ds
}

func removedFromBaseline(c *check.Context) []doc.Diagnostic {
	m := latest(c)
	if m == nil {
		return nil
	}
	head, _, _ := c.Repo.Head()
	at := c.Snap.Commit
	if at == "" {
		at = head
	}
	var ds []doc.Diagnostic
	var hist *repo.History
	histErr := error(nil)
	for _, e := range m.Documents {
		if c.Lib.ByID[e.ID] != nil {
			continue
		}
		if retiredAt(c.Repo, m.Commit, e.Path) || at != "" && retiredAt(c.Repo, at, e.Path) {
			continue
		}
		// Removed in a commit: what matters is the last version before
		// the removal.
		if at != "" && hist == nil && histErr == nil {
			hist, histErr = c.History(at)
		}
		if hist != nil && lastVersionRetired(c.Repo, hist, e.Path) {
			continue
		}
		ds = append(ds, doc.Errorf(e.Path, 0, "baseline-removed",
			"%s was in %s and is gone without having been retired: restore it, set status: retired and commit that before removing it", e.ID, m.Tag))
	}
	return ds
}

// lastVersionRetired reports whether the newest version of path in the
// history (before it was removed) is a retired document.
func lastVersionRetired(r *repo.Repo, h *repo.History, path string) bool {
	for _, ci := range h.Of(r.FullPath(path)) {
		data, ok, err := r.FileAt(ci.Hash, path)
		if err != nil {
			return false
		}
		if ok {
			d, _ := doc.Parse(path, data)
			return d != nil && d.EffectiveStatus() == "retired"
		}
	}
	return false
}

// retiredAt reports whether the file at path in commit is a retired
// document.
func retiredAt(r *repo.Repo, commit, path string) bool {
	data, ok, err := r.FileAt(commit, path)
	if err != nil || !ok {
		return false
	}
	d, _ := doc.Parse(path, data)
	return d != nil && d.EffectiveStatus() == "retired"
}

func independence(c *check.Context) []doc.Diagnostic {
	if c.Repo == nil {
		return nil
	}
	var ds []doc.Diagnostic
	for _, e := range c.Lib.Docs {
		if e.Kind != "evaluation" || e.Evaluator == "" || len(e.Evaluates) == 0 {
			continue
		}
		cs, err := Independence(c, e)
		if err != nil {
			return append(ds, doc.Warnf(e.Path, e.Line("evaluator"), "independence", "cannot read git history to check the evaluator's independence: %v", err))
		}
		for _, x := range cs {
			ds = append(ds, doc.Errorf(e.Path, e.Line("evaluator"), "independence", "%s", x.Message))
		}
	}
	return ds
}

// Conflict is a reason an evaluator is not independent of a document
// they evaluate.
type Conflict struct {
	Target string // the evaluated document's id
	// Why is "authored" (per git: the author of a commit that changed
	// it), "owns" or "approved" (an approval of it, current or not).
	Why     string
	Message string // the check diagnostic's text
}

// Independence lists why e's evaluator is not independent of what e
// evaluates (GG2.GP9): for each evaluated document, the first commit
// that changed it authored by the evaluator (the history pass from the
// commit checked, HEAD for the working tree), their being its owner, and
// their approvals of it. No conflict means independent. The error says
// the history could not be read.
func Independence(c *check.Context, e *doc.Document) ([]Conflict, error) {
	if e.Evaluator == "" {
		return nil, nil
	}
	var h *repo.History
	if c.Repo != nil {
		rev := c.Snap.Commit
		if rev == "" {
			if head, _, err := c.Repo.Head(); err == nil {
				rev = head
			}
		}
		if rev != "" {
			var err error
			if h, err = c.History(rev); err != nil {
				return nil, err
			}
		}
	}
	const objective = "an evaluation must be objective, by someone who did not write what it evaluates (GG2.GP9)"
	const objective2 = "an evaluation must be objective, by someone who neither wrote, owns nor approved what it evaluates (GG2.GP9)"
	var out []Conflict
	for _, id := range e.Evaluates {
		t := c.Lib.ByID[id]
		if t == nil || t == e {
			continue
		}
		if h != nil {
			for _, ci := range h.Of(c.Repo.FullPath(t.Path)) {
				if strings.EqualFold(ci.Email, e.Evaluator) {
					out = append(out, Conflict{Target: t.ID, Why: "authored", Message: fmt.Sprintf(
						"evaluator %s authored %s (%s, commit %s of %s): %s",
						e.Evaluator, t.ID, t.Path, short(ci.Hash), ci.Date.UTC().Format("2006-01-02"), objective)})
					break
				}
			}
		}
		if t.Owner != "" && strings.EqualFold(t.Owner, e.Evaluator) {
			out = append(out, Conflict{Target: t.ID, Why: "owns", Message: fmt.Sprintf(
				"evaluator %s owns %s (%s): %s", e.Evaluator, t.ID, t.Path, objective2)})
		}
		for _, a := range t.Approvals {
			if strings.EqualFold(a.By, e.Evaluator) {
				date := a.Date
				if len(date) > 10 {
					date = date[:10]
				}
				out = append(out, Conflict{Target: t.ID, Why: "approved", Message: fmt.Sprintf(
					"evaluator %s approved %s (%s, as %s on %s): %s", e.Evaluator, t.ID, t.Path, a.Role, date, objective2)})
				break
			}
		}
	}
	return out, nil
}
