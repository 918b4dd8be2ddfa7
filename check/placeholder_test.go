package check

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"text/template"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/templates"
)

// fromTemplate writes a document of kind as rmm new does.
func fromTemplate(t *testing.T, kind string) []byte {
	t.Helper()
	src, err := fs.ReadFile(templates.Kinds, kind+".md")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tmpl := template.Must(template.New(kind).Option("missingkey=zero").Parse(string(src)))
	if err := tmpl.Execute(&buf, map[string]string{"ID": "X-NEW", "Title": "New", "Owner": "olive@example.org",
		"Status": "draft", "Date": "2026-11-26", "Due": "2026-12-26", "Area": "IMC"}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func placeholdersOf(t *testing.T, tp *Templates, path string, src []byte) []Placeholder {
	t.Helper()
	d, diags := doc.Parse(path, src)
	if d == nil {
		t.Fatalf("parse: %v", diags)
	}
	return tp.Placeholders(d)
}

// Every section of a document that rmm new writes is a placeholder, for
// every kind with a template; a note has none.
func TestPlaceholdersOfNewDocuments(t *testing.T) {
	for _, kind := range doc.Kinds {
		src := fromTemplate(t, kind)
		d, _ := doc.Parse(kind+".md", src)
		ps := DefaultTemplates.Placeholders(d)
		if kind == "note" {
			if len(ps) != 0 {
				t.Errorf("note: %v", ps)
			}
			continue
		}
		var want int
		for _, s := range d.Sections {
			if s.Level == 2 {
				want++
			}
		}
		if len(ps) != want || want == 0 {
			t.Errorf("%s: %d placeholders %v, want one per section (%d)", kind, len(ps), ps, want)
		}
		if DefaultTemplates.Content(d) {
			t.Errorf("%s: a new document counts as content", kind)
		}
	}
}

func TestPlaceholderKinds(t *testing.T) {
	front := "---\nid: P\nkind: plan\ntitle: P\nowner: o@example.org\n---\n"
	for _, tc := range []struct {
		name, body string
		want       []string // "title why"
	}{
		{"written", "## Resources\n\nTwo people.\n", nil},
		{"empty", "## Resources\n\n## Training\n\nA course.\n", []string{"Resources empty"}},
		{"empty at the end", "## Resources\n\nTwo people.\n\n## Training\n", []string{"Training empty"}},
		{"todo", "## Resources\n\nTODO: Resources.\n", []string{"Resources todo"}},
		{"todo items", "## Actions\n\n- [ ] TODO: describe the action (@o@example.org, due 2026-12-26)\n- TODO later\n", []string{"Actions todo"}},
		{"todo and text", "## Resources\n\nTODO: Resources.\n\nTwo people.\n", nil},
		{"todo in a sentence", "## Resources\n\nWe keep a TODO list.\n", nil},
		{"a parent with subsections", "## Resources\n\n### People\n\nTwo.\n", nil},
		{"a parent with an empty subsection", "## Resources\n\n### People\n", []string{"People empty"}},
		{"the template's text", "## Resources\n\n  TODO:   Resources.\n", []string{"Resources todo"}},
		{"crlf", "## Resources\r\n\r\nTwo people.\r\n\r\n## Training\r\n\r\n", []string{"Training empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range placeholdersOf(t, DefaultTemplates, "p.md", []byte(front+tc.body)) {
				got = append(got, p.Section+" "+p.Why)
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A repository's own template: text identical to its section's is a
// placeholder, template actions standing for any text; its level-2
// headings are the required sections.
func TestPlaceholderOwnTemplate(t *testing.T) {
	fsys := fstest.MapFS{".rmm/templates/review.md": {Data: []byte(
		"---\nid: {{.ID}}\nkind: review\n---\n# {{.Title}}\n\n## Attendees\n\nList who attended, for {{.Title}}.\n\n## Outcome\n\nWhat was decided.\n")}}
	tp := NewTemplates(fsys)
	if got := strings.Join(tp.Required("review"), ","); got != "Attendees,Outcome" {
		t.Errorf("required = %s", got)
	}
	if got := strings.Join(DefaultTemplates.Required("review"), ","); got != "Attendees,Status reviewed,Decisions,Actions" {
		t.Errorf("default required = %s", got)
	}
	src := "---\nid: R\nkind: review\ntitle: R\nowner: o@example.org\n---\n# R\n\n## Attendees\n\nList who attended,\nfor Q1 review.\n\n## Outcome\n\nWe decided to buy pagers.\n"
	ps := placeholdersOf(t, tp, "r.md", []byte(src))
	if len(ps) != 1 || ps[0].Section != "Attendees" || ps[0].Why != "template" || ps[0].Line != 9 {
		t.Errorf("placeholders = %+v", ps)
	}
	// rmm's own template does not know that text.
	if ps := placeholdersOf(t, DefaultTemplates, "r.md", []byte(src)); len(ps) != 0 {
		t.Errorf("default templates: %+v", ps)
	}
}

func TestSectionContent(t *testing.T) {
	src := "---\nid: P\nkind: plan\ntitle: P\nowner: o@example.org\n---\n## Resources\n\nTODO: Resources.\n\n## Training\n\n### Courses\n\nThe two-day course.\n\n## Stakeholders\n"
	d, _ := doc.Parse("p.md", []byte(src))
	for title, want := range map[string]bool{"Resources": false, "training": true, "Stakeholders": false, "Missing": false} {
		if got := DefaultTemplates.SectionContent(d, title); got != want {
			t.Errorf("SectionContent(%s) = %v, want %v", title, got, want)
		}
	}
}

func TestNormalizedPrefix(t *testing.T) {
	for _, tc := range []struct {
		raw, want     string
		starts, equal bool
	}{
		{"  TODO:   Scope.\n\n", "TODO: Scope.", true, true},
		{"TODO: Scope. More", "TODO: Scope.", true, false},
		{"TODO:Scope.", "TODO: Scope.", false, false},
		{"TODO: Sc", "TODO: Scope.", false, false},
		{"| date | value |\n|------|-------|\n| 2026 | 0 |", "| date | value | |------|-------| |", true, false},
		{"", "", true, true},
		{"x", "", true, false},
	} {
		starts, equal := normalizedPrefix([]byte(tc.raw), tc.want)
		if starts != tc.starts || equal != tc.equal {
			t.Errorf("normalizedPrefix(%q, %q) = %v, %v", tc.raw, tc.want, starts, equal)
		}
		if equal != (normalize(tc.raw) == tc.want) {
			t.Errorf("%q: equal %v disagrees with normalize", tc.raw, equal)
		}
	}
}

func TestIsTODO(t *testing.T) {
	for line, want := range map[string]bool{
		"TODO: Scope.": true, "TODO": true, "TODO later": true, "- TODO: x": true, "* [ ] TODO: describe": true,
		"- [x] TODO done": true, "1. TODO first": true, "12) TODO": true, "TODOS are fun": false, "todo: x": false,
		"We keep a TODO list": false, "- [ ]TODO": true, "[ ] TODO": true, "-TODO": true, "TODO_x": false,
	} {
		if got := isTODO([]byte(line)); got != want {
			t.Errorf("isTODO(%q) = %v, want %v", line, got, want)
		}
	}
}

// Templates inherited from an earlier context (rmm serve's last build)
// give an unchanged document the placeholders found then, and look again
// when its kind's template changed: a section that stopped being the
// template's text stops being a placeholder.
func TestInheritedTemplatesFollowTheTemplate(t *testing.T) {
	tmpl := "---\nid: {{.ID}}\nkind: review\n---\n# {{.Title}}\n\n## Attendees\n\nList who attended.\n\n## Outcome\n\nWhat was decided.\n"
	src := "---\nid: R\nkind: review\ntitle: R\nowner: o@example.org\n---\n# R\n\n## Attendees\n\nList who attended.\n\n## Outcome\n\nWe decided to buy pagers.\n"
	d, diags := doc.Parse("r.md", []byte(src))
	if d == nil {
		t.Fatalf("parse: %v", diags)
	}
	ctx := func(fsys fs.FS, prev *Templates) *Templates {
		c := &Context{Snap: nil}
		c.templates = NewTemplates(fsys)
		c.InheritTemplates(prev)
		return c.Templates()
	}
	first := ctx(fstest.MapFS{".rmm/templates/review.md": {Data: []byte(tmpl)}}, nil)
	ps := first.Placeholders(d)
	if len(ps) != 1 || ps[0].Section != "Attendees" {
		t.Fatalf("first build: %+v", ps)
	}
	// Same template: the placeholders are the ones found before.
	same := ctx(fstest.MapFS{".rmm/templates/review.md": {Data: []byte(tmpl)}}, first)
	if got := same.Placeholders(d); len(got) != 1 || &got[0] != &ps[0] {
		t.Errorf("same template: %+v, not the inherited %p", got, ps)
	}
	// The template's Attendees text changed: looked for again.
	changed := ctx(fstest.MapFS{".rmm/templates/review.md": {Data: []byte(strings.Replace(tmpl, "List who attended.", "Name the attendees.", 1))}}, same)
	if got := changed.Placeholders(d); len(got) != 0 {
		t.Errorf("after the template changed: %+v (inherited from before)", got)
	}
	// The repository's template removed: rmm's own applies.
	own := ctx(fstest.MapFS{}, first)
	if got, want := own.Placeholders(d), DefaultTemplates.Placeholders(d); len(got) != len(want) {
		t.Errorf("after the template was removed: %+v, rmm's own gives %+v", got, want)
	}
}
