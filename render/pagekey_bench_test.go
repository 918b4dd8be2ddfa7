package render

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/rules"
)

// What a document page's key costs (docView, its JSON and the body key)
// against rendering the page (the body's Markdown and the layout), over
// every document page of the example, or of the library in
// RMM_BENCH_LIBRARY (e.g. one written by ../shared/bench/gencorpus.py):
//
//	go test ./render -run '^$' -bench 'BenchmarkDocPage'
func benchSite(b testing.TB) *site {
	b.Helper()
	var r *repo.Repo
	var err error
	if dir := os.Getenv("RMM_BENCH_LIBRARY"); dir != "" {
		r, err = repo.Open(dir)
	} else {
		if r, err = repo.Init(b.TempDir()); err == nil {
			_, err = example.Write(r)
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	diags, _ := rules.Check(r, snap, now)
	o := Options{Repo: r, Out: filepath.Join(b.TempDir(), "site"), Audience: "internal", Now: now, Diags: diags, Snapshot: snap}
	if head, err := r.Resolve("HEAD"); err == nil { // the pages' revision history, as a build has it
		if o.History, err = repo.LoadHistory(r.GitDir, head, ""); err != nil {
			b.Fatal(err)
		}
	}
	res := &Result{}
	in, err := load(context.Background(), o, res)
	if err != nil {
		b.Fatal(err)
	}
	s, err := assemble(o, in, res)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkDocPageKey(b *testing.B) {
	s := benchSite(b)
	for b.Loop() {
		for _, p := range s.pages {
			s.pageKey(p, s.docView(p))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(s.pages)), "ns/page")
}

func BenchmarkDocPageRender(b *testing.B) {
	s := benchSite(b)
	var buf bytes.Buffer
	for b.Loop() {
		for _, p := range s.pages {
			data, _, err := s.docPage(p, s.docView(p))
			if err != nil {
				b.Fatal(err)
			}
			data.Root, data.Site = "../", s.info
			c, err := s.in.tmpl.chromeFor(s.info, data.Root, data.Nav)
			if err != nil {
				b.Fatal(err)
			}
			data.Topbar, data.Sidebar = c.top, c.side
			buf.Reset()
			if err := s.in.tmpl.execute(&buf, "doc", data); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(s.pages)), "ns/page")
}

// The view's hash alone, over views made once.
func BenchmarkViewHash(b *testing.B) {
	s := benchSite(b)
	var views []any
	for _, p := range s.pages {
		views = append(views, docData(s.docView(p)))
	}
	for b.Loop() {
		for _, v := range views {
			if _, err := viewHash(v); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(views)), "ns/page")
}

// The layout alone: each document page's data made once, then the doc
// template executed over all of them (what html/template costs a page).
func BenchmarkDocPageTemplate(b *testing.B) {
	s := benchSite(b)
	var pages []*pageData
	for _, p := range s.pages {
		data, _, err := s.docPage(p, s.docView(p))
		if err != nil {
			b.Fatal(err)
		}
		data.Root, data.Site = "../", s.info
		c, err := s.in.tmpl.chromeFor(s.info, data.Root, data.Nav)
		if err != nil {
			b.Fatal(err)
		}
		data.Topbar, data.Sidebar = c.top, c.side
		switch os.Getenv("XCLEAR") {
		case "history":
			data.Doc.History = nil
		case "backlinks":
			data.Doc.Backlinks = nil
		case "approvals":
			data.Doc.Approvals = nil
		case "relations":
			data.Doc.Relations = nil
		}
		pages = append(pages, data)
	}
	var buf bytes.Buffer
	for b.Loop() {
		for _, data := range pages {
			buf.Reset()
			if err := s.in.tmpl.execute(&buf, "doc", data); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pages)), "ns/page")
}
