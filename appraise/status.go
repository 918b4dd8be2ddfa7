package appraise

// The library's status: what `rmm status` prints, and what pages built on
// it (what needs attention, the document register) read.

import (
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/tailor"
)

// ReviewSoon is how far ahead a review counts as due.
const ReviewSoon = 30 * 24 * time.Hour

// Status is `rmm status --json`; README "JSON output" documents it.
type Status struct {
	Documents      map[string]map[string]int `json:"documents"` // kind -> status -> count
	StaleApprovals []StaleApproval           `json:"stale_approvals"`
	ReviewsDue     []ReviewDue               `json:"reviews_due"`
	Suspect        []tailor.Cell             `json:"suspect_tailorings"`
	Actions        ActionCounts              `json:"actions"`
	TrainingGaps   []Gap                     `json:"training_gaps"`
	Deviations     []check.Deviation         `json:"deviations"`
	Stakeholders   []Involvement             `json:"stakeholders"`
	SinceBaseline  *baseline.Diff            `json:"since_baseline"` // null without baselines
}

// StaleApproval is an approved document whose approval does not hold.
type StaleApproval struct {
	ID    string   `json:"id"`
	Path  string   `json:"path"`
	Roles []string `json:"roles"` // roles to (re-)approve (baseline.Unmet)
}

// ReviewDue is a document due for review within ReviewSoon, or overdue.
type ReviewDue struct {
	ID      string `json:"id"`
	Path    string `json:"path"`
	Due     string `json:"due"`
	Overdue bool   `json:"overdue"`
}

// ActionCounts are the library's actions.
type ActionCounts struct {
	Open    int          `json:"open"`
	Overdue []OpenAction `json:"overdue"`
	// Items are the open actions, Closed the closed ones with the commit
	// that closed them (Actions).
	Items  []Action `json:"items"`
	Closed []Action `json:"closed"`
}

// OpenAction is an overdue action, in the shape of the first release.
type OpenAction struct {
	Doc   string `json:"document"`
	Path  string `json:"path"`
	Line  int    `json:"line"`
	Text  string `json:"text"`
	Owner string `json:"owner"`
	Due   string `json:"due"`
}

// NewStatus summarises ctx's library at ctx.Now: documents by kind and
// status, approved documents whose approval does not hold, reviews due,
// suspect tailorings, actions (Actions), training gaps (TrainingGaps),
// deviations of measures, stakeholders (Stakeholders), and the changes
// since the latest baseline of its commit (HEAD for the working tree).
// The error is Actions': the history could not be read; the status is
// returned all the same, its closed actions without their commits.
func NewStatus(ctx *check.Context) (*Status, error) {
	lib, now := ctx.Lib, ctx.Now
	rep := &Status{Documents: map[string]map[string]int{}, StaleApprovals: []StaleApproval{}, ReviewsDue: []ReviewDue{}, Suspect: []tailor.Cell{},
		Actions: ActionCounts{Overdue: []OpenAction{}, Items: []Action{}, Closed: []Action{}}}
	reviews := baseline.NewReviewIndex(lib)
	for _, d := range lib.Docs {
		if rep.Documents[d.Kind] == nil {
			rep.Documents[d.Kind] = map[string]int{}
		}
		rep.Documents[d.Kind][d.EffectiveStatus()]++
		if d.EffectiveStatus() == "approved" {
			if miss := baseline.Unmet(d, lib.Config); len(miss) > 0 {
				rep.StaleApprovals = append(rep.StaleApprovals, StaleApproval{d.ID, d.Path, miss})
			}
		}
		if due := reviews.Due(d); !due.IsZero() && now.Add(ReviewSoon).After(due) {
			rep.ReviewsDue = append(rep.ReviewsDue, ReviewDue{d.ID, d.Path, due.Format("2006-01-02"), now.After(due)})
		}
	}
	// Actions returns the actions even when the history cannot be read
	// (without their closing commits); so does NewStatus, with the error.
	acts, actErr := Actions(ctx)
	for _, a := range acts {
		if a.Done {
			rep.Actions.Closed = append(rep.Actions.Closed, a)
			continue
		}
		rep.Actions.Open++
		rep.Actions.Items = append(rep.Actions.Items, a)
		if a.Overdue {
			rep.Actions.Overdue = append(rep.Actions.Overdue, OpenAction{a.Document, a.Path, a.Line, a.Text, a.Owner, a.Due})
		}
	}
	rep.TrainingGaps = TrainingGaps(ctx, Control(ctx))
	rep.Deviations = ctx.Deviations()
	rep.Stakeholders = Stakeholders(lib)
	if cells, err := tailor.Matrix(ctx); err == nil {
		for _, c := range cells {
			if c.State == tailor.Suspect {
				rep.Suspect = append(rep.Suspect, c)
			}
		}
	}
	if ctx.Repo != nil {
		if m := latestBaseline(ctx); m != nil {
			if old, err := ctx.At(m.Tag); err == nil {
				rep.SinceBaseline = baseline.Compare(old.Lib, lib)
				rep.SinceBaseline.From, rep.SinceBaseline.To = m.Tag, "working tree"
				if c := ctx.Snap.Commit; c != "" {
					rep.SinceBaseline.To = c
				}
			}
		}
	}
	return rep, actErr
}

// latestBaseline is the latest baseline of ctx's commit (HEAD for the
// working tree), as Control uses, or nil.
func latestBaseline(ctx *check.Context) *baseline.Manifest {
	at := ctx.Snap.Commit
	if at == "" {
		at, _, _ = ctx.Repo.Head()
	}
	if at == "" {
		return nil
	}
	m, _ := baseline.LatestAt(ctx.Repo, at)
	return m
}
