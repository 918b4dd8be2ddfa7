package baseline

// Periodic and event-driven management review (GG2.GP10): which review
// records count, and when each document is due for review again.

import (
	"strings"
	"time"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
)

// RoleManager is the rmm.yaml role of higher level management (SPEC 1:
// policies are approved by it, and management reviews are theirs).
const RoleManager = "manager"

// ManagementReview reports whether r is a management review record that
// counts (issue 10): a review, approved with its approval holding
// (Approved), whose current approvers include a holder of the rmm.yaml
// role manager, with a date. A draft review, or one signed by no manager,
// is minutes, not a review with higher level management: it neither
// resets the review clock nor evidences GG2.GP10.
func ManagementReview(r *doc.Document, cfg *doc.Config) bool {
	if r.Kind != "review" || check.ParseDay(r.Date).IsZero() || !Approved(r, cfg) {
		return false
	}
	return ManagerApprover(r, cfg) != ""
}

// ManagerApprover is the first holder of the manager role among d's
// current approvers, or "".
func ManagerApprover(d *doc.Document, cfg *doc.Config) string {
	if cfg == nil {
		return ""
	}
	for _, a := range Approvers(d) {
		if doc.Contains(cfg.RolesOf(a.By), RoleManager) {
			return a.By
		}
	}
	return ""
}

// ReviewIndex holds, per document id, the latest date of a management
// review (ManagementReview) that covers it.
type ReviewIndex map[string]time.Time

// NewReviewIndex reads every review of the library once.
func NewReviewIndex(l *doc.Library) ReviewIndex {
	idx := ReviewIndex{}
	for _, r := range l.Docs {
		if !ManagementReview(r, l.Config) {
			continue
		}
		t := check.ParseDay(r.Date)
		for _, id := range r.Covers {
			if t.After(idx[id]) {
				idx[id] = t
			}
		}
	}
	return idx
}

// LastReviewed is the latest date of an approval of d or of a management
// review that covers it.
func (idx ReviewIndex) LastReviewed(d *doc.Document) time.Time {
	last := idx[d.ID]
	for _, a := range d.Approvals {
		if t := check.ParseDay(a.Date); t.After(last) {
			last = t
		}
	}
	return last
}

// Due is when d is due for review (review_every after LastReviewed), or
// the zero time when it has no period or was never approved or reviewed.
func (idx ReviewIndex) Due(d *doc.Document) time.Time {
	if d.ReviewEvery == "" || d.EffectiveStatus() == "retired" {
		return time.Time{}
	}
	p, err := check.ParsePeriod(d.ReviewEvery)
	if err != nil {
		return time.Time{}
	}
	last := idx.LastReviewed(d)
	if last.IsZero() {
		return time.Time{}
	}
	return p.After(last)
}

// reviewDue (warning review-due): a document with review_every whose last
// approval or management review is older than that.
func reviewDue(c *check.Context) []doc.Diagnostic {
	var ds []doc.Diagnostic
	reviews := NewReviewIndex(c.Lib)
	for _, d := range c.Lib.Docs {
		if !d.HasFrontMatter {
			continue
		}
		due := reviews.Due(d)
		if due.IsZero() || !c.Now.After(due) {
			continue
		}
		ds = append(ds, doc.Warnf(d.Path, d.Line("review_every"), "review-due", "review overdue since %s (review_every %s, last approved or reviewed %s)",
			due.Format("2006-01-02"), d.ReviewEvery, reviews.LastReviewed(d).Format("2006-01-02")))
	}
	return ds
}

// EventDriven says what caused r, an event-driven review (`trigger: ID`),
// or "" for a periodic one.
func EventDriven(r *doc.Document) string { return strings.TrimSpace(r.Trigger) }
