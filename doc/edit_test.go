package doc

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const editBody = "\n# Title\n\nstatus: not this one   \n"

// TestSetValue checks, byte for byte, that SetValue changes the value of
// one key and nothing else, whatever way the old value was written.
func TestSetValue(t *testing.T) {
	tests := []struct {
		name, key, value, in, want string
	}{
		{"plain, comment kept", "status", "approved",
			"id: A\nstatus: draft   # set by rmm\nkind: policy\n",
			"id: A\nstatus: approved   # set by rmm\nkind: policy\n"},
		{"empty value", "status", "approved",
			"id: A\nstatus:\nkind: policy\n",
			"id: A\nstatus: approved\nkind: policy\n"},
		{"empty value, last key", "status", "approved",
			"id: A\nstatus:\n",
			"id: A\nstatus: approved\n"},
		{"commented value", "status", "approved",
			"id: A\nstatus: # tbd\nkind: policy\n",
			"id: A\nstatus: approved # tbd\nkind: policy\n"},
		{"null", "status", "approved",
			"id: A\nstatus: ~\nkind: policy\n",
			"id: A\nstatus: approved\nkind: policy\n"},
		{"null word with comment", "status", "approved",
			"id: A\nstatus: null # later\n",
			"id: A\nstatus: approved # later\n"},
		{"tagged null", "status", "approved",
			"id: A\nstatus: !!null\n",
			"id: A\nstatus: approved\n"},
		{"folded block scalar", "status", "approved",
			"id: A\nstatus: >-\n  draft\nkind: policy\n",
			"id: A\nstatus: approved\nkind: policy\n"},
		{"literal block scalar over lines, comment after", "status", "approved",
			"id: A\nstatus: |  # why\n  draft\n\n  more\n# after\nkind: policy\n",
			"id: A\nstatus: approved  # why\n# after\nkind: policy\n"},
		{"block scalar with indentation indicator", "base", "abc",
			"id: A\nbase: |2-\n    x\n  y\nkind: policy\n",
			"id: A\nbase: abc\nkind: policy\n"},
		{"single quotes kept", "status", "approved",
			"id: A\nstatus: 'review'\n",
			"id: A\nstatus: 'approved'\n"},
		{"double quotes kept", "base", "89abcdef",
			"id: A\nbase:   \"0123456\"   # reviewed\n",
			"id: A\nbase:   \"89abcdef\"   # reviewed\n"},
		{"tag dropped", "status", "approved",
			"id: A\nstatus: !!str draft\n",
			"id: A\nstatus: approved\n"},
		{"plain over two lines", "title", "New",
			"id: A\ntitle: a long\n  title, continued # c\nkind: policy\n",
			"id: A\ntitle: New # c\nkind: policy\n"},
		{"double-quoted over two lines", "title", "New",
			"id: A\ntitle: \"a long\n  title\"\nkind: policy\n",
			"id: A\ntitle: \"New\"\nkind: policy\n"},
		{"value on the next line", "status", "approved",
			"id: A\nstatus:\n  draft\nkind: policy\n",
			"id: A\nstatus:\n  approved\nkind: policy\n"},
		{"quoted key", "status", "approved",
			"id: A\n\"status\": draft\n",
			"id: A\n\"status\": approved\n"},
		{"absent: added at the end", "status", "approved",
			"# head\nid: A\nkind: policy\n# foot\n",
			"# head\nid: A\nkind: policy\n# foot\nstatus: approved\n"},
		{"absent: added before approvals", "status", "approved",
			"id: A\napprovals:\n  - {by: a@x.org, role: owner, date: \"2026-01-01T00:00:00Z\", fingerprint: f}\n",
			"id: A\nstatus: approved\napprovals:\n  - {by: a@x.org, role: owner, date: \"2026-01-01T00:00:00Z\", fingerprint: f}\n"},
		{"absent, indented front matter", "status", "approved",
			"  id: A\n  kind: policy\n",
			"  id: A\n  kind: policy\n  status: approved\n"},
		{"a value with ': '", "title", "A: policy", "id: A\ntitle: x\n", "id: A\ntitle: 'A: policy'\n"},
		{"a value with ' #'", "title", "A #1", "id: A\ntitle: x\n", "id: A\ntitle: 'A #1'\n"},
		{"a leading #", "title", "#1", "id: A\ntitle: x\n", "id: A\ntitle: '#1'\n"},
		{"a leading *", "title", "*bold", "id: A\ntitle: x\n", "id: A\ntitle: '*bold'\n"},
		{"a leading &", "title", "&x", "id: A\ntitle: x\n", "id: A\ntitle: '&x'\n"},
		{"yes", "title", "yes", "id: A\ntitle: x\n", "id: A\ntitle: \"yes\"\n"},
		{"a number", "base", "0123456789", "id: A\nbase: x\n", "id: A\nbase: \"0123456789\"\n"},
		{"a date", "title", "2026-01-01", "id: A\ntitle: x\n", "id: A\ntitle: \"2026-01-01\"\n"},
		{"empty string", "title", "", "id: A\ntitle: x\n", "id: A\ntitle: \"\"\n"},
		{"unicode", "title", "Ä policy — ü", "id: A\ntitle: x\n", "id: A\ntitle: Ä policy — ü\n"},
		{"a line break", "title", "two\nlines", "id: A\ntitle: x # c\n", "id: A\ntitle: \"two\\nlines\" # c\n"},
		{"a quote in single quotes", "title", "it's", "id: A\ntitle: 'x'\n", "id: A\ntitle: 'it''s'\n"},
		{"leading space", "title", " x", "id: A\ntitle: x\n", "id: A\ntitle: ' x'\n"},
		{"flow lists of other keys kept", "status", "approved",
			"tags: [a,   b]   # t\nid: A\nstatus: draft\nstakeholders:\n- {who: s@x.org, role: CISO, involvement: approve}\n",
			"tags: [a,   b]   # t\nid: A\nstatus: approved\nstakeholders:\n- {who: s@x.org, role: CISO, involvement: approve}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, crlf := range []bool{false, true} {
				in := "---\n" + tc.in + "---" + editBody
				want := "---\n" + tc.want + "---" + editBody
				if crlf {
					in, want = strings.ReplaceAll(in, "\n", "\r\n"), strings.ReplaceAll(want, "\n", "\r\n")
					if strings.Contains(tc.value, "\n") {
						want = strings.ReplaceAll(want, `\r\n`, `\n`)
					}
				}
				out, err := SetValue("p.md", []byte(in), tc.key, tc.value)
				if err != nil {
					t.Fatalf("crlf %v: %v", crlf, err)
				}
				if string(out) != want {
					t.Errorf("crlf %v: got\n%q\nwant\n%q", crlf, out, want)
				}
				d, _ := Parse("p.md", out)
				if d == nil || d.Front[tc.key] != tc.value {
					t.Errorf("reads back as %v", d.Front[tc.key])
				}
			}
		})
	}
}

func TestSetValueBOMAndFingerprint(t *testing.T) {
	in := "\ufeff---\nid: A\nkind: policy\ntitle: A\nowner: o@x.org\n---\nNo newline"
	out, err := SetValue("p.md", []byte(in), "status", "approved")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\ufeff---\nid: A\nkind: policy\ntitle: A\nowner: o@x.org\nstatus: approved\n---\nNo newline"; string(out) != want {
		t.Fatalf("got %q", out)
	}
	a, _ := Parse("p.md", []byte(in))
	b, _ := Parse("p.md", out)
	if a.Fingerprint != b.Fingerprint {
		t.Fatal("the fingerprint changed")
	}
}

// TestEditRefuses checks that what the editor cannot change in place is
// refused with the file and line, and ErrCannotEdit.
func TestEditRefuses(t *testing.T) {
	tests := []struct {
		name, in, key string
		appendTo      bool
		msg           string
	}{
		{"a list where a value is wanted", "id: A\nstatus: [a]\n", "status", false, "p.md:3: status holds a list, not a single value"},
		{"a mapping where a value is wanted", "id: A\nstatus:\n  a: b\n", "status", false, "p.md:4: status holds a mapping"},
		{"an alias", "id: &x A\nstatus: *x\n", "status", false, "p.md:3: status is an alias (*x)"},
		{"an anchor", "id: A\nstatus: &s draft\n", "status", false, "p.md:3: status carries the anchor &s"},
		{"a value where a list is wanted", "id: A\napprovals: yes\n", "approvals", true, "p.md:3: approvals must be a list to append to, not the value \"yes\""},
		{"a mapping where a list is wanted", "id: A\napprovals: {a: b}\n", "approvals", true, "p.md:3: approvals must be a list to append to, not a mapping"},
		{"a flow mapping as front matter", "{id: A, status: draft}\n", "status", false, "p.md:2: cannot edit the front matter in place: the front matter is one flow mapping"},
		{"broken YAML", "id: [A\n", "status", false, "p.md:2: error: invalid YAML"},
		{"a key twice", "id: A\nid: B\n", "status", false, "p.md"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte("---\n" + tc.in + "---\nBody\n")
			var err error
			if tc.appendTo {
				_, err = AppendItem("p.md", in, tc.key, "x")
			} else {
				_, err = SetValue("p.md", in, tc.key, "x")
			}
			if !errors.Is(err, ErrCannotEdit) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want ErrCannotEdit with %q", err, tc.msg)
			}
		})
	}
	if _, err := SetValue("n.md", []byte("# A note\n"), "status", "x"); !errors.Is(err, ErrCannotEdit) {
		t.Fatalf("a note: %v", err)
	}
	in := []byte("---\nid: A\n---\n")
	if _, err := SetValue("p.md", in, "title", "bad \xff"); !errors.Is(err, ErrCannotEdit) {
		t.Fatalf("invalid UTF-8 value: %v", err)
	}
	if _, err := AppendItem("p.md", in, "approvals", testItem{By: "a@x.org", Role: "bad \xff"}); !errors.Is(err, ErrCannotEdit) {
		t.Fatalf("invalid UTF-8 item: %v", err)
	}
	if _, err := NewFrontMatter(Field{"title", "bad \xff"}); !errors.Is(err, ErrCannotEdit) {
		t.Fatalf("invalid UTF-8 field: %v", err)
	}
}

type testItem struct {
	By      string `yaml:"by"`
	Role    string `yaml:"role"`
	Meaning string `yaml:"meaning,omitempty"`
}

// TestAppendItem checks appending to every shape a list key can have.
func TestAppendItem(t *testing.T) {
	it := testItem{By: "dana@example.org", Role: "manager"}
	tests := []struct {
		name string
		item any
		in   string
		want string
	}{
		{"absent", it,
			"id: A\nkind: policy\n",
			"id: A\nkind: policy\napprovals:\n  - by: dana@example.org\n    role: manager\n"},
		{"empty", it,
			"id: A\napprovals:\nkind: policy\n",
			"id: A\napprovals:\n  - by: dana@example.org\n    role: manager\nkind: policy\n"},
		{"null with comment", it,
			"id: A\napprovals: ~ # later\nkind: policy\n",
			"id: A\napprovals: # later\n  - by: dana@example.org\n    role: manager\nkind: policy\n"},
		{"comment only", it,
			"id: A\napprovals: # none yet\n",
			"id: A\napprovals: # none yet\n  - by: dana@example.org\n    role: manager\n"},
		{"empty flow list", it,
			"id: A\napprovals: [] # none yet\n",
			"id: A\napprovals: [{by: dana@example.org, role: manager}] # none yet\n"},
		{"empty flow list with spaces", "x",
			"id: A\ntags: [ ]\n",
			"id: A\ntags: [ x]\n"},
		{"flow list", "c, d",
			"id: A\ntags: [a, \"b]\"]\n",
			"id: A\ntags: [a, \"b]\", 'c, d']\n"},
		{"flow list with a trailing comma", "c",
			"id: A\ntags: [a, b, ]\n",
			"id: A\ntags: [a, b, c ]\n"},
		{"flow list over lines with a comment", "c",
			"id: A\ntags: [a, # first\n  b # second\n  ]\nkind: x\n",
			"id: A\ntags: [a, # first\n  b, c # second\n  ]\nkind: x\n"},
		{"flow list with a quote in a plain word", "c",
			"id: A\ntags: [it's, b]\n",
			"id: A\ntags: [it's, b, c]\n"},
		{"block list at the key's indentation", it,
			"id: A\napprovals:\n- by: olga@example.org\n  role: owner\n# after the list\nkind: policy\n",
			"id: A\napprovals:\n- by: olga@example.org\n  role: owner\n- by: dana@example.org\n  role: manager\n# after the list\nkind: policy\n"},
		{"block list indented by four", it,
			"id: A\napprovals:\n    -   by: olga@example.org\n        role: owner\n",
			"id: A\napprovals:\n    -   by: olga@example.org\n        role: owner\n    - by: dana@example.org\n      role: manager\n"},
		{"block list ending in a block scalar", "z",
			"id: A\ntags:\n  - |\n    x\n\n    y\n\nkind: policy\n",
			"id: A\ntags:\n  - |\n    x\n\n    y\n  - z\n\nkind: policy\n"},
		{"block list ending in a multi-line plain", "z",
			"id: A\ntags:\n  - x\n    y\nkind: policy\n",
			"id: A\ntags:\n  - x\n    y\n  - z\nkind: policy\n"},
		{"block list ending in an empty value", testItem{By: "b@x.org", Role: "r"},
			"id: A\napprovals:\n  - by: a@x.org\n    role:\nkind: policy\n",
			"id: A\napprovals:\n  - by: a@x.org\n    role:\n  - by: b@x.org\n    role: r\nkind: policy\n"},
		{"block list of flow items", "z",
			"id: A\ntags:\n  - [x, y]\nkind: policy\n",
			"id: A\ntags:\n  - [x, y]\n  - z\nkind: policy\n"},
		{"values quoted by the library", testItem{By: "yes", Role: "a: b", Meaning: "two\nlines"},
			"id: A\n",
			"id: A\napprovals:\n  - by: \"yes\"\n    role: 'a: b'\n    meaning: \"two\\nlines\"\n"},
		{"values quoted in flow", testItem{By: "a, b", Role: "[x]", Meaning: "ü"},
			"id: A\napprovals: []\n",
			"id: A\napprovals: [{by: 'a, b', role: '[x]', meaning: ü}]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, crlf := range []bool{false, true} {
				in := "---\n" + tc.in + "---" + editBody
				want := "---\n" + tc.want + "---" + editBody
				if crlf {
					in, want = strings.ReplaceAll(in, "\n", "\r\n"), strings.ReplaceAll(want, "\n", "\r\n")
					want = strings.ReplaceAll(want, `two\r\nlines`, `two\nlines`)
				}
				key := "approvals"
				if _, ok := tc.item.(string); ok {
					key = "tags"
				}
				out, err := AppendItem("p.md", []byte(in), key, tc.item)
				if err != nil {
					t.Fatalf("crlf %v: %v", crlf, err)
				}
				if string(out) != want {
					t.Errorf("crlf %v: got\n%q\nwant\n%q", crlf, out, want)
				}
			}
		})
	}
}

func TestAppendItemReadsBack(t *testing.T) {
	in := []byte("---\nid: A\ntags: [a]\n---\n")
	out, err := AppendItem("p.md", in, "tags", "b")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := Parse("p.md", out)
	if !reflect.DeepEqual(d.Tags, []string{"a", "b"}) {
		t.Fatalf("tags %v", d.Tags)
	}
}

func TestNewFrontMatter(t *testing.T) {
	out, err := NewFrontMatter(
		Field{"id", "IMC-OPS"}, Field{"kind", "process"},
		Field{"title", "Incident: response #1 (ops)"}, Field{"owner", "a@example.org"},
		Field{"unit", "yes"}, Field{"base", "0123456789012345678901234567890123456789"},
		Field{"note", "two\nlines"}, Field{"tags", []string{"a", "b, c"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "---\nid: IMC-OPS\nkind: process\ntitle: 'Incident: response #1 (ops)'\nowner: a@example.org\nunit: \"yes\"\n" +
		"base: \"0123456789012345678901234567890123456789\"\nnote: \"two\\nlines\"\ntags:\n  - a\n  - b, c\n---\n"
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	if _, err := NewFrontMatter(Field{"id", "A"}, Field{"id", "B"}); !errors.Is(err, ErrEditCheck) {
		t.Fatalf("a key twice: %v", err)
	}
}
