package render

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/rmm-pal/rmm/appraise"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Generic practice coverage is rmm appraise's result (package appraise,
// the one appraisal), computed once per build over the published
// documents only: a document the audience may not see is no evidence
// here and is never named, and a measure's data file that is not shown
// is not read. The coverage page shows every area's capability level and
// each practice's evidence, and for each practice not met, why; each
// area's page shows its own. Training gaps, deviations of measures,
// actions with the commit that closed them and stakeholders come from
// the same computation.

// practice is a generic practice, as templates see it.
type practice struct {
	Code, Name, Rule string
}

type coverageView struct {
	Practices  []practice
	Rows       []coverageRow
	Gaps       []gapView
	Deviations []deviationView
}

type coverageRow struct {
	Area        link
	Level       int
	LevelName   string
	Explanation string
	Period      string
	Cells       []coverageCell
}

type coverageCell struct {
	Practice practice
	Met      bool
	Docs     []link
	Why      []string
	Notes    []string
}

type gapView struct {
	Person, Since, Because, LastTrained string
	Days                                int
	Doc                                 link
}

type deviationView struct {
	Measure    link
	Text       string
	Since      string
	Corrective []link // the documents whose action or lesson answers it
	Answered   bool
}

// siteAppraisal is what package appraise says of the published library.
type siteAppraisal struct {
	once    sync.Once
	appr    *appraise.Appraisal          // its areas appraised when first asked for
	actions map[string][]appraise.Action // by path
	stake   []appraise.Involvement
	gaps    map[string][]appraise.Gap // by document id
	devs    map[string][]check.Deviation
	err     error
	// lib and ctx are the published library and its context; att is what
	// needs attention in it (attention.go).
	lib     *doc.Library
	ctx     *check.Context
	attOnce sync.Once
	att     *attentionView
}

// shownFS is the library's tree as the audience may read it: rmm's
// templates, and the files fileShown allows (measure data).
type shownFS struct {
	fs.FS
	s *site
}

func (f shownFS) Open(name string) (fs.File, error) {
	if !strings.HasPrefix(name, ".rmm/") && !f.s.fileShown(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return f.FS.Open(name)
}

// appraisal begins, once, the appraisal of the published documents (its
// areas are appraised when a page first asks for them).
func (s *site) appraisal() *siteAppraisal {
	a := &s.appr
	a.once.Do(func() {
		lib := &doc.Library{Config: s.cfg, ByID: map[string]*doc.Document{}, ByPath: map[string]*doc.Document{}, Files: s.lib.Files}
		for _, p := range s.pages {
			lib.Docs = append(lib.Docs, p.d)
			lib.ByID[p.d.ID] = p.d
			lib.ByPath[p.d.Path] = p.d
		}
		sort.Slice(lib.Docs, func(i, j int) bool { return lib.Docs[i].Path < lib.Docs[j].Path })
		snap := &repo.Snapshot{Lib: lib, FS: shownFS{s.in.snap.FS, s}, Commit: s.in.snap.Commit, Tree: s.in.snap.Tree}
		ctx := check.NewContext(s.o.Repo, snap, s.o.Now)
		if h := s.in.history; h != nil {
			ctx.SetHistory(h.Head(), h)
		}
		ctx.InheritTemplates(s.o.Templates)
		if s.o.Snapshots != nil {
			ctx.UseSnapshots(s.o.Snapshots)
		}
		a.lib, a.ctx = lib, ctx
		a.appr = appraise.Begin(ctx, appraise.Options{Control: s.ctl})
		acts, err := appraise.Actions(ctx)
		a.err = err
		a.actions = map[string][]appraise.Action{}
		for _, x := range acts {
			a.actions[x.Path] = append(a.actions[x.Path], x)
		}
		a.stake = appraise.Stakeholders(lib)
		a.gaps = map[string][]appraise.Gap{}
		for _, g := range a.appr.TrainingGaps() {
			a.gaps[g.Document] = append(a.gaps[g.Document], g)
		}
		a.devs = map[string][]check.Deviation{}
		for _, v := range a.appr.Deviations() {
			a.devs[v.Measure] = append(a.devs[v.Measure], v)
		}
	})
	return a
}

func practices() []practice {
	out := make([]practice, len(appraise.Practices))
	for i, p := range appraise.Practices {
		out[i] = practice{p.ID, p.Name, p.Rule}
	}
	return out
}

func (s *site) coveragePage() *pageData {
	a := s.appraisal()
	v := &coverageView{Practices: practices()}
	for _, ar := range a.appr.Result().Areas {
		v.Rows = append(v.Rows, s.coverageRow(ar))
	}
	for _, g := range a.appr.TrainingGaps() {
		v.Gaps = append(v.Gaps, s.gapView(g))
	}
	for _, d := range a.appr.Deviations() {
		v.Deviations = append(v.Deviations, s.deviationView(d))
	}
	return &pageData{Title: "Generic practice coverage", Nav: "coverage", Coverage: v}
}

// coverageOf is the appraisal of one area, for its page; nil when the
// area has no published document.
func (s *site) coverageOf(area string) *coverageRow {
	ar := s.appraisal().appr.Result().Area(area)
	if ar == nil {
		return nil
	}
	row := s.coverageRow(*ar)
	return &row
}

func (s *site) coverageRow(ar appraise.Area) coverageRow {
	name := ar.Name
	if name == "" {
		name = ar.Code
	}
	row := coverageRow{Area: link{URL: "area/" + fileName(ar.Code) + ".html", Text: ar.Code + " " + name, ID: ar.Code},
		Level: ar.Level, LevelName: ar.LevelName, Explanation: ar.Explanation, Period: ar.Period}
	ps := practices()
	for i, e := range ar.Practices {
		c := coverageCell{Practice: ps[i], Met: e.Met, Why: e.Why, Notes: e.Notes}
		for _, id := range e.Docs {
			if l, ok := s.pageLink(id); ok {
				c.Docs = append(c.Docs, l)
			}
		}
		row.Cells = append(row.Cells, c)
	}
	return row
}

func (s *site) gapView(g appraise.Gap) gapView {
	l, _ := s.pageLink(g.Document)
	return gapView{Person: g.Person, Since: g.Since, Days: g.Days, Because: strings.Join(g.Because, ", "), LastTrained: g.LastTrained, Doc: l}
}

func (s *site) deviationView(d check.Deviation) deviationView {
	l, _ := s.pageLink(d.Measure)
	v := deviationView{Measure: l, Text: d.Describe(), Since: d.Since, Answered: len(d.Corrective) > 0}
	seen := map[string]bool{}
	for _, c := range d.Corrective {
		if cl, ok := s.pageLink(c.Document); ok && !seen[c.Document] {
			seen[c.Document] = true
			cl.Extra = fmt.Sprintf("line %d", c.Line)
			v.Corrective = append(v.Corrective, cl)
		}
	}
	return v
}

// Stakeholders: who is involved in what, per process area.

type stakeholdersView struct {
	Areas []stakeholderArea
}

type stakeholderArea struct {
	Area link // no URL for documents without a process area
	Rows []stakeholderRow
}

type stakeholderRow struct {
	Doc                    link
	Who, Role, Involvement string
	Approve, Agreed        bool
}

func (s *site) stakeholdersPage() *pageData {
	v := &stakeholdersView{}
	var cur *stakeholderArea
	for _, x := range s.appraisal().stake {
		if cur == nil || cur.Area.ID != x.ProcessArea {
			a := stakeholderArea{Area: link{ID: x.ProcessArea, Text: "No process area"}}
			if x.ProcessArea != "" {
				name := doc.ProcessAreaNames[x.ProcessArea]
				if name == "" {
					name = x.ProcessArea
				}
				a.Area.Text, a.Area.URL = x.ProcessArea+" "+name, "area/"+fileName(x.ProcessArea)+".html"
			}
			v.Areas = append(v.Areas, a)
			cur = &v.Areas[len(v.Areas)-1]
		}
		l, _ := s.pageLink(x.Document)
		l.Extra = x.Kind
		cur.Rows = append(cur.Rows, stakeholderRow{Doc: l, Who: x.Who, Role: x.Role, Involvement: x.Involvement,
			Approve: x.Involvement == "approve", Agreed: x.Agreed})
	}
	return &pageData{Title: "Stakeholders", Nav: "stakeholders", Stakeholders: v}
}

// docAppraisal is what the appraisal says of one document, shown on its
// page (and hashed into the page's key).
type docAppraisal struct {
	Stakeholders []stakeholderRow
	Gaps         []gapView
	Deviations   []deviationView
	Closed       map[int]closedView // by the action's line
}

type closedView struct {
	Short, Hash, On, By string
}

func (s *site) docAppraisal(p *page) docAppraisal {
	a := s.appraisal()
	var out docAppraisal
	for _, x := range a.stake {
		if x.Path == p.d.Path {
			out.Stakeholders = append(out.Stakeholders, stakeholderRow{Who: x.Who, Role: x.Role, Involvement: x.Involvement,
				Approve: x.Involvement == "approve", Agreed: x.Agreed})
		}
	}
	for _, g := range a.gaps[p.d.ID] {
		out.Gaps = append(out.Gaps, s.gapView(g))
	}
	for _, d := range a.devs[p.d.ID] {
		out.Deviations = append(out.Deviations, s.deviationView(d))
	}
	for _, x := range a.actions[p.d.Path] {
		if x.ClosedIn == "" {
			continue
		}
		if out.Closed == nil {
			out.Closed = map[int]closedView{}
		}
		short := x.ClosedIn
		if len(short) > 10 {
			short = short[:10]
		}
		out.Closed[x.Line] = closedView{Short: short, Hash: x.ClosedIn, On: x.ClosedOn, By: x.ClosedBy}
	}
	return out
}
