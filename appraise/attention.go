package appraise

// What needs attention: the groups of the site's attention.html and of
// the top of its home page, made of the same Status as `rmm status`.

import (
	"sort"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/tailor"
)

// Attention is what needs someone's attention in a library, by group.
type Attention struct {
	// Changed are approved documents edited after approval: the roles in
	// each must approve again (baseline.Unmet).
	Changed []StaleApproval `json:"changed_after_approval"`
	// Pending are documents waiting for approval: in review, or approved
	// with a needed role that never approved.
	Pending []Pending `json:"approvals_pending"`
	// ReviewsOverdue and ReviewsSoon split Status.ReviewsDue.
	ReviewsOverdue []ReviewDue `json:"reviews_overdue"`
	ReviewsSoon    []ReviewDue `json:"reviews_due_soon"`
	// Actions are the open actions, by owner ("" last); Overdue counts
	// the overdue ones of all owners.
	Actions []OwnerActions `json:"actions"`
	Overdue int            `json:"actions_overdue"`
	// Suspect tailorings, deviations of measures (off target, stale, no
	// data) and training gaps, as in Status.
	Suspect      []tailor.Cell     `json:"suspect_tailorings"`
	Deviations   []check.Deviation `json:"deviations"`
	TrainingGaps []Gap             `json:"training_gaps"`
	// SinceBaseline is Status.SinceBaseline (nil without a baseline).
	SinceBaseline *baseline.Diff `json:"since_baseline"`
}

// Pending is a document waiting for approval.
type Pending struct {
	ID     string   `json:"id"`
	Path   string   `json:"path"`
	Status string   `json:"status"` // its own status: review or approved
	Roles  []string `json:"roles"`  // the roles still to approve
}

// OwnerActions are one owner's open actions, by path and line.
type OwnerActions struct {
	Owner   string   `json:"owner"` // "" for actions with no owner
	Items   []Action `json:"items"`
	Overdue int      `json:"overdue"`
}

// NewAttention is NewStatus(ctx) grouped for attention: it reads the same
// library, the same clock and the same latest baseline. The error is
// NewStatus's; the attention is returned all the same.
func NewAttention(ctx *check.Context) (*Attention, error) {
	st, err := NewStatus(ctx)
	return AttentionOf(ctx, st), err
}

// AttentionOf groups st, the status of ctx's library.
func AttentionOf(ctx *check.Context, st *Status) *Attention {
	lib := ctx.Lib
	a := &Attention{Changed: []StaleApproval{}, Pending: []Pending{}, ReviewsOverdue: []ReviewDue{}, ReviewsSoon: []ReviewDue{},
		Actions: []OwnerActions{}, Suspect: st.Suspect, Deviations: st.Deviations, TrainingGaps: st.TrainingGaps, SinceBaseline: st.SinceBaseline}
	if a.Deviations == nil {
		a.Deviations = []check.Deviation{}
	}
	if a.TrainingGaps == nil {
		a.TrainingGaps = []Gap{}
	}
	stale := map[string]bool{}
	for _, s := range st.StaleApprovals {
		d := lib.ByPath[s.Path]
		if d != nil && baseline.EffectiveStatus(d, lib.Config) == baseline.StatusChanged {
			a.Changed = append(a.Changed, s)
			stale[s.Path] = true
		}
	}
	for _, d := range lib.Docs {
		if !d.HasFrontMatter || stale[d.Path] {
			continue
		}
		switch d.EffectiveStatus() {
		case "review":
			a.Pending = append(a.Pending, Pending{ID: d.ID, Path: d.Path, Status: "review", Roles: nonNil(baseline.Missing(d, lib.Config))})
		case "approved":
			if miss := baseline.Unmet(d, lib.Config); len(miss) > 0 || len(baseline.Needed(d, lib.Config)) == 0 {
				a.Pending = append(a.Pending, Pending{ID: d.ID, Path: d.Path, Status: "approved", Roles: nonNil(miss)})
			}
		}
	}
	sort.Slice(a.Pending, func(i, j int) bool { return a.Pending[i].ID < a.Pending[j].ID })
	for _, r := range st.ReviewsDue {
		if r.Overdue {
			a.ReviewsOverdue = append(a.ReviewsOverdue, r)
		} else {
			a.ReviewsSoon = append(a.ReviewsSoon, r)
		}
	}
	byDue := func(l []ReviewDue) {
		sort.SliceStable(l, func(i, j int) bool { return l[i].Due < l[j].Due })
	}
	byDue(a.ReviewsOverdue)
	byDue(a.ReviewsSoon)
	owners := map[string]*OwnerActions{}
	for _, x := range st.Actions.Items {
		o := owners[x.Owner]
		if o == nil {
			o = &OwnerActions{Owner: x.Owner}
			owners[x.Owner] = o
		}
		o.Items = append(o.Items, x)
		if x.Overdue {
			o.Overdue++
			a.Overdue++
		}
	}
	for _, o := range owners {
		a.Actions = append(a.Actions, *o)
	}
	sort.Slice(a.Actions, func(i, j int) bool {
		x, y := a.Actions[i].Owner, a.Actions[j].Owner
		if (x == "") != (y == "") {
			return y == ""
		}
		return x < y
	})
	return a
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
