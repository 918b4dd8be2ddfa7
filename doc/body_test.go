package doc

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
)

func parseOK(t *testing.T, path, src string) *Document {
	t.Helper()
	d, diags := Parse(path, []byte(src))
	if d == nil || len(diags) != 0 {
		t.Fatalf("Parse(%s): %v", path, diags)
	}
	return d
}

func TestSections(t *testing.T) {
	src := "---\nid: S\nkind: standard\ntitle: S\n---\n" + // lines 1-5
		"# Standard {#top}\n" + // 6
		"\n" +
		"Intro.\n" + // 8
		"\n" +
		"## Contain the incident {#contain .required .key owner=ops}\n" + // 10
		"\n" +
		"Contain.\n" + // 12
		"\n" +
		"### Sub step\n" + // 14
		"\n" +
		"Deep.\n" +
		"\n" +
		"## Émigré Ünïcode — 2 steps!\n" + // 18
		"\n" +
		"## Émigré Ünïcode — 2 steps!\n" + // 20
		"\n" +
		"Setext heading\n" + // 22
		"--------------\n" +
		"\n" +
		"Last.\n" // 25
	d := parseOK(t, "standards/s.md", src)
	type want struct {
		id, title string
		level     int
		line      int
		parent    string
	}
	wants := []want{
		{"top", "Standard", 1, 6, ""},
		{"contain", "Contain the incident", 2, 10, "top"},
		{"sub-step", "Sub step", 3, 14, "contain"},
		{"émigré-ünïcode-2-steps", "Émigré Ünïcode — 2 steps!", 2, 18, "top"},
		{"émigré-ünïcode-2-steps-1", "Émigré Ünïcode — 2 steps!", 2, 20, "top"},
		{"setext-heading", "Setext heading", 2, 22, "top"},
	}
	if len(d.Sections) != len(wants) {
		t.Fatalf("got %d sections", len(d.Sections))
	}
	for i, w := range wants {
		s := d.Sections[i]
		parent := ""
		if s.Parent != nil {
			parent = s.Parent.ID
		}
		if s.ID != w.id || s.Title != w.title || s.Level != w.level || s.Line != w.line || parent != w.parent {
			t.Errorf("section %d = {%q %q %d line %d parent %q}, want %+v", i, s.ID, s.Title, s.Level, s.Line, parent, w)
		}
	}
	c := d.Section("contain")
	if !c.HasClass("required") || !c.HasClass("key") || c.Attrs["owner"] != "ops" {
		t.Errorf("classes %v attrs %v", c.Classes, c.Attrs)
	}
	body := string(d.Body)
	if got := body[c.Start:c.ContentStart]; got != "## Contain the incident {#contain .required .key owner=ops}\n" {
		t.Errorf("heading line %q", got)
	}
	if got := body[c.ContentStart:c.OwnEnd]; got != "\nContain.\n\n" {
		t.Errorf("own content %q", got)
	}
	if got := body[c.Start:c.End]; !strings.HasSuffix(got, "Deep.\n\n") || !strings.Contains(got, "### Sub step") {
		t.Errorf("section with subsections %q", got)
	}
	top := d.Section("top")
	if top.Start != 0 || top.End != len(body) {
		t.Errorf("top spans %d..%d of %d", top.Start, top.End, len(body))
	}
	se := d.Section("setext-heading")
	if got := body[se.Start:se.ContentStart]; got != "Setext heading\n--------------\n" {
		t.Errorf("setext heading %q", got)
	}
	if got := body[se.ContentStart:se.End]; got != "\nLast.\n" {
		t.Errorf("setext content %q", got)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Process description":   "process-description",
		"  Roles & authority  ": "roles-authority",
		"snake_case and-dash":   "snake-case-and-dash",
		"Ελληνικά κείμενο":      "ελληνικά-κείμενο",
		"日本語の見出し":               "日本語の見出し",
		"!!!":                   "section",
		"Step 2: (optional)":    "step-2-optional",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReferences(t *testing.T) {
	src := "---\nid: A\nkind: note\ntitle: A\n---\n" +
		"See [[IMC-PLAN]] and [the policy](../policies/p.md#scope).\n" + // 6
		"\n" +
		"Also [[lower]] is not an id, `[[CODE-SPAN]]` is code, [site](https://x.org/a.md) is external,\n" + // 8
		"[anchor](#local), [image](pic.png), [same folder](b.md), [ref link][r].\n" + // 9
		"\n" +
		"```\n[[IN-BLOCK]] [x](in-block.md)\n```\n" +
		"\n" +
		"    [[INDENTED]]\n" +
		"\n" +
		"- item with [[LIST-REF]]\n" + // 17
		"\n" +
		"[r]: ../../../outside.md\n"
	d := parseOK(t, "plans/sub/a.md", src)
	type ref struct {
		id, path string
		line     int
	}
	want := []ref{{"IMC-PLAN", "", 6}, {"", "plans/policies/p.md", 6}, {"", "plans/sub/b.md", 9}, {"", "../outside.md", 9}, {"LIST-REF", "", 17}}
	if len(d.Refs) != len(want) {
		t.Fatalf("refs %+v", d.Refs)
	}
	for i, w := range want {
		r := d.Refs[i]
		if r.ID != w.id || r.Path != w.path || r.Line != w.line {
			t.Errorf("ref %d = %+v, want %+v", i, r, w)
		}
	}
	if d.Refs[1].Text != "../policies/p.md#scope" || d.Refs[0].Text != "[[IMC-PLAN]]" {
		t.Errorf("texts %q %q", d.Refs[0].Text, d.Refs[1].Text)
	}
	for dest, want := range map[string]string{
		"x.md": "d/x.md", "../x.md": "x.md", "../../x.md": "../x.md", "./y/Z.MD?q=1#f": "d/y/Z.MD",
		"mailto:a@b.md": "", "/abs.md": "", "//host/x.md": "", "#frag": "", "x.txt": "",
	} {
		got, ok := RelativeDocLink("d", dest)
		if got != want || ok != (want != "") {
			t.Errorf("RelativeDocLink(d, %q) = %q, %v; want %q", dest, got, ok, want)
		}
	}
}

func TestActions(t *testing.T) {
	src := "---\nid: R\nkind: review\ntitle: R\n---\n" +
		"## Actions\n" + // 6
		"\n" +
		"- [ ] xray the logs (@ann@example.org, due 2026-12-31)\n" + // 8
		"- [x] Close the ticket (@bob@example.org)\n" + // 9
		"- [ ] Wrapped action text that goes on\n  to a second line (@cy@example.org, due 2027-01-15)\n" + // 10
		"- [ ] No owner\n" + // 12
		"- an ordinary item\n" +
		"\n" +
		"```\n- [ ] in code\n```\n"
	d := parseOK(t, "reviews/r.md", src)
	want := []Action{
		{Text: "xray the logs", Owner: "ann@example.org", Due: "2026-12-31", Line: 8},
		{Text: "Close the ticket", Owner: "bob@example.org", Done: true, Line: 9},
		{Text: "Wrapped action text that goes on to a second line", Owner: "cy@example.org", Due: "2027-01-15", Line: 10},
		{Text: "No owner", Line: 12},
	}
	if len(d.Actions) != len(want) {
		t.Fatalf("actions %+v", d.Actions)
	}
	for i, w := range want {
		if d.Actions[i] != w {
			t.Errorf("action %d = %+v, want %+v", i, d.Actions[i], w)
		}
	}
}

func TestEmptyHeadings(t *testing.T) {
	d := parseOK(t, "x.md", "---\nid: A\nkind: note\ntitle: A\n---\n##\nintro\n\n##\n\n- a\n- b\n\n###   \n## Next\n")
	want := []struct {
		line    int
		heading string
	}{{6, "##\n"}, {9, "##\n"}, {14, "###   \n"}, {15, "## Next\n"}}
	if len(d.Sections) != len(want) {
		t.Fatalf("%d sections", len(d.Sections))
	}
	for i, w := range want {
		s := d.Sections[i]
		if s.Line != w.line || string(d.Body[s.Start:s.ContentStart]) != w.heading {
			t.Errorf("section %d at line %d: %q, want line %d %q", i, s.Line, d.Body[s.Start:s.ContentStart], w.line, w.heading)
		}
	}
}

func TestSetextHeadingStartingWithHash(t *testing.T) {
	d := parseOK(t, "x.md", "#hashtag title\n---\ntext\n")
	if len(d.Sections) != 1 {
		t.Fatalf("%d sections", len(d.Sections))
	}
	s := d.Sections[0]
	if s.Title != "#hashtag title" || string(d.Body[s.ContentStart:s.End]) != "text\n" {
		t.Errorf("title %q content %q", s.Title, d.Body[s.ContentStart:s.End])
	}
}

// A line of dashes under a table is a row of the table (GFM), not the
// underline of a heading: the site shows no heading there, so rmm reads
// no section (found by FuzzParse in CI).
func TestDashesUnderATableAreNoSection(t *testing.T) {
	for _, body := range []string{"|-|\n|-|\n---\n", "a | b\n--|--\nx | y\n---\n", "| Step | Who |\n|---|---|\n| 1 | QA |\nDone\n===\n"} {
		d := parseOK(t, "x.md", body)
		if len(d.Sections) != 0 {
			t.Errorf("%q: sections %q, want none", body, d.Sections[0].Title)
		}
	}
	d := parseOK(t, "x.md", "| a |\n|---|\n\nReal heading\n---\n")
	if len(d.Sections) != 1 || d.Sections[0].Title != "Real heading" {
		t.Errorf("a setext heading after a blank line: %d sections", len(d.Sections))
	}
}

func TestReferencesInTablesAndHeadings(t *testing.T) {
	d := parseOK(t, "x.md", "# About [[HEAD-REF]]\n\n| doc | note |\n|-----|------|\n| [[TABLE-REF]] | [p](p.md) |\n\n~~[[STRUCK]]~~ www.example.org/x.md\n")
	want := []Ref{{ID: "HEAD-REF", Text: "[[HEAD-REF]]", Line: 1}, {ID: "TABLE-REF", Text: "[[TABLE-REF]]", Line: 5}, {Path: "p.md", Text: "p.md", Line: 5}, {ID: "STRUCK", Text: "[[STRUCK]]", Line: 7}}
	if len(d.Refs) != len(want) {
		t.Fatalf("refs %+v", d.Refs)
	}
	for i := range want {
		if d.Refs[i] != want[i] {
			t.Errorf("ref %d = %+v, want %+v", i, d.Refs[i], want[i])
		}
	}
	if d.Sections[0].Title != "About HEAD-REF" {
		t.Errorf("title %q", d.Sections[0].Title)
	}
}

// TestSlugIDsAsBefore: the numbering of repeated slugs with a counter
// gives the ids the plain search for the first free suffix gave.
func TestSlugIDsAsBefore(t *testing.T) {
	naive := func(ops []string) []string {
		seen := map[string]bool{}
		var out []string
		for _, op := range ops {
			if id, ok := strings.CutPrefix(op, "#"); ok {
				seen[id] = true
				continue
			}
			base := Slug(op)
			id := base
			for i := 1; seen[id]; i++ {
				id = base + "-" + itoa(i)
			}
			seen[id] = true
			out = append(out, id)
		}
		return out
	}
	words := []string{"a", "a 1", "a-1", "a 2", "#a-2", "#a-3", "b", "a-1 1", "#a-1-1", "a", "a", "#a-5", "section", ""}
	rng := uint64(1)
	for round := 0; round < 2000; round++ {
		var ops []string
		for i := 0; i < 30; i++ {
			rng = rng*6364136223846793005 + 1442695040888963407
			ops = append(ops, words[rng>>33%uint64(len(words))])
		}
		s := &slugIDs{seen: map[string]bool{}}
		var got []string
		for _, op := range ops {
			if id, ok := strings.CutPrefix(op, "#"); ok {
				s.Put([]byte(id))
				continue
			}
			got = append(got, string(s.Generate([]byte(op), ast.KindHeading)))
		}
		if want := naive(ops); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%q:\ngot  %v\nwant %v", ops, got, want)
		}
	}
}

// TestEmptyHeadingID: `{#}` is no id (FuzzSectionAttributes found the
// section read with id ""): the heading takes its text's, on the site too.
func TestEmptyHeadingID(t *testing.T) {
	d := parseOK(t, "s.md", "## Title {#}\n\n## Title\n")
	if len(d.Sections) != 2 || d.Sections[0].ID != "title-1" || d.Sections[1].ID != "title" {
		t.Fatalf("sections %+v %+v", d.Sections[0], d.Sections[1])
	}
	root := ParseMarkdown(d.Body)
	id, _ := root.FirstChild().AttributeString("id")
	if attrString(id) != "title-1" {
		t.Errorf("the site's heading id is %q", id)
	}
}

// Bodies are read with the site's own set-up (GFM, linkify included): a
// [[ID]] written inside a bare URL is part of the link the site shows,
// not a reference, and one inside a strikethrough still is.
func TestRefsAreWhatTheSiteLinks(t *testing.T) {
	d, _ := Parse("a.md", []byte("See https://e.com/[[AB-1]] and www.x.org/[[CD-2]], ~~[[EF-3]]~~ and [[GH-4]].\n"))
	var ids []string
	for _, r := range d.Refs {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, " "); got != "EF-3 GH-4" {
		t.Errorf("references %q, want the two the site links: EF-3 GH-4", got)
	}
}
