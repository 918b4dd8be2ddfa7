package render

// What needs attention (attention.html, and the top of the home page) and
// the document register (register.html, register.csv). Both come from
// package appraise over the published documents only (the library the
// appraisal reads, coverage.go), so a document the audience may not see
// is never counted or named: its changes, actions, reviews, gaps and
// register row stay out.

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rmm-pal/rmm/appraise"
	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
)

// attentionView is the attention list; every item links to its document.
type attentionView struct {
	Changed, Pending           []attItem
	ReviewsOverdue, ReviewsDue []attItem
	Owners                     []attOwner
	Open, Overdue              int
	Suspect, Measures, Gaps    []attItem
	Since                      *attSince
	Error                      string // the history could not be read
	// Total is the number of items, changes since the baseline left out.
	Total int
}

// attItem is one entry: a document (URL with an #anchor when there is
// one) and what about it needs attention.
type attItem struct {
	Doc    link
	Detail string
	Date   string
	Late   bool // overdue, or red
}

type attOwner struct {
	Owner   string // "" for no owner
	Items   []attAction
	Overdue int
}

type attAction struct {
	Doc     link // to the section holding the action
	Text    string
	Due     string
	Line    int
	Overdue bool
}

type attSince struct {
	Baseline                 link
	Added, Changed, Removed  []attItem
	Unchanged, ChangedNumber int
}

// attention computes, once, what needs attention in the published library.
func (s *site) attention() *attentionView {
	a := s.appraisal()
	a.attOnce.Do(func() { a.att = s.buildAttention() })
	return a.att
}

func (s *site) buildAttention() *attentionView {
	a := s.appraisal()
	v := &attentionView{}
	st, err := appraise.NewStatus(a.ctx)
	if err != nil {
		v.Error = "History is not available: " + err.Error() + "."
	}
	at := appraise.AttentionOf(a.ctx, st)
	docLink := func(id, anchor string) (link, bool) {
		l, ok := s.pageLink(id)
		if ok && anchor != "" {
			l.URL += "#" + anchor
		}
		return l, ok
	}
	add := func(list *[]attItem, id, anchor, detail, date string, late bool) {
		if l, ok := docLink(id, anchor); ok {
			*list = append(*list, attItem{Doc: l, Detail: detail, Date: date, Late: late})
			v.Total++
		}
	}
	for _, c := range at.Changed {
		d := s.lib.ByPath[c.Path]
		roles := c.Roles
		if d != nil {
			roles = baseline.Labels(d, c.Roles)
		}
		add(&v.Changed, c.ID, "", "approve again as "+strings.Join(roles, ", "), "", true)
	}
	for _, p := range at.Pending {
		detail := "in review"
		if p.Status == "approved" {
			detail = "marked approved, never approved"
		}
		if len(p.Roles) > 0 {
			roles := p.Roles
			if d := s.lib.ByPath[p.Path]; d != nil {
				roles = baseline.Labels(d, p.Roles)
			}
			detail += ": to approve as " + strings.Join(roles, ", ")
		}
		add(&v.Pending, p.ID, "", detail, "", false)
	}
	for _, r := range at.ReviewsOverdue {
		add(&v.ReviewsOverdue, r.ID, "", "review overdue since", r.Due, true)
	}
	for _, r := range at.ReviewsSoon {
		add(&v.ReviewsDue, r.ID, "", "review due", r.Due, false)
	}
	for _, o := range at.Actions {
		ov := attOwner{Owner: o.Owner}
		for _, x := range o.Items {
			l, ok := docLink(x.Document, s.sectionAt(x.Path, x.Line))
			if !ok {
				continue
			}
			ov.Items = append(ov.Items, attAction{Doc: l, Text: x.Text, Due: x.Due, Line: x.Line, Overdue: x.Overdue})
			v.Open++
			v.Total++
			if x.Overdue {
				ov.Overdue++
				v.Overdue++
			}
		}
		if len(ov.Items) > 0 {
			v.Owners = append(v.Owners, ov)
		}
	}
	for _, c := range at.Suspect {
		if _, ok := s.pageLink(c.Standard); !ok {
			continue // a standard this audience does not see: nothing of it is shown
		}
		detail := c.Problem
		if detail == "" {
			detail = "tailors " + c.Standard + " for " + c.Unit + "; sections changed since its base: " + strings.Join(c.Suspect, ", ")
		} else {
			detail = "tailors " + c.Standard + " for " + c.Unit + ": " + detail
		}
		add(&v.Suspect, c.Process, "", detail, "", true)
	}
	for _, d := range at.Deviations {
		detail := d.Describe()
		if d.Kind == check.OffTarget && d.Since != "" {
			detail += "; missing it since " + d.Since
		}
		if len(d.Corrective) == 0 {
			detail += "; no corrective action"
		}
		add(&v.Measures, d.Measure, "", detail, "", len(d.Corrective) == 0)
	}
	for _, g := range at.TrainingGaps {
		detail := fmt.Sprintf("%s not trained on the version in force since %s (%s), %d days", g.Person, g.Since, strings.Join(g.Because, ", "), g.Days)
		add(&v.Gaps, g.Document, "", detail, "", false)
	}
	if df := at.SinceBaseline; df != nil {
		sv := &attSince{Baseline: link{Text: df.From}, Unchanged: df.Unchanged}
		var latest *baseline.Manifest
		if n := len(s.baselines); n > 0 && s.baselines[n-1].Tag == df.From {
			latest = s.baselines[n-1]
			sv.Baseline.URL = baselineURL(latest)
		}
		for _, c := range df.Changed {
			if l, ok := s.pageLink(c.ID); ok {
				detail := "front matter or approvals only"
				if len(c.Sections) > 0 {
					var ids []string
					for _, sc := range c.Sections {
						ids = append(ids, sc.ID+" ("+sc.Change+")")
					}
					detail = "sections " + strings.Join(ids, ", ")
				} else if c.Fingerprint {
					detail = "text changed"
				}
				sv.Changed = append(sv.Changed, attItem{Doc: l, Detail: detail})
			}
		}
		for _, c := range df.LeftControl {
			if l, ok := s.pageLink(c.ID); ok {
				sv.Changed = append(sv.Changed, attItem{Doc: l, Detail: "left baseline control: " + strings.Join(c.Changes, ", "), Late: true})
			}
		}
		for _, c := range df.Added {
			if l, ok := s.pageLink(c.ID); ok {
				sv.Added = append(sv.Added, attItem{Doc: l})
			}
		}
		for _, c := range df.Removed {
			// A document of the baseline no longer in the library: named
			// only when the audience could see it there.
			if latest == nil || s.lib.ByID[c.ID] != nil {
				continue
			}
			if e := latest.Entry(c.ID); e != nil {
				if _, ok := s.entryVisible(latest, *e); ok {
					sv.Removed = append(sv.Removed, attItem{Doc: link{Text: c.Path, ID: c.ID}})
				}
			}
		}
		sv.ChangedNumber = len(sv.Changed)
		v.Since = sv
	}
	return v
}

// sectionAt is the id of the section of the published document at path
// that holds line, "" when it is before any heading.
func (s *site) sectionAt(path string, line int) string {
	d := s.lib.ByPath[path]
	if d == nil {
		return ""
	}
	id := ""
	for _, sec := range d.Sections {
		if sec.Line <= line && sec.ID != "" {
			id = sec.ID
		}
	}
	return id
}

func (s *site) attentionPage() *pageData {
	return &pageData{Title: "Needs attention", Nav: "attention", Attention: s.attention()}
}

// registerView is the document register's page.
type registerView struct {
	Columns []string
	Rows    []registerRow
	Kinds   []string
	States  []string
}

type registerRow struct {
	Doc   link
	Cells []string // appraise.RegisterColumns after id and title
	Kind  string
	State string
}

// register is the register of the published documents.
func (s *site) register() []appraise.RegisterEntry {
	return appraise.Register(s.appraisal().lib, s.ctl, s.baselines)
}

func (s *site) registerPage() *pageData {
	v := &registerView{Columns: appraise.RegisterColumns}
	kinds, states := map[string]bool{}, map[string]bool{}
	for _, e := range s.register() {
		l, ok := s.pageLink(e.ID)
		if !ok {
			continue
		}
		v.Rows = append(v.Rows, registerRow{Doc: l, Cells: e.Cells()[2:], Kind: e.Kind, State: e.Status})
		kinds[e.Kind], states[e.Status] = true, true
	}
	v.Kinds, v.States = sortedKeys(kinds), sortedKeys(states)
	return &pageData{Title: "Document register", Nav: "register", Register: v}
}

// registerCSV is register.csv.
func (s *site) registerCSV() file {
	var keep []appraise.RegisterEntry
	for _, e := range s.register() {
		if _, ok := s.pageLink(e.ID); ok {
			keep = append(keep, e)
		}
	}
	var b bytes.Buffer
	_ = appraise.WriteRegisterCSV(&b, keep) // a bytes.Buffer does not fail
	return file{Path: "register.csv", Data: b.Bytes()}
}
