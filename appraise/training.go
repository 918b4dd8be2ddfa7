package appraise

// Training (GG2.GP5 subpractices 1 to 4): who must be trained on what,
// and the gaps.

import (
	"sort"
	"strings"
	"time"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
)

// Gap is a person not trained on a document they own, approve or are a
// stakeholder of.
type Gap struct {
	Person      string `json:"person"`
	Document    string `json:"document"`
	Path        string `json:"path"`
	ProcessArea string `json:"process_area"`
	// Because says how the person is involved: owner, approver,
	// stakeholder (and the involvement), in that order.
	Because []string `json:"because"`
	// Since is the day of the document's latest current approval: the
	// version in force since then is the one to be trained on.
	Since string `json:"since"`
	Days  int    `json:"days"` // from Since to now
	// LastTrained is the date of the latest training record covering the
	// document that the person attended, before Since ("" for never).
	LastTrained string `json:"last_trained"`
}

// TrainingGaps lists who is not trained on what (issue 10): a person who
// owns, has a current approval of, or is a stakeholder of a current
// controlled document (control baseline, approved with its approvals
// holding, as ctl shows it; nil: Control(ctx)) is trained on it when a
// training record (kind training, not retired, no placeholder section)
// that covers it, dated on or after the day of its latest current
// approval, lists them among its attendees. Sorted by document, then
// person.
func TrainingGaps(ctx *check.Context, ctl *baseline.Control) []Gap {
	return trainingGaps(newGapper(ctx, ctl))
}

func newGapper(ctx *check.Context, ctl *baseline.Control) *appraiser {
	if ctl == nil {
		ctl = Control(ctx)
	}
	return &appraiser{ctx: ctx, lib: ctx.Lib, cfg: ctx.Lib.Config, ctl: ctl, tpl: ctx.Templates(), now: ctx.Now}
}

type trained struct {
	day       time.Time
	attendees []string
}

func trainingGaps(a *appraiser) []Gap {
	records := map[string][]trained{} // by covered id
	for _, r := range a.lib.Docs {
		if r.Kind != "training" || !r.HasFrontMatter || r.EffectiveStatus() == "retired" || !a.tpl.Content(r) {
			continue
		}
		day := check.ParseDay(r.Date)
		if day.IsZero() {
			continue
		}
		for _, id := range r.Covers {
			records[id] = append(records[id], trained{day, r.Attendees})
		}
	}
	out := []Gap{}
	for _, d := range a.lib.Docs {
		if !d.HasFrontMatter || !d.Controlled() || d.ID == "" || a.lib.ByID[d.ID] != d || !a.approved(d) {
			continue
		}
		var latest time.Time
		for _, ap := range baseline.Approvers(d) {
			if t := check.ParseDay(ap.Date); t.After(latest) {
				latest = t
			}
		}
		if latest.IsZero() {
			continue
		}
		for _, p := range involved(d) {
			last := time.Time{}
			ok := false
			for _, rec := range records[d.ID] {
				if !containsFold(rec.attendees, p.who) {
					continue
				}
				if !rec.day.Before(latest) {
					ok = true
					break
				}
				if rec.day.After(last) {
					last = rec.day
				}
			}
			if ok {
				continue
			}
			g := Gap{Person: p.who, Document: d.ID, Path: d.Path, ProcessArea: d.ProcessArea, Because: p.because,
				Since: latest.Format("2006-01-02"), Days: int(a.now.Sub(latest).Hours() / 24)}
			if !last.IsZero() {
				g.LastTrained = last.Format("2006-01-02")
			}
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Document != out[j].Document {
			return out[i].Document < out[j].Document
		}
		return out[i].Person < out[j].Person
	})
	return out
}

type person struct {
	who     string
	because []string
}

// involved lists who must be trained on d: its owner, its current
// approvers and its stakeholders, each once (by email, any case).
func involved(d *doc.Document) []person {
	var out []person
	add := func(who, why string) {
		who = strings.TrimSpace(who)
		if who == "" {
			return
		}
		for i := range out {
			if strings.EqualFold(out[i].who, who) {
				if !doc.Contains(out[i].because, why) {
					out[i].because = append(out[i].because, why)
				}
				return
			}
		}
		out = append(out, person{who, []string{why}})
	}
	add(d.Owner, "owner")
	for _, ap := range baseline.Approvers(d) {
		add(ap.By, "approver")
	}
	for _, s := range d.Stakeholders {
		add(s.Who, "stakeholder ("+s.Involvement+")")
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}
