package tailor

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
)

const newHead = "89abcdef0123456789abcdef0123456789abcdef"

// TestSetBaseChangesOnlyBase checks, byte for byte, that confirming moves
// the value of base: and nothing else: not the key's spelling, the quotes,
// a comment, the line endings, the other keys or the body.
func TestSetBaseChangesOnlyBase(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain",
			"---\nid: P\nkind: process\ntailors: S\nunit: ops\nbase: 0123456\ntitle: x   \n---\nBody  \n\n## A {#a .extend}\n",
			"---\nid: P\nkind: process\ntailors: S\nunit: ops\nbase: " + newHead + "\ntitle: x   \n---\nBody  \n\n## A {#a .extend}\n"},
		{"double quotes and a comment",
			"---\nid: P\nkind: process\ntailors: S\nbase:   \"0123456\"   # reviewed by ops\n---\n",
			"---\nid: P\nkind: process\ntailors: S\nbase:   \"" + newHead + "\"   # reviewed by ops\n---\n"},
		{"single quotes",
			"---\nid: P\nkind: process\ntailors: S\nbase: '@03-continuity'\n---\n",
			"---\nid: P\nkind: process\ntailors: S\nbase: '" + newHead + "'\n---\n"},
		{"CRLF line endings and a bare comment",
			"---\r\nid: P\r\nkind: process\r\ntailors: S\r\nbase: 0123456 # old\r\nunit: ops\r\n---\r\nBody\r\n",
			"---\r\nid: P\r\nkind: process\r\ntailors: S\r\nbase: " + newHead + " # old\r\nunit: ops\r\n---\r\nBody\r\n"},
		{"empty value",
			"---\nid: P\nkind: process\ntailors: S\nbase:\nunit: ops\n---\n",
			"---\nid: P\nkind: process\ntailors: S\nbase: " + newHead + "\nunit: ops\n---\n"},
		{"no base line: one is added before the closing line",
			"---\nid: P\nkind: process\ntailors: S\n---\nbase: not this one\n",
			"---\nid: P\nkind: process\ntailors: S\nbase: " + newHead + "\n---\nbase: not this one\n"},
		{"base in the body is not touched",
			"---\nid: P\nbase: 0123456\nkind: process\ntailors: S\n---\nbase: 0123456\n",
			"---\nid: P\nbase: " + newHead + "\nkind: process\ntailors: S\n---\nbase: 0123456\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, diags := doc.Parse("p.md", []byte(tc.in))
			if d == nil {
				t.Fatal(diags)
			}
			out, old, err := SetBase([]byte(tc.in), d, newHead)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", out, tc.want)
			}
			if old != d.Base {
				t.Errorf("old base %q, want %q", old, d.Base)
			}
			// The result parses to the same document but for base.
			d2, _ := doc.Parse("p.md", out)
			if d2 == nil || d2.Base != newHead || d2.ID != d.ID || d2.Tailors != d.Tailors || !bytes.Equal(d2.Body, d.Body) {
				t.Errorf("reparsed: %+v", d2)
			}
		})
	}
}

func TestSetBaseRefusesWhatItCannotEditInPlace(t *testing.T) {
	in := "---\nid: P\nkind: process\ntailors: S\nbase: |\n  0123456\n---\n"
	d, _ := doc.Parse("p.md", []byte(in))
	if d == nil {
		t.Fatal("parse")
	}
	if _, _, err := SetBase([]byte(in), d, newHead); err == nil || !strings.Contains(err.Error(), "one line") {
		t.Fatalf("err = %v, want a refusal", err)
	}
}
