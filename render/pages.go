package render

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/tailor"
)

// file is one file of the site.
type file struct {
	Path string // slash-separated, from the site's root
	Data []byte
}

// pageData is what a layout is executed with.
type pageData struct {
	Site  *siteInfo
	Root  string // "" or "../": from the page to the site's root
	Title string
	Nav   string // the top-nav entry to highlight
	// Topbar and Sidebar are rendered once per depth and nav entry.
	Topbar, Sidebar template.HTML
	// Content is a document page's content when written in Go
	// (templateSet.execute, docpage.go); empty otherwise.
	Content template.HTML

	Home         *homeView
	Doc          *docView
	List         *listView
	Lessons      *lessonsView
	Tailoring    *tailoringView
	Coverage     *coverageView
	Stakeholders *stakeholdersView
	Checks       []diagView
	Baselines    *baselinesView
	Baseline     *baselineView
	Bundle       *bundleView // a baseline's controlled copy (print.go)
	// What needs attention, and the document register (attention.go).
	Attention *attentionView
	Register  *registerView
}

type docView struct {
	ID, Kind, KindTitle, KindURL, Title string
	Path                                string
	Owner, Status, Sensitivity          string
	OwnerName                           string
	Fingerprint, Control                string
	ReviewEvery, Date                   string
	Area                                *link
	Unit                                *link
	Tags                                []string
	Approvals                           []approvalView
	MissingRoles                        []string
	Baselines                           []link
	History                             []historyRow
	HistoryNote                         string
	Backlinks                           []link
	Relations                           []relation
	Body                                template.HTML
	StartsH1                            bool
	H1                                  template.HTML // the body's opening heading, when StartsH1
	Retired                             bool
	SupersededBy                        *link
	SupersededByText                    string
	Chart                               template.HTML
	ChartNote                           string
	Measure                             *measureView
	Tailoring                           *tailoredView
	Actions                             []actionView
	// What the appraisal says of the document (coverage.go).
	Stakeholders []stakeholderRow
	TrainingGaps []gapView
	Deviations   []deviationView
	// Toc is the contents box (see contents).
	Toc []tocItem
	// ActionsHeading is the heading of the actions' table.
	ActionsHeading string
	Diags          []diagView
	// Print is the controlled-copy block of a printed page (print.go).
	Print *printView
	// SinceApproval is "Changes since the last approval" (redline.go).
	SinceApproval *sinceApprovalView
	// Stale is the error that keeps the file from loading, when the page
	// is its last good version (Options.Stale, preview.go).
	Stale string
}

type tocItem struct {
	ID, Title string
	Level     int
}

type approvalView struct {
	By, Role, Date, Meaning string
	Name                    string // the approver's, beside the email By
	Current                 bool
}

type historyRow struct {
	Hash, Short, Author, Date, Subject string
}

// relation is a front matter key that names other documents.
type relation struct {
	Key   string
	Links []link
	Text  []string // names that are not published documents
}

type actionView struct {
	Text, Owner, Due string
	OwnerName        string
	Done             bool
	Closed           *closedView // the commit that closed it, when known
}

type diagView struct {
	Path, Severity, Message, Rule string
	Line                          int
	URL                           string
}

type measureView struct {
	Target    string
	Unit      string
	Direction string
	Latest    string
	Points    int
}

type listView struct {
	Heading string
	Intro   string
	Rows    []listRow
	Retired bool // the list holds retired documents
	// Coverage of the process area, on area pages.
	Coverage *coverageRow
}

type listRow struct {
	link
	Kind, Status, Owner, Area, Unit string
	Retired                         bool
}

type homeView struct {
	Counts  []navItem
	Recent  []recentRow
	Lessons int
	Docs    int
	// Attention is what needs attention (attention.go), at the top.
	Attention *attentionView
}

type recentRow struct {
	historyRow
	Links []link
}

// testHookPagesDone, when set by a test, is called once every page is
// written, before the files made from them (search index, feeds).
var testHookPagesDone func()

// render runs every page through its layout, on every core, and hands
// each file to w as soon as it is made.
func (s *site) render(ctx context.Context, w *siteWriter) error {
	var jobs []pageJob
	add := func(p string, fn func() (*pageData, string, error)) { jobs = append(jobs, pageJob{path: p, fn: fn}) }

	for _, p := range s.pages {
		jobs = append(jobs, pageJob{path: p.url, doc: p})
	}
	add("index.html", func() (*pageData, string, error) { return s.homePage(), "home", nil })
	for _, k := range s.info.Kinds {
		k := k
		add(k.URL, func() (*pageData, string, error) { return s.kindPage(k), "list", nil })
	}
	for _, a := range s.info.Areas {
		a := a
		add(a.URL, func() (*pageData, string, error) { return s.areaPage(a), "list", nil })
	}
	for _, u := range s.info.Units {
		u := u
		add(u.URL, func() (*pageData, string, error) { return s.unitPage(u), "list", nil })
	}
	for _, st := range s.info.Statuses {
		st := st
		add(st.URL, func() (*pageData, string, error) { return s.statusPage(st), "list", nil })
	}
	add("lessons.html", func() (*pageData, string, error) { return s.lessonsPage(), "lessons", nil })
	add("tailoring.html", func() (*pageData, string, error) { return s.tailoringPage(), "tailoring", nil })
	add("coverage.html", func() (*pageData, string, error) { return s.coveragePage(), "coverage", nil })
	add("stakeholders.html", func() (*pageData, string, error) { return s.stakeholdersPage(), "stakeholders", nil })
	add("checks.html", func() (*pageData, string, error) { return s.checksPage(), "checks", nil })
	add("attention.html", func() (*pageData, string, error) { return s.attentionPage(), "attention", nil })
	add("register.html", func() (*pageData, string, error) { return s.registerPage(), "register", nil })
	for _, bp := range s.baselinePages() {
		bp := bp
		add(bp.path, func() (*pageData, string, error) { return bp.data, bp.layout, nil })
	}
	// feeds.go: the sitemap lists the pages above; 404.html is not one.
	var pagePaths []string
	for _, j := range jobs {
		pagePaths = append(pagePaths, j.path)
	}
	add(NotFoundPath, func() (*pageData, string, error) { return s.notFoundPage(), "404", nil })
	nFirst := 0 // jobs[:nFirst] are Early.First's
	if e := s.o.Early; e != nil && s.o.InPlace && len(e.First) > 0 {
		// The pages open in a browser first (Early), in the order asked.
		rank := make(map[string]int, len(e.First))
		for i, p := range e.First {
			if _, ok := rank[p]; !ok {
				rank[p] = i
			}
		}
		slices.SortStableFunc(jobs, func(a, b pageJob) int {
			ra, oka := rank[a.path]
			rb, okb := rank[b.path]
			switch {
			case oka && okb:
				return ra - rb
			case oka:
				return -1
			case okb:
				return 1
			}
			return 0
		})
		for nFirst < len(jobs) {
			if _, ok := rank[jobs[nFirst].path]; !ok {
				break
			}
			nFirst++
		}
	}

	// The static assets before the pages: they depend on the templates
	// only, and a page reloaded early (Early) finds them in place.
	static, err := s.in.tmpl.assets()
	if err != nil {
		return err
	}
	for _, f := range static {
		if _, _, err := w.put(f.Path, f.Data); err != nil {
			return err
		}
	}

	errs := make([]error, len(jobs))
	var wg, first sync.WaitGroup
	first.Add(nFirst)
	next := make(chan int)
	// New files are written by the writeQueue's goroutines, so a worker
	// never waits on creating one; still more workers than cores, as a
	// page reused from the previous site is linked by its worker (slow
	// on a busy disk too), which leaves its core to another meanwhile.
	q := newWriteQueue(w)
	for n := 0; n < 4*runtime.GOMAXPROCS(0); n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s.renderJob(ctx, w, q, jobs[i], &errs[i])
				if i < nFirst {
					first.Done()
				}
			}
		}()
	}
	for i := range jobs {
		if i == nFirst && nFirst > 0 {
			// The pages open in a browser (Early) are made while nothing
			// else competes for the cores.
			first.Wait()
		}
		next <- i
	}
	close(next)
	wg.Wait()
	q.wait()
	if testHookPagesDone != nil {
		testHookPagesDone()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// The search data, the register, the feeds and copied files.
	var assets []file
	// The search index, the register and the feeds read what the pages
	// made and nothing of each other: made side by side.
	var index []byte
	var register file
	var feeds []file
	var side sync.WaitGroup
	side.Add(2)
	go func() { defer side.Done(); index = s.searchIndex() }()
	go func() { defer side.Done(); feeds = s.feedFiles(pagePaths) }()
	register = s.registerCSV()
	side.Wait()
	assets = append(assets, file{Path: "assets/search-index.js", Data: index}, register)
	assets = append(assets, feeds...)
	for _, p := range sortedKeys(s.assets) {
		if !s.fileShown(p) {
			continue // never copied, whoever asked (a page reused from the previous site, too)
		}
		data, err := fs.ReadFile(s.in.snap.FS, p)
		if err != nil {
			s.res.Warnings = append(s.res.Warnings, fmt.Sprintf("%s: cannot copy: %v", p, err))
			continue
		}
		assets = append(assets, file{Path: s.assets[p], Data: data})
	}
	for _, f := range assets {
		if _, _, err := w.put(f.Path, f.Data); err != nil {
			return err
		}
	}
	return nil
}

// rootOf is the relative path from a page to the site's root.
func rootOf(p string) string {
	return strings.Repeat("../", strings.Count(p, "/"))
}

// docPage renders the body of a document's page into v (its view, from
// docView) and returns the page's data, and the repository files its body
// links to (copied into the site).
func (s *site) docPage(p *page, v *docView) (*pageData, []string, error) {
	d := p.d
	l := &linker{s: s, d: d, root: "../", liftH1: true}
	if d.Kind == "process" && d.Tailors != "" {
		// The effective process above it holds the sections' own ids.
		l.idPrefix = "op-"
	}
	var b body
	if pb := s.o.bodies.take(d); pb != nil { // prepared when the library was read
		b = l.finish(pb)
	} else {
		var err error
		if b, err = l.renderMarkdown(d.Body); err != nil {
			return nil, nil, err
		}
	}
	v.Body, v.StartsH1, v.H1 = b.HTML, b.StartsH1, b.H1
	if d.Kind == "process" && d.Tailors != "" {
		v.Tailoring = s.tailored(p)
		if len(v.Tailoring.Suspect) > 0 {
			// The effective process says so, once.
			v.Diags = slices.DeleteFunc(v.Diags, func(x diagView) bool { return x.Rule == tailor.RuleSuspect })
		}
	}
	// What the body's headings give the page (derived from the body's
	// bytes, which the page's key holds).
	v.ActionsHeading = actionsHeading(b.Headings)
	v.Toc = contents(v, b.Headings)
	v.Print = s.printView(d, v)
	s.setSearch(p, b.Sections, len(v.Stakeholders) > 0)
	return docData(v), l.assets, nil
}

// docData is the data of a document's page showing v.
func docData(v *docView) *pageData { return &pageData{Title: v.Title, Nav: "docs", Doc: v} }

// docView is everything a document's page shows but its body (which
// docPage renders) and, for a defined process, its effective text: what
// the page's key hashes (cache.go).
func (s *site) docView(p *page) *docView {
	d := p.d
	v := &docView{ID: d.ID, Kind: d.Kind, KindTitle: kindTitle(d.Kind), KindURL: "kind/" + fileName(d.Kind) + ".html", Title: d.Title, Path: d.Path,
		Owner: d.Owner, OwnerName: s.nameOf(d.Owner), Status: s.status(d), Sensitivity: s.sensitivity(d),
		Fingerprint: d.Fingerprint, ReviewEvery: d.ReviewEvery, Date: d.Date,
		Tags: d.Tags, Retired: p.retired}
	if d.HasFrontMatter {
		v.Control = "version"
		if d.Controlled() {
			v.Control = "baseline"
		}
	}
	if d.ProcessArea != "" {
		name := doc.ProcessAreaNames[d.ProcessArea]
		if name == "" {
			name = d.ProcessArea
		}
		v.Area = &link{URL: "area/" + fileName(d.ProcessArea) + ".html", Text: d.ProcessArea + " " + name, ID: d.ProcessArea}
	}
	if d.Unit != "" {
		v.Unit = &link{URL: "unit/" + fileName(d.Unit) + ".html", Text: d.Unit}
	}
	if d.SupersededBy != "" {
		if l, ok := s.pageLink(d.SupersededBy); ok {
			v.SupersededBy = &l
		} else {
			v.SupersededByText = d.SupersededBy
		}
	}
	for _, a := range d.Approvals {
		v.Approvals = append(v.Approvals, approvalView{By: a.By, Name: s.nameOf(a.By), Role: a.Role, Date: timeOf(a.Date), Meaning: a.Meaning, Current: a.Fingerprint == d.Fingerprint})
	}
	v.MissingRoles = s.missingRoles(d)
	for _, c := range p.history {
		v.History = append(v.History, historyRowOf(c))
	}
	switch {
	case s.in.histErr != nil:
		v.HistoryNote = "History is not available: " + s.in.histErr.Error() + "."
	case s.in.history != nil && s.in.history.Incomplete():
		v.HistoryNote = "This repository is a shallow clone: the history below is incomplete."
	}
	if s.o.Rev == "" && len(p.history) == 0 && s.in.histErr == nil {
		v.HistoryNote = "Not committed yet."
	}
	for _, b := range p.backlinks {
		v.Backlinks = append(v.Backlinks, link{URL: b.url, Text: b.d.Title, ID: b.d.ID, Extra: b.d.Kind})
	}
	v.Relations = s.relations(d)
	da := s.docAppraisal(p)
	for _, a := range d.Actions {
		av := actionView{Text: a.Text, Owner: a.Owner, OwnerName: s.nameOf(a.Owner), Due: a.Due, Done: a.Done}
		if c, ok := da.Closed[a.Line]; ok && a.Done {
			av.Closed = &c
		}
		v.Actions = append(v.Actions, av)
	}
	v.Stakeholders, v.TrainingGaps, v.Deviations = da.Stakeholders, da.Gaps, da.Deviations
	v.Baselines = s.baselinesOf(d)
	v.SinceApproval = s.sinceApproval(p)
	if v.SinceApproval != nil {
		v.SinceApproval.Name = s.nameOf(v.SinceApproval.By)
	}
	if d.Kind == "measure" {
		s.measure(d, v)
	}
	for _, dg := range s.diagnosticsOf(d.Path) {
		v.Diags = append(v.Diags, diagView{Path: dg.Path, Line: dg.Line, Severity: string(dg.Severity), Message: dg.Message, Rule: dg.Rule})
	}
	if dg, ok := s.o.Stale[d.Path]; ok {
		v.Stale = staleText(dg)
	}
	return v
}

// contents is the "On this page" box of a document's page: the body's
// sections (for a defined process, the effective process's), then the
// sections rmm adds to every document's page, Approvals and History among
// them; the ids are those doc.html gives them.
func contents(v *docView, body []tocItem) []tocItem {
	var out []tocItem
	add := func(id, title string) { out = append(out, tocItem{ID: id, Title: title, Level: 2}) }
	if t := v.Tailoring; t != nil {
		add("rmm-effective", "Effective defined process")
		for _, h := range t.Headings {
			out = append(out, tocItem{ID: h.ID, Title: h.Title, Level: 3})
		}
		add("rmm-operations", "Tailoring operations")
	} else {
		out = append(out, body...)
	}
	if v.Measure != nil {
		add("rmm-measure", "Measure")
	}
	if len(v.Actions) > 0 {
		add("rmm-actions", actionsHeading(body))
	}
	if len(v.Stakeholders) > 0 {
		add("rmm-stakeholders", "Stakeholders")
	}
	if len(v.TrainingGaps) > 0 {
		add("rmm-training", "Training gaps")
	}
	add("rmm-approvals", "Approvals")
	if v.SinceApproval != nil {
		add("rmm-since-approval", "Changes since the last approval")
	}
	add("rmm-baselines", "Baselines")
	add("rmm-history", "Revision history")
	add("rmm-backlinks", "Referenced by")
	return out
}

// actionsHeading is the heading of the table of a document's actions:
// "Actions", unless the body has a section of that name already (the
// actions' own list, on a review's page).
func actionsHeading(body []tocItem) string {
	for _, h := range body {
		if strings.EqualFold(strings.TrimSpace(h.Title), "actions") {
			return "Action status"
		}
	}
	return "Actions"
}

func historyRowOf(c repo.CommitInfo) historyRow {
	short := c.Hash
	if len(short) > 10 {
		short = short[:10]
	}
	return historyRow{Hash: c.Hash, Short: short, Author: c.Author, Date: commitTime(c.Date), Subject: c.Subject}
}

// recentChanges lists the latest commits that changed published
// documents, each with the published documents it changed.
func (s *site) recentChanges(n int) []recentRow {
	all := s.changes(n) // as the feed lists them (feeds.go)
	var out []recentRow
	for _, r := range all {
		row := recentRow{historyRow: historyRowOf(r.c)}
		for i, p := range r.pages {
			if i == 5 {
				row.Links = append(row.Links, link{Text: fmt.Sprintf("and %d more", len(r.pages)-5)})
				break
			}
			row.Links = append(row.Links, link{URL: p.url, Text: p.d.Title, ID: p.d.ID})
		}
		out = append(out, row)
	}
	return out
}

// missingRoles lists the roles d needs (rmm.yaml for its kind, else the
// roles its approvals carry) that have no current approval.
func (s *site) missingRoles(d *doc.Document) []string { return baseline.Unmet(d, s.cfg) }

// status is the status d is shown with: its own, except that an approved
// document whose approval no longer holds, or that left the latest
// baseline's control, is never shown as approved (baseline.Control).
func (s *site) status(d *doc.Document) string {
	if s.ctl == nil {
		return baseline.EffectiveStatus(d, s.cfg)
	}
	return s.ctl.Status(d)
}

func (s *site) relations(d *doc.Document) []relation {
	var out []relation
	add := func(key string, ids []string) {
		if len(ids) == 0 {
			return
		}
		r := relation{Key: key}
		for _, id := range ids {
			if id == "" {
				continue
			}
			if l, ok := s.pageLink(id); ok {
				r.Links = append(r.Links, l)
			} else {
				r.Text = append(r.Text, id)
			}
		}
		if len(r.Links)+len(r.Text) > 0 {
			out = append(out, r)
		}
	}
	add("tailors", []string{d.Tailors})
	add("evaluates", d.Evaluates)
	add("covers", d.Covers)
	add("affects", d.Affects)
	add("cites", d.Cites)
	if d.Source != "" {
		if doc.IDPattern.MatchString(d.Source) {
			add("source", []string{d.Source})
		} else {
			out = append(out, relation{Key: "source", Text: []string{d.Source}})
		}
	}
	if d.Evaluator != "" {
		out = append(out, relation{Key: "evaluator", Text: []string{d.Evaluator}})
	}
	if d.Trigger != "" {
		add("event-driven review, trigger", []string{d.Trigger})
	}
	if len(d.Attendees) > 0 {
		out = append(out, relation{Key: "attendees", Text: d.Attendees})
	}
	if d.Trainer != "" {
		out = append(out, relation{Key: "trainer", Text: []string{d.Trainer}})
	}
	if d.Kind == "measure" {
		period := d.Period
		if period == "" {
			period = check.DefaultPeriod + " (default)"
		}
		out = append(out, relation{Key: "period", Text: []string{period}})
	}
	if d.ImplementedIn != "" {
		out = append(out, relation{Key: "implemented in", Text: []string{d.ImplementedIn}})
	}
	if d.Base != "" {
		out = append(out, relation{Key: "base", Text: []string{d.Base}})
	}
	return out
}

// listRows lists pages as index rows, sorted by id.
func (s *site) listRows(ps []*page) []listRow {
	rows := make([]listRow, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, listRow{link: link{URL: p.url, Text: p.d.Title, ID: p.d.ID}, Kind: p.d.Kind,
			Status: s.status(p.d), Owner: p.d.Owner, Area: p.d.ProcessArea, Unit: p.d.Unit, Retired: p.retired})
	}
	return rows
}

// current filters out retired documents: they leave the current indexes.
func (s *site) current(keep func(*page) bool) []*page {
	var out []*page
	for _, p := range s.pages {
		if !p.retired && keep(p) {
			out = append(out, p)
		}
	}
	return out
}

func (s *site) kindPage(k navItem) *pageData {
	rows := s.listRows(s.current(func(p *page) bool { return p.d.Kind == k.Key }))
	return &pageData{Title: k.Name, Nav: "docs", List: &listView{Heading: k.Name, Rows: rows,
		Intro: "Current documents of kind " + k.Key + ". Retired documents are listed under status retired."}}
}

func (s *site) areaPage(a navItem) *pageData {
	rows := s.listRows(s.current(func(p *page) bool { return p.d.ProcessArea == a.Key }))
	return &pageData{Title: a.Key + " " + a.Name, Nav: "docs", List: &listView{Heading: a.Key + " " + a.Name, Rows: rows,
		Intro: "Current documents of the process area.", Coverage: s.coverageOf(a.Key)}}
}

func (s *site) unitPage(u navItem) *pageData {
	rows := s.listRows(s.current(func(p *page) bool { return p.d.Unit == u.Key }))
	return &pageData{Title: "Unit " + u.Name, Nav: "docs", List: &listView{Heading: "Unit " + u.Name, Rows: rows,
		Intro: "Current documents of the organizational unit."}}
}

func (s *site) statusPage(st navItem) *pageData {
	var ps []*page
	for _, p := range s.pages {
		if s.status(p.d) == st.Key {
			ps = append(ps, p)
		}
	}
	intro := "Documents with status " + st.Key + "."
	if st.Key == "retired" {
		intro = "Retired documents: obsolete, kept for the record. They are not part of the current library."
	}
	return &pageData{Title: "Status " + st.Name, Nav: "docs", List: &listView{Heading: "Status: " + st.Name, Rows: s.listRows(ps),
		Intro: intro, Retired: st.Key == "retired"}}
}

func (s *site) homePage() *pageData {
	h := &homeView{Counts: s.info.Kinds}
	for _, p := range s.pages {
		if !p.retired {
			h.Docs++
			if p.d.Kind == "lesson" {
				h.Lessons++
			}
		}
	}
	h.Recent = s.recentChanges(15)
	h.Attention = s.attention()
	return &pageData{Title: s.info.Title, Nav: "home", Home: h}
}

func (s *site) checksPage() *pageData {
	var out []diagView
	for _, dg := range s.o.Diags {
		if !s.diagShown(dg) {
			continue // about a document this audience does not see
		}
		dv := diagView{Path: dg.Path, Line: dg.Line, Severity: string(dg.Severity), Message: dg.Message, Rule: dg.Rule}
		if d := s.lib.ByPath[dg.Path]; d != nil {
			dv.URL = s.byID[d.ID].url
		}
		out = append(out, dv)
	}
	return &pageData{Title: "Check results", Nav: "checks", Checks: out}
}

// diagShown reports whether the audience may see a finding: it is about
// a document published for it, or about rmm.yaml. A finding about any
// other file (one that does not load, a restricted document) is for the
// terminal and rmm check only.
func (s *site) diagShown(dg doc.Diagnostic) bool {
	if d := s.lib.ByPath[dg.Path]; d != nil {
		p := s.byID[d.ID]
		return p != nil && p.d == d
	}
	return dg.Path == doc.ConfigFile
}

// fileOf returns the last element of a path.
func fileOf(p string) string { return path.Base(p) }

// pageJob is one page of the site: a document's, or one that fn makes
// (its data and layout name).
type pageJob struct {
	path string
	fn   func() (*pageData, string, error)
	doc  *page
}

// renderJob makes one page, or reuses it from the previous site, and
// hands the file to q; *errp gets what fails, now or when q writes it.
func (s *site) renderJob(ctx context.Context, w *siteWriter, q *writeQueue, j pageJob, errp *error) {
	if ctx.Err() != nil {
		*errp = ctx.Err()
		return
	}
	var data *pageData
	var layout string
	var err error
	var key [32]byte
	var cacheable bool
	var assets []string
	if p := j.doc; p != nil {
		v := s.docView(p)
		key, cacheable = s.pageKey(p, v)
		if cacheable && s.reuse(w, p, key) {
			return
		}
		data, assets, err = s.docPage(p, v)
		layout = "doc"
	} else {
		data, layout, err = j.fn()
	}
	if err != nil {
		*errp = fmt.Errorf("%s: %w", j.path, err)
		return
	}
	if data.Root == "" {
		data.Root = rootOf(j.path) // 404.html sets its own (feeds.go)
	}
	data.Site = s.info
	if j.doc == nil {
		// Other pages are keyed by their data.
		if key, cacheable = s.dataKey(layout, data); cacheable && s.reuseFile(w, j.path, key) {
			return
		}
	}
	c, err := s.in.tmpl.chromeFor(s.info, data.Root, data.Nav)
	if err != nil {
		*errp = fmt.Errorf("chrome.html: %w", err)
		return
	}
	data.Topbar, data.Sidebar = c.top, c.side
	buf := pageBufs.Get().(*bytes.Buffer)
	buf.Reset()
	if err := s.in.tmpl.execute(buf, layout, data); err != nil {
		pageBufs.Put(buf)
		*errp = fmt.Errorf("%s: %w", j.path, err)
		return
	}
	s.renderedMu.Lock()
	s.rendered = append(s.rendered, j.path)
	s.renderedMu.Unlock()
	q.put(j.path, buf, func(size, mod int64, err error) {
		if err != nil {
			*errp = err
			return
		}
		if cacheable {
			st := pageState{Key: key, Size: size, ModTime: mod, Assets: assets}
			if j.doc != nil {
				st.Search = s.searchOf(j.doc)
			}
			s.record(j.path, st)
		}
	})
}
