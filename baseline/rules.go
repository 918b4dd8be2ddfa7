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
//   - approval (error): an `approved` document whose required approvals are
//     missing or stale: "changed after approval", naming the roles that must
//     approve again, at the line of the first stale approval or of status;
//   - approval-role (warning): a current approval by someone who no longer
//     holds its role;
//   - baseline-removed (error): a document of the latest baseline (by tag
//     date) that is gone without having been retired first: its last
//     version before the removal (in the working tree, at HEAD, or in the
//     commit history) is not `status: retired`;
//   - retired-ref (warning): a document that is not retired refers to a
//     retired one;
//   - independence (error, GG2.GP9): an evaluation whose evaluator authored
//     (per git history: the author email of any commit that changed the
//     file) a document it evaluates.
func Rules() []check.Rule {
	return []check.Rule{
		{Name: "approval", Fn: changedAfterApproval},
		{Name: "approval-role", Fn: approvalRoles},
		{Name: "baseline-removed", Fn: removedFromBaseline},
		{Name: "retired-ref", Fn: retiredRefs},
		{Name: "independence", Fn: independence},
	}
}

func changedAfterApproval(c *check.Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	cfg := c.Lib.Config
	for _, d := range c.Lib.Docs {
		if !d.HasFrontMatter || d.Status != "approved" {
			continue
		}
		missing := Missing(d, cfg)
		if len(missing) == 0 {
			continue
		}
		line := d.Line("status")
		var parts []string
		firstStale := 0
		for _, role := range missing {
			stale := false
			for _, a := range d.Approvals {
				if a.Role == role {
					stale = true
					if firstStale == 0 || a.Line < firstStale {
						firstStale = a.Line
					}
				}
			}
			if stale {
				parts = append(parts, role+" (stale)")
			} else {
				parts = append(parts, role+" (missing)")
			}
		}
		if firstStale > 0 {
			line = firstStale
		}
		ds = append(ds, doc.Errorf(d.Path, line, "approval", "%s changed after approval: re-approve as %s (rmm approve %s)",
			d.ID, strings.Join(parts, ", "), d.ID))
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
	if c.Repo == nil {
		return nil
	}
	m := Latest(c.Repo)
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
			hist, histErr = repo.LoadHistory(c.Repo.GitDir, at, "")
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
	var evals []*doc.Document
	for _, d := range c.Lib.Docs {
		if d.Kind == "evaluation" && d.Evaluator != "" && len(d.Evaluates) > 0 {
			evals = append(evals, d)
		}
	}
	if len(evals) == 0 {
		return nil
	}
	rev := c.Snap.Commit
	if rev == "" {
		h, _, err := c.Repo.Head()
		if err != nil {
			return nil
		}
		rev = h
	}
	h, err := repo.LoadHistory(c.Repo.GitDir, rev, "")
	if err != nil {
		return []doc.Diagnostic{doc.Warnf(evals[0].Path, evals[0].Line("evaluator"), "independence", "cannot read git history to check the evaluator's independence: %v", err)}
	}
	var ds []doc.Diagnostic
	for _, e := range evals {
		for _, id := range e.Evaluates {
			t := c.Lib.ByID[id]
			if t == nil || t == e {
				continue
			}
			for _, ci := range h.Of(c.Repo.FullPath(t.Path)) {
				if strings.EqualFold(ci.Email, e.Evaluator) {
					ds = append(ds, doc.Errorf(e.Path, e.Line("evaluator"), "independence",
						"evaluator %s authored %s (%s, commit %s of %s): an evaluation must be objective, by someone who did not write what it evaluates (GG2.GP9)",
						e.Evaluator, t.ID, t.Path, short(ci.Hash), ci.Date.UTC().Format("2006-01-02")))
					break
				}
			}
		}
	}
	return ds
}
