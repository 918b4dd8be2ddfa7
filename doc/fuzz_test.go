package doc

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
)

// The fuzz targets below run in CI for a few seconds each (.ci/run) from
// the seed corpora in testdata/fuzz/FuzzXxx; run one for longer with
//
//	go test ./doc -run '^$' -fuzz '^FuzzParse$' -fuzztime 2m

// readAs is what a parse gives, without the bytes it was given.
type readAs struct {
	Fingerprint string
	Diags       []Diagnostic
	ID, Kind    string
	Title       string
	Lines       map[string]int
	BodyLine    int
	Body        string
	Sections    []Section
	Refs        []Ref
	Actions     []Action
}

func readOf(d *Document, diags []Diagnostic) readAs {
	r := readAs{Diags: diags}
	if d == nil {
		return r
	}
	r.Fingerprint, r.ID, r.Kind, r.Title, r.Lines, r.BodyLine, r.Body = d.Fingerprint, d.ID, d.Kind, d.Title, d.Lines, d.BodyLine, string(d.Body)
	for _, s := range d.Sections {
		c := *s
		c.Parent = nil
		r.Sections = append(r.Sections, c)
	}
	r.Refs, r.Actions = d.Refs, d.Actions
	return r
}

// sameOffsets drops the byte offsets from invalid UTF-8 messages.
func sameOffsets(r readAs) readAs {
	diags := append([]Diagnostic(nil), r.Diags...)
	for i, d := range diags {
		if d.Rule == "utf8" {
			diags[i].Message = utf8Offset.ReplaceAllString(d.Message, "offset N")
		}
	}
	r.Diags = diags
	return r
}

var utf8Offset = regexp.MustCompile(`offset \d+`)

// checkDocument fails on a document whose parts do not fit its body: a
// section's offsets out of order or out of the body, a line before the
// body or past the end of the file, a diagnostic without a line.
func checkDocument(t *testing.T, d *Document, diags []Diagnostic) {
	t.Helper()
	for _, g := range diags {
		if g.Line < 1 || g.Path == "" || g.Rule == "" || g.Message == "" {
			t.Fatalf("diagnostic %+v", g)
		}
	}
	if d == nil {
		return
	}
	lines := bytes.Count(d.Body, []byte("\n")) + d.BodyLine
	for _, s := range d.Sections {
		if s.Start < 0 || s.Start > s.ContentStart || s.ContentStart > s.OwnEnd || s.OwnEnd > s.End || s.End > len(d.Body) {
			t.Fatalf("section %q: offsets %d %d %d %d in a body of %d", s.ID, s.Start, s.ContentStart, s.OwnEnd, s.End, len(d.Body))
		}
		if s.ID == "" || s.Line < d.BodyLine || s.Line > lines {
			t.Fatalf("section %+v (body from line %d to %d)", s, d.BodyLine, lines)
		}
		if s.Parent != nil && s.Parent.Level >= s.Level {
			t.Fatalf("section %q of level %d has parent %q of level %d", s.ID, s.Level, s.Parent.ID, s.Parent.Level)
		}
	}
	for _, r := range d.Refs {
		if r.Line < d.BodyLine || r.Line > lines {
			t.Fatalf("ref %+v outside the body (lines %d to %d)", r, d.BodyLine, lines)
		}
	}
	for _, a := range d.Actions {
		if a.Line < d.BodyLine || a.Line > lines {
			t.Fatalf("action %+v outside the body (lines %d to %d)", a, d.BodyLine, lines)
		}
	}
}

// FuzzParse: Parse never panics; what it reads fits the body; parsing
// twice reads the same; and CR, CRLF and LF are one line ending: every
// spelling of a file's line endings reads the same, fingerprint and lines
// included. The sections rmm reads are the headings the site renders.
func FuzzParse(f *testing.F) {
	f.Add([]byte(meaningDoc))
	f.Add([]byte(fullDoc))
	f.Add([]byte(fpBase))
	f.Add([]byte("---\rid: X\rkind: note\rtitle: !!binary SGk=\r---\r## A\r- [ ] x (@a@b.c, due 2026-01-01)\r"))
	f.Add([]byte("---\r\nid: X\r\ntitle: 0x1F\r\n<<: {a: b}\r\n---\r\n\r\n# T {#t .required after=x}\r\n\r\n[[AB-1]]\r\n"))
	f.Add([]byte("no front matter\n===\n\n## Sub\n\n> - > - [ ] deep\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		d, diags := Parse("f/x.md", data)
		checkDocument(t, d, diags)
		want := readOf(d, diags)
		if again := readOf(Parse("f/x.md", data)); !reflect.DeepEqual(again, want) {
			t.Fatalf("parsed twice:\n%+v\n%+v", again, want)
		}
		// An invalid UTF-8 byte's message names its offset in the file,
		// which the line endings move; its line stays.
		want = sameOffsets(want)
		norm := NormaliseLineEndings(data)
		for name, v := range map[string][]byte{
			"LF":   norm,
			"CRLF": bytes.ReplaceAll(norm, []byte("\n"), []byte("\r\n")),
			"CR":   bytes.ReplaceAll(norm, []byte("\n"), []byte("\r")),
		} {
			if got := sameOffsets(readOf(Parse("f/x.md", v))); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s line endings read as\n%+v\nnot as\n%+v", name, got, want)
			}
		}
		if d == nil {
			return
		}
		var ids []string
		root := ParseMarkdown(d.Body)
		for n := root.FirstChild(); n != nil; n = n.NextSibling() {
			if h, ok := n.(*ast.Heading); ok {
				id, _ := h.AttributeString("id")
				ids = append(ids, attrString(id))
			}
		}
		var got []string
		for _, s := range d.Sections {
			got = append(got, s.ID)
		}
		if strings.Join(got, "\n") != strings.Join(ids, "\n") {
			t.Fatalf("sections %q, the site's headings %q", got, ids)
		}
	})
}

// FuzzSectionAttributes: whatever a heading's attributes, Parse reads one
// section with an id, the attributes other than id and class in Attrs
// and the classes as words; the heading stays where it is written.
func FuzzSectionAttributes(f *testing.F) {
	for _, a := range []string{"#contain .required", "#x .add after=contain", ".suppress", `after="überblick" .add`,
		`style="x" onclick=y`, "#a #b .c.d", `class="a b" .c`, "#", ".", "=", `a="\"}`, "#x {#y}", "data-x=1 y=2.5 z=true"} {
		f.Add("Title", a)
	}
	f.Fuzz(func(t *testing.T, title, attrs string) {
		if strings.ContainsAny(title+attrs, "\r\n") || !utf8.ValidString(title) || !utf8.ValidString(attrs) || len(title)+len(attrs) > 4096 {
			return
		}
		src := "---\nid: S\nkind: standard\ntitle: S\n---\n\nIntro.\n\n## " + title + " {" + attrs + "}\n\nBody.\n"
		d, diags := Parse("s.md", []byte(src))
		checkDocument(t, d, diags)
		if d == nil {
			t.Fatalf("no document: %v", diags)
		}
		for _, s := range d.Sections {
			if s.Line != 9 || s.Level != 2 {
				t.Fatalf("section %+v: want a level 2 heading on line 9", s)
			}
			for _, c := range s.Classes {
				if c == "" || strings.ContainsAny(c, " \t") {
					t.Fatalf("class %q", c)
				}
			}
			if _, ok := s.Attrs["id"]; ok {
				t.Fatalf("attrs hold the id: %v", s.Attrs)
			}
			if _, ok := s.Attrs["class"]; ok {
				t.Fatalf("attrs hold the class: %v", s.Attrs)
			}
			if !strings.HasPrefix(string(d.Body[s.Start:]), "## ") {
				t.Fatalf("section %q starts at %q", s.ID, d.Body[s.Start:])
			}
		}
	})
}

// FuzzWikiLink: every `[[ID]]` rmm reads is a valid id, written at its
// offset and line as `[[ID]]`; nothing else is one.
func FuzzWikiLink(f *testing.F) {
	for _, s := range []string{"[[IMC-POL]]", "[[imc]]", "[[A-]]", "[[A]] [[B-1]]", "[[[A]]]", "[[A\nB]]", "`[[A]]`",
		"[x]([[A]])", "[[A]](b)", "\\[[A]]", "[[A]]]]", "![[A]]", "[[Ü]]", "> [[A]]\n- [[B]]", "| [[A]] |\n|-|\n| [[B]] |"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 1<<14 {
			return
		}
		src := "---\nid: W\nkind: note\ntitle: W\n---\n" + body
		d, diags := Parse("w.md", []byte(src))
		checkDocument(t, d, diags)
		if d == nil {
			return
		}
		lines := newLineIndex(d.Body)
		var wikis []Ref
		for _, r := range d.Refs {
			if r.ID != "" {
				wikis = append(wikis, r)
			}
		}
		n := 0
		_ = ast.Walk(ParseMarkdown(d.Body), func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			w, ok := c.(*WikiLink)
			if !entering || !ok {
				return ast.WalkContinue, nil
			}
			if !IDPattern.MatchString(w.Target) {
				t.Fatalf("[[%s]] is not an id", w.Target)
			}
			if want := "[[" + w.Target + "]]"; !bytes.HasPrefix(d.Body[w.Offset:], []byte(want)) {
				t.Fatalf("[[%s]] at offset %d reads %q", w.Target, w.Offset, d.Body[w.Offset:min(len(d.Body), w.Offset+len(want))])
			}
			line := d.BodyLine - 1 + lines.line(w.Offset)
			if n >= len(wikis) || wikis[n].ID != w.Target || wikis[n].Line != line {
				t.Fatalf("the site renders [[%s]] on line %d as the %d. [[ID]]; rmm read %+v", w.Target, line, n+1, wikis)
			}
			n++
			return ast.WalkContinue, nil
		})
		if len(wikis) != n {
			t.Fatalf("%d [[ID]] read, the site renders %d", len(wikis), n)
		}
	})
}
