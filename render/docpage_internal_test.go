package render

import (
	"bytes"
	"fmt"
	"html/template"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// The Go writer of a document page's content prints what the embedded
// doc.html's "content" template prints, byte for byte: over every
// document page of the example library, and over random pages whose
// every optional part is present or not and whose text is hostile
// (markup, quotes, +, NUL, bad UTF-8, schemes a URL must not carry).
func TestDocContentIsTheTemplates(t *testing.T) {
	ts, err := loadTemplates(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ts.docBase == nil {
		t.Fatal("the embedded doc.html is not written in Go")
	}
	tmpl := ts.byName["doc"]
	compare := func(t *testing.T, name string, data *pageData) {
		t.Helper()
		var want bytes.Buffer
		if err := tmpl.ExecuteTemplate(&want, "content", data); err != nil {
			t.Fatalf("%s: template: %v", name, err)
		}
		sameBytes(t, name+" (content)", writeDocContent(nil, data), want.Bytes())
		// The whole page: the frame of base.html around it.
		want.Reset()
		if err := tmpl.ExecuteTemplate(&want, "base.html", data); err != nil {
			t.Fatalf("%s: template: %v", name, err)
		}
		var got bytes.Buffer
		if err := ts.execute(&got, "doc", data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameBytes(t, name+" (page)", got.Bytes(), want.Bytes())
	}

	t.Run("example", func(t *testing.T) {
		s := benchSite(t)
		n := 0
		for _, p := range s.pages {
			data, _, err := s.docPage(p, s.docView(p))
			if err != nil {
				t.Fatal(err)
			}
			data.Root, data.Site = "../", s.info
			c, err := ts.chromeFor(s.info, data.Root, data.Nav)
			if err != nil {
				t.Fatal(err)
			}
			data.Topbar, data.Sidebar = c.top, c.side
			compare(t, p.url, data)
			n++
		}
		if n < 20 {
			t.Fatalf("only %d document pages in the example", n)
		}
	})

	t.Run("random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 2026))
		for i := 0; i < 3000; i++ {
			site := &siteInfo{Title: hostile(r), Organization: hostile(r), Audience: hostile(r), LiveReload: maybe(r, func() string { return hostile(r) }), RemoteImages: r.IntN(2) == 0}
			v := randomDocView(r)
			data := &pageData{Root: pick(r, "../", "", "javascript:x/", "a b/"), Doc: v, Title: v.Title, Nav: "docs", Site: site,
				Topbar: template.HTML("<header>" + hostile(r) + "</header>"), Sidebar: template.HTML("<aside>" + hostile(r) + "</aside>")}
			if r.IntN(10) == 0 {
				data.Title = site.Title // base.html prints the title another way
			}
			compare(t, fmt.Sprintf("page %d", i), data)
			// The same page again: from the frame made for the first.
			compare(t, fmt.Sprintf("page %d again", i), data)
		}
	})
}

func sameBytes(t *testing.T, name string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	g, w := string(got), string(want)
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	lo := max(0, i-120)
	t.Fatalf("%s: differs at byte %d\ntemplate: %q\nGo:       %q", name, i, w[lo:min(len(w), i+120)], g[lo:min(len(g), i+120)])
}

func pick(r *rand.Rand, ss ...string) string { return ss[r.IntN(len(ss))] }

// hostile is a text a page may print.
func hostile(r *rand.Rand) string {
	parts := []string{"", "plain", `<b>"x"</b>`, "a&b", "it's", "1+1", "\x00", "\xff\xfe", "é ✔", "javascript:alert(1)",
		"JaVaScRiPt:x", "mailto:a@b", "https://x.org/?q=1&r=2#f", "%41%zz%", "a b/c:d", "#frag", "data:text/html,<x>",
		"[id] ", "RMM-PRC-001 fixed", "\t\n", "'\"`", "ÿ"}
	var b strings.Builder
	for n := r.IntN(3); n >= 0; n-- {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

func maybe[T any](r *rand.Rand, f func() T) T {
	var zero T
	if r.IntN(2) == 0 {
		return zero
	}
	return f()
}

func randomLink(r *rand.Rand) link {
	return link{URL: hostile(r), Text: hostile(r), ID: hostile(r), Extra: hostile(r)}
}

func some[T any](r *rand.Rand, f func() T) []T {
	var out []T
	for n := r.IntN(4) - 1; n > 0; n-- {
		out = append(out, f())
	}
	return out
}

func randomDocView(r *rand.Rand) *docView {
	h := func() string { return maybe(r, func() string { return hostile(r) }) }
	hs := func() []string { return some(r, func() string { return hostile(r) }) }
	lp := func() *link { return maybe(r, func() *link { l := randomLink(r); return &l }) }
	ls := func() []link { return some(r, func() link { return randomLink(r) }) }
	html := func() template.HTML {
		return maybe(r, func() template.HTML { return template.HTML("<p>" + hostile(r) + "</p>") })
	}
	b := func() bool { return r.IntN(2) == 0 }
	approvals := func() []approvalView {
		return some(r, func() approvalView {
			return approvalView{By: h(), Role: h(), Date: h(), Meaning: h(), Name: h(), Current: b()}
		})
	}
	v := &docView{ID: h(), Kind: h(), KindTitle: h(), KindURL: h(), Title: h(), Path: h(), Owner: h(), Status: h(), Sensitivity: h(),
		OwnerName: h(), Fingerprint: h(), Control: h(), ReviewEvery: h(), Date: h(), Area: lp(), Unit: lp(), Tags: hs(),
		Approvals: approvals(), MissingRoles: hs(), Baselines: ls(), HistoryNote: h(), Backlinks: ls(),
		Body: html(), H1: html(), Retired: b(), SupersededBy: lp(), SupersededByText: h(), Chart: html(), ChartNote: h(),
		ActionsHeading: h(), Stale: h()}
	v.History = some(r, func() historyRow { return historyRow{Hash: h(), Short: h(), Author: h(), Date: h(), Subject: h()} })
	v.Relations = some(r, func() relation { return relation{Key: h(), Links: ls(), Text: hs()} })
	v.Measure = maybe(r, func() *measureView {
		return &measureView{Target: h(), Unit: h(), Direction: h(), Latest: h(), Points: r.IntN(3) * 7}
	})
	v.Tailoring = maybe(r, func() *tailoredView {
		return &tailoredView{Standard: lp(), Unit: h(), Base: h(), Effective: html(), Suspect: hs(), Problems: hs(), Missing: h()}
	})
	v.Actions = some(r, func() actionView {
		return actionView{Text: h(), Owner: h(), Due: h(), OwnerName: h(), Done: b(),
			Closed: maybe(r, func() *closedView { return &closedView{Short: h(), Hash: h(), On: h(), By: h()} })}
	})
	v.Stakeholders = some(r, func() stakeholderRow {
		return stakeholderRow{Doc: randomLink(r), Who: h(), Role: h(), Involvement: h(), Approve: b(), Agreed: b()}
	})
	v.TrainingGaps = some(r, func() gapView {
		return gapView{Person: h(), Since: h(), Because: h(), LastTrained: h(), Days: r.IntN(3) * 11}
	})
	v.Deviations = some(r, func() deviationView {
		return deviationView{Measure: randomLink(r), Text: h(), Since: h(), Corrective: ls(), Answered: b()}
	})
	v.Toc = some(r, func() tocItem { return tocItem{ID: h(), Title: h(), Level: r.IntN(4)} })
	v.Diags = some(r, func() diagView {
		return diagView{Path: h(), Severity: h(), Message: h(), Rule: h(), Line: r.IntN(3) * 5, URL: h()}
	})
	v.Print = maybe(r, func() *printView {
		return &printView{Header: h(), ID: h(), Title: h(), Status: h(), Fingerprint: h(), Baseline: h(), ThisIn: h(), This: b(),
			Approvals: approvals(), MissingRoles: hs()}
	})
	v.SinceApproval = maybe(r, func() *sinceApprovalView {
		return &sinceApprovalView{By: h(), Role: h(), Date: h(), Name: h(), Unchanged: b(), Commit: h(), Summary: h(), Note: h(), Redline: html()}
	})
	return v
}

// A repository's own doc.html is executed as it is: the Go writer is for
// the embedded layout only.
func TestOverriddenDocLayoutIsExecuted(t *testing.T) {
	over := fstest.MapFS{OverrideDir + "/doc.html": {Data: []byte(`{{define "content"}}<p id="own">{{.Doc.ID}}</p>{{end}}`)}}
	ts, err := loadTemplates(over, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ts.docBase != nil {
		t.Fatal("an overridden doc.html is replaced by the Go writer")
	}
	var buf bytes.Buffer
	if err := ts.execute(&buf, "doc", &pageData{Site: &siteInfo{}, Doc: &docView{ID: "X<1>"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<p id="own">X&lt;1&gt;</p>`) || strings.Contains(buf.String(), "rmm-approvals") {
		t.Fatalf("the page is not the repository's layout:\n%s", buf.String())
	}
}

// idInText is the regexp findIDs matches by hand.
var idInText = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b`)

// findIDs finds what idInText finds, over random texts of the bytes that
// matter to it (capitals, digits, hyphens, other word bytes, the rest).
func TestFindIDsIsTheRegexp(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 13))
	alphabet := []string{"A", "Z", "Q", "0", "9", "-", "-", "a", "_", " ", "é", ".", "\xff"}
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		for n := r.IntN(16); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		want := idInText.FindAllStringIndex(s, -1)
		got := findIDs(s)
		if len(got) != len(want) {
			t.Fatalf("%q: findIDs %v, regexp %v", s, got, want)
		}
		for k := range got {
			if got[k][0] != want[k][0] || got[k][1] != want[k][1] {
				t.Fatalf("%q: findIDs %v, regexp %v", s, got, want)
			}
		}
	}
	for _, s := range []string{"Fix EVAL-2026-01 and IMC-PLAN.", "AB-CD-ef", "x-AB-CD", "AB--CD", "A-1_", "RMM-PRC-001,RMM-X"} {
		if fmt.Sprint(findIDs(s)) != fmt.Sprint(idInText.FindAllStringIndex(s, -1)) {
			t.Errorf("%q: findIDs %v, regexp %v", s, findIDs(s), idInText.FindAllStringIndex(s, -1))
		}
	}
}

// The Go rows of the lists and of the register are what the embedded
// layouts' row templates print, byte for byte, over random rows with
// hostile text; an overridden layout's rows are executed as written.
func TestRowsAreTheTemplates(t *testing.T) {
	ts, err := loadTemplates(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !ts.listGo || !ts.registerGo {
		t.Fatal("the embedded list and register rows are not written in Go")
	}
	r := rand.New(rand.NewPCG(5, 11))
	h := func() string { return maybe(r, func() string { return hostile(r) }) }
	for i := 0; i < 3000; i++ {
		root := pick(r, "", "../", "javascript:x/", "a b/")
		lr := listRowData{Root: root, listRow: listRow{link: randomLink(r), Kind: h(), Status: h(), Owner: h(), Area: h(), Unit: h(), Retired: r.IntN(2) == 0}}
		var want bytes.Buffer
		if err := ts.byName["list"].ExecuteTemplate(&want, "list-row", lr); err != nil {
			t.Fatal(err)
		}
		sameBytes(t, fmt.Sprintf("list row %d", i), appendListRow(nil, lr), want.Bytes())

		rr := registerRowData{Root: root, registerRow: registerRow{Doc: randomLink(r), Kind: h(), State: h()}}
		for n := r.IntN(8); n > 0; n-- {
			rr.Cells = append(rr.Cells, h())
		}
		want.Reset()
		if err := ts.byName["register"].ExecuteTemplate(&want, "register-row", rr); err != nil {
			t.Fatal(err)
		}
		sameBytes(t, fmt.Sprintf("register row %d", i), appendRegisterRow(nil, rr), want.Bytes())
	}

	over := fstest.MapFS{
		OverrideDir + "/list.html":     {Data: []byte(`{{define "content"}}<tbody>{{rows $.Root .List.Rows}}</tbody>{{end}}{{define "list-row"}}<tr id="own">{{.ID}}</tr>{{end}}`)},
		OverrideDir + "/register.html": {Data: []byte(`{{define "content"}}{{end}}{{define "register-row"}}<tr id="own">{{.Doc.ID}}</tr>{{end}}`)},
	}
	ts, err = loadTemplates(over, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ts.listGo || ts.registerGo {
		t.Fatal("an overridden layout's rows are written in Go")
	}
	got, err := ts.rowsHTML("", []listRow{{link: link{ID: "X<1>"}}})
	if err != nil || got != `<tr id="own">X&lt;1&gt;</tr>` {
		t.Fatalf("overridden list row: %q, %v", got, err)
	}
	got, err = ts.registerRowsHTML("", []registerRow{{Doc: link{ID: "Y"}}})
	if err != nil || got != `<tr id="own">Y</tr>` {
		t.Fatalf("overridden register row: %q, %v", got, err)
	}
}
