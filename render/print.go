package render

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
)

// Controlled copies (issue 11, part 4). A printed page is a copy that
// nobody keeps up to date, so it says what it is a copy of and that it is
// uncontrolled once printed:
//
//   - each document's page carries a controlled-copy block (printView),
//     hidden on screen and shown first on paper by assets/print.css: id,
//     title, status, fingerprint, the latest baseline holding the
//     document, its approvals, and "Printed DATE: uncontrolled when
//     printed";
//   - every printed page carries a header: the block's data-rmm-header
//     (id, status, short fingerprint), the time of printing and "page X
//     of Y", in the margin boxes of a named CSS page that assets/print.js
//     makes per block, so a page holding several documents (a baseline's
//     copy) heads each page with the document on it;
//   - the time of printing is never in the HTML, which is the same bytes
//     at every build: print.js writes it when the browser prints (the
//     beforeprint event), from html[data-rmm-printed] when rmm pdf set it,
//     else from the browser's clock;
//   - a baseline's controlled copy (Options.PrintBaseline, rmm pdf
//     --baseline) is one page, print/NAME.html: the manifest, then every
//     controlled document of the baseline the audience may see, each as
//     its own page shows it.

// PrintedAttr is the attribute of the html element that, when set before
// printing, is the time of printing print.js shows (rmm pdf sets it).
const PrintedAttr = "data-rmm-printed"

// CopiesAttr is the attribute of the html element in which print.js
// records how many controlled-copy headers it set up (rmm pdf checks it).
const CopiesAttr = "data-rmm-copies"

// HeaderAttr is the attribute of a controlled-copy block that holds the
// text of the header of its printed pages.
const HeaderAttr = "data-rmm-header"

// printView is the controlled-copy block of a document's page.
type printView struct {
	Header            string // the header of every printed page
	ID, Title, Status string
	Fingerprint       string
	// Baseline is the latest baseline holding the document; This tells
	// whether it holds this version; ThisIn, when Baseline holds an
	// earlier one, names the latest baseline that holds this version.
	Baseline, ThisIn string
	This             bool
	Approvals        []approvalView
	MissingRoles     []string
}

// fpShort is how much of a fingerprint a page header shows: as much as
// `rmm baseline show` and the baseline pages show.
const fpShort = 12

// printView is the controlled-copy block of d's page, from what the page
// shows (v) and the baselines that hold d; it reads nothing the page's
// cache key (pageKey) does not cover.
func (s *site) printView(d *doc.Document, v *docView) *printView {
	pv := &printView{ID: d.ID, Title: d.Title, Status: v.Status, Fingerprint: d.Fingerprint,
		Approvals: v.Approvals, MissingRoles: v.MissingRoles}
	pv.Header = copyHeader(d.ID, v.Status, d.Fingerprint)
	for i := len(s.baselines) - 1; i >= 0; i-- {
		m := s.baselines[i]
		e := m.Entry(d.ID)
		if e == nil {
			continue
		}
		same := e.Fingerprint == d.Fingerprint
		switch {
		case pv.Baseline == "":
			pv.Baseline, pv.This = m.Name, same
		case same && !pv.This && pv.ThisIn == "":
			pv.ThisIn = m.Name
		}
	}
	return pv
}

// copyHeader is the header line of a document's printed pages.
func copyHeader(id, status, fingerprint string) string {
	fp := short12(fingerprint)
	if fp == "" {
		fp = "none"
	}
	return id + " · " + status + " · fingerprint " + fp
}

// Visible reports whether a build for audience publishes d as far as its
// sensitivity goes (SPEC 4); rmm pdf asks before it prints a document.
func Visible(d *doc.Document, cfg *doc.Config, audience string) bool {
	sens := d.Sensitivity
	if sens == "" {
		sens = cfg.Sensitivity()
	}
	return sensitivityLevel(sens) <= sensitivityLevel(audience)
}

// PrintPath is the path, in a site built with Options.PrintBaseline set
// to name, of the baseline's controlled copy.
func PrintPath(name string) string { return "print/" + fileName(name) + ".html" }

// bundleView is a baseline's controlled copy: its manifest, then its
// documents.
type bundleView struct {
	Name, Tag, Commit, Date, Tagger, Summary, Root, Previous string
	Header, Audience                                         string
	Entries                                                  []bundleEntry
	Docs                                                     []template.HTML
}

type bundleEntry struct {
	ID, Title, Path, Fingerprint, Approvers string
	// Missing: the manifest names a document the baseline's commit does
	// not hold (an edited manifest; rmm baseline verify tells more).
	// Differs: the document at the commit has another fingerprint.
	Missing, Differs bool
}

// renderPrint writes the controlled copy of baseline o.PrintBaseline.
func (s *site) renderPrint(w *siteWriter) error {
	name := s.o.PrintBaseline
	var m *baseline.Manifest
	for _, b := range s.baselines {
		if b.Name == name {
			m = b
		}
	}
	if m == nil {
		return fmt.Errorf("print: no baseline %q at the commit published", name)
	}
	out := PrintPath(name)
	root := rootOf(out)
	prev := m.Previous
	if prev == "" || prev == "-" {
		prev = "none"
	}
	v := &bundleView{Name: m.Name, Tag: m.Tag, Commit: m.Commit, Date: m.Date, Tagger: personOf(m.Tagger),
		Summary: m.Summary, Root: m.Root, Previous: strings.TrimPrefix(prev, baseline.TagPrefix), Audience: s.o.Audience}
	v.Header = "Baseline " + m.Name + " · manifest · root " + short12(m.Root)
	docT := s.in.tmpl.byName["doc"]
	for _, e := range m.Documents {
		if _, ok := s.entryVisible(m, e); !ok {
			continue // the audience may not see it: no trace
		}
		var as []string
		for _, a := range e.Approvers {
			as = append(as, a.By+" ("+a.Role+")")
		}
		be := bundleEntry{ID: e.ID, Path: e.Path, Fingerprint: e.Fingerprint, Approvers: strings.Join(as, ", ")}
		p := s.byID[e.ID]
		if p == nil {
			be.Missing = true
			v.Entries = append(v.Entries, be)
			continue
		}
		be.Title, be.Differs = p.d.Title, p.d.Fingerprint != e.Fingerprint
		v.Entries = append(v.Entries, be)
		data, _, err := s.docPage(p, s.docView(p)) // its files were copied with its own page
		if err != nil {
			return fmt.Errorf("%s: %w", out, err)
		}
		data.Root, data.Site = root, s.info
		var buf bytes.Buffer
		if err := docT.ExecuteTemplate(&buf, "content", data); err != nil {
			return fmt.Errorf("%s: %w", out, err)
		}
		v.Docs = append(v.Docs, template.HTML(buf.String()))
	}
	data := &pageData{Title: "Baseline " + m.Name + ": controlled copy", Nav: "baselines", Bundle: v, Root: root, Site: s.info}
	c, err := s.in.tmpl.chromeFor(s.info, root, data.Nav)
	if err != nil {
		return fmt.Errorf("chrome.html: %w", err)
	}
	data.Topbar, data.Sidebar = c.top, c.side
	var buf bytes.Buffer
	if err := s.in.tmpl.execute(&buf, "print", data); err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	_, _, err = w.put(out, buf.Bytes())
	return err
}

func short12(h string) string {
	if len(h) > fpShort {
		return h[:fpShort]
	}
	return h
}
