package doc

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// meaningDoc is an approved evaluation with sections, references and
// actions: every part of the body that rmm reads.
const meaningDoc = `---
id: EVAL-1
kind: evaluation
title: Evaluation
owner: erin@example.org
status: approved
evaluator: erin@example.org
date: 2026-05-08
evaluates: [IMC-PLAN]
---

Planned in [[IMC-PLAN]].

## Findings

1. **Nonconformity.** Late reports.

Setext heading
--------------

## Corrective actions

- [x] Add due dates (@alice@example.org, due 2026-05-15)
- [ ] Add a field (@alice@example.org, due 2026-06-30)
- [ ] Agree a time limit (@alice@example.org, due 2026-06-26)
`

// meaning is what rmm reads from a document, without the bytes.
type meaning struct {
	ID, Title, Date, Fingerprint string
	FrontEnd, BodyLine           int
	Lines                        map[string]int
	Sections                     []string
	Refs                         []Ref
	Actions                      []Action
}

func meaningOf(t *testing.T, src string) meaning {
	t.Helper()
	d, diags := Parse("evaluations/e.md", []byte(src))
	if d == nil || len(diags) != 0 {
		t.Fatalf("Parse: %v", diags)
	}
	m := meaning{ID: d.ID, Title: d.Title, Date: d.Date, Fingerprint: d.Fingerprint,
		FrontEnd: d.FrontEnd, BodyLine: d.BodyLine, Lines: d.Lines, Refs: d.Refs, Actions: d.Actions}
	for _, s := range d.Sections {
		m.Sections = append(m.Sections, fmt.Sprintf("%s %q level %d line %d", s.ID, s.Title, s.Level, s.Line))
	}
	return m
}

// TestLineEndingsHaveOneMeaning is issue 9's reproduction: a lone CR was a
// line ending to the fingerprint and not to goldmark, so `\r- [ ]` kept an
// approval current while the actions vanished, and `\r## ` turned a
// heading into text. Now CR, CRLF and LF are one line ending to the
// parser, the fingerprint and line numbers alike.
func TestLineEndingsHaveOneMeaning(t *testing.T) {
	want := meaningOf(t, meaningDoc)
	if len(want.Actions) != 3 || len(want.Sections) != 3 || len(want.Refs) != 1 {
		t.Fatalf("the LF document reads as %+v", want)
	}
	for name, src := range map[string]string{
		"CRLF":              strings.ReplaceAll(meaningDoc, "\n", "\r\n"),
		"CR":                strings.ReplaceAll(meaningDoc, "\n", "\r"),
		"CR before actions": strings.ReplaceAll(meaningDoc, "\n- [", "\r- ["),
		"CR before heading": strings.ReplaceAll(meaningDoc, "\n## ", "\r## "),
		"CR in the setext":  strings.Replace(meaningDoc, "heading\n---", "heading\r---", 1),
		"CR and CRLF mixed": strings.Replace(strings.ReplaceAll(meaningDoc, "\n\n", "\r\n\r"), "---\n", "---\r", 1),
	} {
		got := meaningOf(t, src)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: reads as\n%+v\nwant\n%+v", name, got, want)
		}
	}
}

// TestLoneCRLineNumbers: a diagnostic's line counts a lone CR as a line
// break, in the front matter and in the body.
func TestLoneCRLineNumbers(t *testing.T) {
	src := "---\rid: X\rkind: note\rtitle: [a]\r---\r\r[[Y]]\r"
	d, diags := Parse("n.md", []byte(src))
	if d == nil || len(diags) != 1 || diags[0].Line != 4 || diags[0].Rule != "type" {
		t.Fatalf("diagnostics %v, want one type error on line 4", diags)
	}
	if len(d.Refs) != 1 || d.Refs[0].Line != 7 {
		t.Errorf("refs %+v, want [[Y]] on line 7", d.Refs)
	}
	_, diags = Parse("n.md", []byte("a\rb\r\n\xff\n"))
	if len(diags) != 1 || diags[0].Rule != "utf8" || diags[0].Line != 3 {
		t.Errorf("invalid UTF-8: %v, want line 3", diags)
	}
}

// TestRawBytesKept: only what is parsed is normalised; Raw is the file.
func TestRawBytesKept(t *testing.T) {
	src := []byte(strings.ReplaceAll(meaningDoc, "\n", "\r"))
	d, _ := Parse("e.md", src)
	if &d.Raw[0] != &src[0] || len(d.Raw) != len(src) {
		t.Error("Raw is not the file's bytes")
	}
	if strings.ContainsRune(string(d.Body), '\r') {
		t.Error("Body still holds CR")
	}
	lf := []byte(meaningDoc)
	d, _ = Parse("e.md", lf)
	if len(d.Body) == 0 || &d.Body[len(d.Body)-1] != &lf[len(lf)-1] {
		t.Error("an LF file's Body is a copy, not a slice of Raw")
	}
}

// TestYAMLTagsRefused: a tag that changes what a value is (issue 9:
// `title: !!binary ...` kept the fingerprint while the page showed
// base64) is an error at its own line.
func TestYAMLTagsRefused(t *testing.T) {
	head := "---\nid: X\nkind: note\n"
	for _, c := range []struct {
		yaml string
		line int
		tag  string
	}{
		{"title: !!binary SGVsbG8=\n", 4, "!!binary"},
		{"title: T\ndate: !!timestamp 2026-01-01\n", 5, "!!timestamp"},
		{"title: !!int 12\n", 4, "!!int"},
		{"title: !foo bar\n", 4, "!foo"},
		{"title: T\ntags: [a, !!binary Yg==]\n", 5, "!!binary"},
		{"title: T\nstakeholders:\n  - who: !!binary YQ==\n    role: r\n    involvement: inform\n", 6, "!!binary"},
		{"title: T\ncustom: !<tag:yaml.org,2002:binary> YQ==\n", 5, "!!binary"},
		{"title: T\n!!binary b3duZXI=: x\n", 5, "!!binary"},
		{"title: T\nextra: !!map {a: b}\n", 5, "!!map"},
	} {
		src := head + c.yaml + "---\nBody.\n"
		d, diags := Parse("notes/x.md", []byte(src))
		if d == nil {
			t.Errorf("%q: no document: %v", c.yaml, diags)
			continue
		}
		if len(diags) != 1 || diags[0].Rule != "yaml-tag" || diags[0].Line != c.line || diags[0].Severity != Error ||
			!strings.Contains(diags[0].Message, c.tag) {
			t.Errorf("%q: diagnostics %v, want one yaml-tag error naming %s on line %d", c.yaml, diags, c.tag, c.line)
		}
	}
	// !!str only says what a plain value is anyway: the text as written.
	d := parseOK(t, "x.md", head+"title: !!str 2026\n---\n")
	if d.Title != "2026" {
		t.Errorf("title %q", d.Title)
	}
}

// TestMergeKeysRefused: `<<` adds keys the fingerprint sees and the typed
// fields do not.
func TestMergeKeysRefused(t *testing.T) {
	src := "---\nid: X\nkind: note\ndefaults: &b {owner: a@example.org}\n<<: *b\ntitle: T\n---\n"
	_, diags := Parse("x.md", []byte(src))
	if len(diags) != 1 || diags[0].Rule != "yaml-tag" || diags[0].Line != 5 {
		t.Errorf("diagnostics %v, want one yaml-tag error on line 5", diags)
	}
}

// TestPlainScalarsKeepTheirText: a key rmm reads as text takes the value
// as written, the fingerprint takes what YAML makes of it; when two
// spellings make the same number (0x1F and 31, 1e3 and 1000) the text
// could change under an approval, so such a spelling must be quoted.
func TestPlainScalarsKeepTheirText(t *testing.T) {
	head := "---\nid: X\nkind: note\n"
	for _, bad := range []string{"title: 0x1F", "title: 1e3", "title: 007", "title: 1_000", "title: True",
		"title: .5", "title: +12", "date: 2026-3-1", "date: 2026-03-31 10:00:00", "tags: [0o17]",
		"stakeholders: [{who: 1.50, role: r, involvement: inform}]"} {
		_, diags := Parse("x.md", []byte(head+bad+"\n---\n"))
		if len(diags) != 1 || diags[0].Rule != "yaml-scalar" || diags[0].Line != 4 {
			t.Errorf("%q: diagnostics %v, want one yaml-scalar error on line 4", bad, diags)
		}
	}
	for _, good := range []string{"title: 2026", "title: '0x1F'", "title: \"1e3\"", "date: 2026-05-08",
		"title: true", "title: 1.5", "title: -3", "tags: [2026, a]", "target: 0x10", "target: 1e3", "title: T\ncustom: 0x1F"} {
		if _, diags := Parse("x.md", []byte(head+good+"\n---\n")); len(diags) != 0 {
			t.Errorf("%q: %v", good, diags)
		}
	}
}
