package render

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/rmm-pal/rmm/doc"
)

// A prepared body, filled in for a page, is what rendering the body's
// tree for that page gives (renderTree, the only way before bodies were
// prepared at load): the same HTML, lifted h1, search sections, contents
// and copied files, for every way a page shows a body.

// diffLinker is a page of a small library: AB-1 is published, CD-2 is a
// document left out for the audience, notes.txt a file the site copies.
func diffLinker(liftH1 bool, prefix string) *linker {
	l := benchLinker()
	ab := &doc.Document{ID: "AB-1", Path: "sub/ab.md", Title: `Alpha & "<b>"`}
	cd := &doc.Document{ID: "CD-2", Path: "cd.md", Title: "Restricted"}
	l.s.lib.ByID["AB-1"], l.s.lib.ByPath["sub/ab.md"] = ab, ab
	l.s.lib.ByID["CD-2"], l.s.lib.ByPath["cd.md"] = cd, cd
	l.s.byID["AB-1"] = &page{d: ab, url: "doc/AB-1.html"}
	l.s.lib.Files["pic.png"] = true
	l.s.lib.Files["notes.txt"] = true
	l.liftH1, l.idPrefix = liftH1, prefix
	return l
}

func parseSite(src []byte) ast.Node {
	return markdown.Parser().Parse(text.NewReader(src), parser.WithContext(doc.NewParseContext()))
}

// samePrepared fails t when the prepared body of src differs from its
// rendered tree on any page set-up; it reports whether src was prepared
// (a body with an image is not).
func samePrepared(t *testing.T, src string) bool {
	t.Helper()
	prepared := false
	for _, c := range []struct {
		lift   bool
		prefix string
	}{{true, ""}, {false, ""}, {true, "op-"}, {false, "op-"}} {
		b1 := []byte(src)
		pb := prepareBody(parseSite(b1), b1)
		if pb == nil {
			return false
		}
		prepared = true
		l1 := diffLinker(c.lift, c.prefix)
		got := l1.finish(pb)
		b2 := []byte(src)
		l2 := diffLinker(c.lift, c.prefix)
		want, err := l2.renderTree(parseSite(b2), b2)
		if err != nil {
			t.Fatal(err)
		}
		where := func(what string) string {
			return what + " of " + strings.TrimSpace(src[:min(len(src), 200)]) + " (liftH1 " + map[bool]string{true: "on", false: "off"}[c.lift] + ", prefix " + c.prefix + ")"
		}
		if got.HTML != want.HTML {
			t.Fatalf("%s:\nprepared %q\nrendered %q", where("HTML"), got.HTML, want.HTML)
		}
		if got.H1 != want.H1 || got.StartsH1 != want.StartsH1 {
			t.Fatalf("%s: prepared %v %q, rendered %v %q", where("h1"), got.StartsH1, got.H1, want.StartsH1, want.H1)
		}
		if !reflect.DeepEqual(got.Sections, want.Sections) {
			t.Fatalf("%s:\nprepared %q\nrendered %q", where("search sections"), got.Sections, want.Sections)
		}
		if !reflect.DeepEqual(got.Headings, want.Headings) {
			t.Fatalf("%s:\nprepared %+v\nrendered %+v", where("contents"), got.Headings, want.Headings)
		}
		if !reflect.DeepEqual(l1.assets, l2.assets) {
			t.Fatalf("%s: prepared %q, rendered %q", where("copied files"), l1.assets, l2.assets)
		}
	}
	return prepared
}

var preparedSeeds = []string{
	"# Title\n\nText [[AB-1]] and [[CD-2]] and [[XX-9]].\n\n## Part {#p .required .x style=y}\n\nMore.",
	"[doc](sub/ab.md#frag \"a <title>\") [gone](cd.md) [file](notes.txt) [pic](pic.png) [none](missing.txt) [abs](/etc/passwd) [anchor](#part) [web](https://example.com/a?b=c&d) [js](javascript:alert(1)) [mail](mailto:a@b.c)",
	"[**bold [[AB-1]]** _it_ `code`](cd.md \"t\") and [*x*](sub/ab.md)",
	"<javascript:alert(1)> <https://ok.example/x> www.example.com https://e.com/[[AB-1]] ~~s~~",
	"## One\n## One\n### Two {#}\n#### Deep\n> ## Quoted\n- ## In a list\n\n# Late h1",
	"Setext {style=x}\n===\n\ntext\n\nSub\n---",
	"| a | b |\n|:-|-:|\n| [x](sub/ab.md) | [[AB-1]] |\n\n- [ ] task [y](cd.md)\n- [x] done",
	"# [Linked h1](sub/ab.md) [[CD-2]]\n\nbody",
	"#\n\n##\n\n# \n",
	"",
	"plain text only",
	"<script>alert(1)</script>\n\n<b onclick=x>b</b>",
	"```go\n[not](a.md) [[AB-1]]\n```\n\n    [indented](a.md)",
	"[ref]: sub/ab.md \"Ref title\"\n\n[ref] and [text][ref] and [gone][g]\n\n[g]: cd.md",
	"# H1 {#top .required}\n## Second [x](notes.txt)\ntext &amp; &#0; &#1; \x00 nul",
	"![img](pic.png) is not prepared",
}

func TestPreparedBodyIsRenderedTree(t *testing.T) {
	n := 0
	for _, s := range preparedSeeds {
		if samePrepared(t, s) {
			n++
		}
	}
	// Every document bundled with rmm, and the test libraries'.
	for _, root := range []string{"../templates", "../cmd/rmm/testdata", "testdata"} {
		_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(p, ".md") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			d, _ := doc.Parse(p, data)
			if d != nil && samePrepared(t, string(d.Body)) {
				n++
			}
			return nil
		})
	}
	if n < 30 {
		t.Fatalf("only %d bodies prepared", n)
	}
	t.Logf("%d bodies prepared and compared", n)
	if samePrepared(t, "![i](pic.png)") {
		t.Fatal("a body with an image was prepared")
	}
}

func FuzzPreparedBody(f *testing.F) {
	for _, s := range preparedSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<14 {
			return
		}
		samePrepared(t, src)
	})
}
