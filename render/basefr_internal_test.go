package render

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"
)

// execBoth executes a document page through the template set (frame and
// Go writer where they apply) and through the doc layout whole.
func execBoth(t *testing.T, ts *templateSet, data *pageData) (got, want string) {
	t.Helper()
	var w, g bytes.Buffer
	if err := ts.byName["doc"].ExecuteTemplate(&w, "base.html", data); err != nil {
		t.Fatal(err)
	}
	if err := ts.execute(&g, "doc", data); err != nil {
		t.Fatal(err)
	}
	return g.String(), w.String()
}

func baseOverride(src string) fstest.MapFS {
	return fstest.MapFS{OverrideDir + "/base.html": {Data: []byte(src)}}
}

// An overridden base.html that shows the document's id: the frame made for
// the first page is reused for the second.
func TestOverriddenBaseStaleFrame(t *testing.T) {
	ts, err := loadTemplates(baseOverride(`<html><head><title>{{.Title}}</title><meta name="doc-id" content="{{with .Doc}}{{.ID}} {{.Status}}{{end}}"></head><body>{{template "content" .}}</body></html>`), nil)
	if err != nil {
		t.Fatal(err)
	}
	site := &siteInfo{Title: "Lib"}
	a := &pageData{Site: site, Root: "../", Title: "A", Doc: &docView{ID: "DOC-A", Title: "A", Status: "approved"}}
	b := &pageData{Site: site, Root: "../", Title: "B", Doc: &docView{ID: "DOC-B", Title: "B", Status: "draft"}}
	execBoth(t, ts, a)
	got, want := execBoth(t, ts, b)
	sameBytes(t, "page B", []byte(got), []byte(want))
}

// An overridden base.html printing the title in an unquoted attribute:
// the mark survives htmlNospaceEscaper, and the title is then spliced in
// with the text escaper.
func TestOverriddenBaseUnquotedTitle(t *testing.T) {
	ts, err := loadTemplates(baseOverride(`<html><head><meta name=title content={{.Title}}></head><body>{{template "content" .}}</body></html>`), nil)
	if err != nil {
		t.Fatal(err)
	}
	site := &siteInfo{Title: "Lib"}
	title := "x onmouseover=alert(1) autofocus"
	d := &pageData{Site: site, Root: "../", Title: title, Doc: &docView{ID: "X", Title: title}}
	got, want := execBoth(t, ts, d)
	if got != want {
		t.Errorf("unquoted title:\n want %q\n got  %q", want[:strings.Index(want, "<body>")], got[:strings.Index(got, "<body>")])
	}
}

// An overridden base.html that branches on the title.
func TestOverriddenBaseTitleLogic(t *testing.T) {
	ts, err := loadTemplates(baseOverride(`<html><head><title>{{.Title}}</title>{{if eq .Title "Quality policy"}}<meta name="robots" content="index">{{else}}<meta name="robots" content="noindex">{{end}}</head><body>{{template "content" .}}</body></html>`), nil)
	if err != nil {
		t.Fatal(err)
	}
	site := &siteInfo{Title: "Lib"}
	d := &pageData{Site: site, Root: "../", Title: "Quality policy", Doc: &docView{ID: "X", Title: "Quality policy"}}
	got, want := execBoth(t, ts, d)
	if got != want {
		t.Errorf("title logic:\n want %q\n got  %q", want[:strings.Index(want, "<body>")], got[:strings.Index(got, "<body>")])
	}
}
