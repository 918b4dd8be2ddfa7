package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Baselines on the site are the baseline/* tags whose commit is the
// published commit or one of its ancestors (so `--at` an old commit shows
// the baselines that existed then), ordered by tag date then name; "what
// changed" compares each with its previous baseline (previousOf: the one
// its manifest names, else the one before it in that order), matching
// documents by id (a moved file is a change, not a removal), and shows
// each changed document's redline (redline.go).

type baselinesView struct {
	Rows  []baselineRow
	Notes []string
}

type baselineRow struct {
	link
	Date, Commit, Tagger, Summary string
	Docs                          int
}

type baselineView struct {
	Name, Tag, Date, Commit, Tagger, Summary, Root string
	Previous                                       *link
	Entries                                        []baselineEntry
	Added, Removed, Changed, Moved                 []baselineEntry
	// Redlines are the changed documents' redlines against Previous
	// (redline.go).
	Redlines []baselineRedline
}

type baselineRedline struct {
	ID, Title string
	Page      *link
	Redline   *lazyRedline
}

type baselineEntry struct {
	ID, Path, Blob, Fingerprint string
	Approvers                   string
	Page                        *link
	Current                     bool // the published document has this fingerprint
	OldPath                     string
}

type baselinePage struct {
	path   string
	layout string
	data   *pageData
}

// loadBaselines reads the manifests of the baseline tags reachable from
// the published commit.
func loadBaselines(r *repo.Repo, commit string, h *repo.History) ([]*baseline.Manifest, []string) {
	tags, errs := r.Tags(baseline.TagPrefix)
	var notes []string
	for _, e := range errs {
		notes = append(notes, e.Error())
	}
	reach := func(c string) bool { return c == commit || h != nil && h.Touched(c) }
	var out []*baseline.Manifest
	for _, t := range tags {
		m, err := baseline.FromTag(t)
		if err != nil {
			notes = append(notes, err.Error())
			continue
		}
		target := m.Target
		if target == "" {
			target = m.Commit
		}
		if !reach(target) && !reach(m.Commit) {
			continue
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].When(), out[j].When()
		if !a.Equal(b) {
			return a.Before(b)
		}
		return out[i].Name < out[j].Name
	})
	sort.Strings(notes)
	return out, notes
}

func baselineURL(m *baseline.Manifest) string { return "baseline/" + fileName(m.Name) + ".html" }

// entryVisible decides whether a manifest entry may be shown: a document
// published now, or one that no longer exists and was published at the
// baseline's commit. A document the audience may not see leaves no trace.
func (s *site) entryVisible(m *baseline.Manifest, e baseline.Entry) (*link, bool) {
	if l, ok := s.pageLink(e.ID); ok {
		return &l, true
	}
	if s.lib.ByID[e.ID] != nil {
		return nil, false // exists, not for this audience
	}
	data, ok, err := s.o.Repo.FileAt(m.Commit, e.Path)
	if err != nil || !ok {
		return nil, false
	}
	d, _ := doc.Parse(e.Path, data)
	if d == nil || !s.visible(d) {
		return nil, false
	}
	return nil, true
}

func (s *site) baselineEntries(m *baseline.Manifest) []baselineEntry {
	var out []baselineEntry
	for _, e := range m.Documents {
		pl, ok := s.entryVisible(m, e)
		if !ok {
			continue
		}
		var as []string
		for _, a := range e.Approvers {
			as = append(as, a.Role+": "+a.By)
		}
		be := baselineEntry{ID: e.ID, Path: e.Path, Blob: e.Blob, Fingerprint: e.Fingerprint, Approvers: strings.Join(as, ", "), Page: pl}
		if pl != nil {
			be.Current = s.byID[e.ID].d.Fingerprint == e.Fingerprint
		}
		out = append(out, be)
	}
	return out
}

func (s *site) baselinePages() []baselinePage {
	var out []baselinePage
	list := &baselinesView{Notes: s.baseNotes}
	var prev *baseline.Manifest
	var prevEntries []baselineEntry
	entriesOf := map[string][]baselineEntry{}
	for i := len(s.baselines) - 1; i >= 0; i-- {
		m := s.baselines[i]
		list.Rows = append(list.Rows, baselineRow{link: link{URL: baselineURL(m), Text: m.Name},
			Date: dateOf(m.Date), Commit: short(m.Commit), Tagger: m.Tagger.Name, Summary: m.Summary})
	}
	for i, m := range s.baselines {
		entries := s.baselineEntries(m)
		entriesOf[m.Name] = entries
		prev, prevEntries = nil, nil
		if p := s.previousOf(i); p != nil {
			prev, prevEntries = p, entriesOf[p.Name]
		}
		v := &baselineView{Name: m.Name, Tag: m.Tag, Date: dateOf(m.Date), Commit: m.Commit, Tagger: personOf(m.Tagger),
			Summary: m.Summary, Root: m.Root, Entries: entries}
		if prev != nil {
			v.Previous = &link{URL: baselineURL(prev), Text: prev.Name}
			old := map[string]baselineEntry{}
			for _, e := range prevEntries {
				old[e.ID] = e
			}
			now := map[string]bool{}
			for _, e := range entries {
				now[e.ID] = true
				o, ok := old[e.ID]
				switch {
				case !ok:
					v.Added = append(v.Added, e)
				case o.Fingerprint != e.Fingerprint:
					e.OldPath = o.Path
					v.Changed = append(v.Changed, e)
					v.Redlines = append(v.Redlines, s.baselineRedline(prev, m, o, e))
				case o.Path != e.Path:
					e.OldPath = o.Path
					v.Moved = append(v.Moved, e)
				}
			}
			for _, e := range prevEntries {
				if !now[e.ID] {
					v.Removed = append(v.Removed, e)
				}
			}
		}
		for i := range list.Rows {
			if list.Rows[i].Text == m.Name {
				list.Rows[i].Docs = len(entries)
			}
		}
		out = append(out, baselinePage{path: baselineURL(m), layout: "baseline",
			data: &pageData{Title: "Baseline " + m.Name, Nav: "baselines", Baseline: v}})
	}
	out = append(out, baselinePage{path: "baselines.html", layout: "baselines",
		data: &pageData{Title: "Baselines", Nav: "baselines", Baselines: list}})
	return out
}

// previousOf is the baseline the i-th one is compared with: the one its
// manifest names as previous, when the site has it; none when the
// manifest says it is the first ("-"); else (a version 1 manifest, which
// does not say, or a previous the site does not hold) the one before it
// by date.
func (s *site) previousOf(i int) *baseline.Manifest {
	m := s.baselines[i]
	switch {
	case m.Previous == "-":
		return nil
	case m.Previous != "":
		for _, p := range s.baselines[:i] {
			if p.Tag == m.Previous {
				return p
			}
		}
	}
	if i > 0 {
		return s.baselines[i-1]
	}
	return nil
}

// baselineRedline is the redline of the entry o of prev to the entry e of
// m, rendered with the page.
func (s *site) baselineRedline(prev, m *baseline.Manifest, o, e baselineEntry) baselineRedline {
	r := baselineRedline{ID: e.ID, Page: e.Page, Redline: &lazyRedline{
		OldCommit: prev.Commit, OldPath: o.Path, OldBlob: o.Blob,
		NewCommit: m.Commit, NewPath: e.Path, NewBlob: e.Blob, s: s}}
	if e.Page != nil {
		r.Title = e.Page.Text
	}
	return r
}

// baselinesOf lists the baselines whose manifest holds d.
func (s *site) baselinesOf(d *doc.Document) []link {
	var out []link
	for i := len(s.baselines) - 1; i >= 0; i-- {
		m := s.baselines[i]
		if e := m.Entry(d.ID); e != nil {
			extra := "an earlier version"
			if e.Fingerprint == d.Fingerprint {
				extra = "this version"
			}
			out = append(out, link{URL: baselineURL(m), Text: m.Name, Extra: extra})
		}
	}
	return out
}

func dateOf(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}

func short(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}

func personOf(p baseline.Person) string {
	if p.Name == "" {
		return p.Email
	}
	return fmt.Sprintf("%s <%s>", p.Name, p.Email)
}
