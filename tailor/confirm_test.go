package tailor

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/store"
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
			"---\r\nid: P\r\nkind: process\r\ntailors: S\r\nbase: 0a1b2c3 # old\r\nunit: ops\r\n---\r\nBody\r\n",
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

func TestSetBaseBlockScalarAndRefusals(t *testing.T) {
	in := "---\nid: P\nkind: process\ntailors: S\nbase: |\n  0123456\nunit: ops\n---\n"
	d, _ := doc.Parse("p.md", []byte(in))
	if d == nil {
		t.Fatal("parse")
	}
	out, _, err := SetBase([]byte(in), d, newHead)
	if err != nil || string(out) != "---\nid: P\nkind: process\ntailors: S\nbase: "+newHead+"\nunit: ops\n---\n" {
		t.Fatalf("got %q, %v", out, err)
	}
	in = "---\nid: P\nkind: process\ntailors: S\nbase: [a, b]\n---\n"
	d, _ = doc.Parse("p.md", []byte(in))
	if _, _, err := SetBase([]byte(in), d, newHead); !errors.Is(err, doc.ErrCannotEdit) || !strings.Contains(err.Error(), "p.md:5: base holds a list") {
		t.Fatalf("err = %v, want a refusal naming the line", err)
	}
}

const process = "---\nid: RESP-OPS\nkind: process\ntailors: RESP-STD\nunit: ops\nbase: 0a1b2c3 # old\n---\n\nBody.\n"

// TestConfirm: the file is read again under its lock, so an edit made
// after rmm read it is kept; a file that is no longer the process is
// refused; a held lock gives ErrBusy; nothing to do changes nothing.
func TestConfirm(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "processes", "ops", "response.md")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(process), 0o600); err != nil {
		t.Fatal(err)
	}
	p, _ := doc.Parse("processes/ops/response.md", []byte(process))
	edited := strings.Replace(process, "Body.", "Body, edited meanwhile.", 1)
	if err := os.WriteFile(file, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	old, changed, err := Confirm(dir, p, newHead)
	if err != nil || old != "0a1b2c3" || !changed {
		t.Fatalf("confirm: %q %v %v", old, changed, err)
	}
	got, _ := os.ReadFile(file)
	if want := strings.Replace(edited, "0a1b2c3", newHead, 1); string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if _, changed, err := Confirm(dir, p, newHead); err != nil || changed {
		t.Fatalf("again: %v %v", changed, err)
	}

	defer func(w time.Duration) { store.LockWait = w }(store.LockWait)
	store.LockWait = 20 * time.Millisecond
	if err := os.WriteFile(file+".lock", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Confirm(dir, p, "fedcba9876543210fedcba9876543210fedcba98"); !errors.Is(err, store.ErrBusy) || !strings.Contains(err.Error(), "response.md.lock") {
		t.Fatalf("busy: %v", err)
	}
	os.Remove(file + ".lock")

	if err := os.WriteFile(file, []byte(strings.Replace(process, "RESP-OPS", "OTHER", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Confirm(dir, p, newHead); !errors.Is(err, ErrNotDefined) {
		t.Fatalf("not the process: %v", err)
	}
}

// TestScaffold: titles, owners and units are written by the YAML library,
// whatever they hold, and read back as given.
func TestScaffold(t *testing.T) {
	std, _ := doc.Parse("standards/response.md", []byte("---\nid: RESP-STD\nkind: standard\ntitle: \"Incident response: #1 -->\"\nowner: a@example.org\nprocess_area: IMC\n---\n\n## Scope --> {#scope .required}\n\nScope.\n"))
	out, err := Scaffold(std, "RESP-YES", "yes", "o'neil@example.org", "0123456789012345678901234567890123456789")
	if err != nil {
		t.Fatal(err)
	}
	d, diags := doc.Parse("processes/yes/response.md", out)
	if d == nil || doc.HasErrors(diags) {
		t.Fatalf("%v\n%s", diags, out)
	}
	if d.Title != "Incident response: #1 --> (yes)" || d.Unit != "yes" || d.Owner != "o'neil@example.org" || d.Base != "0123456789012345678901234567890123456789" || d.Status != "draft" || d.ProcessArea != "IMC" {
		t.Fatalf("read back %+v\n%s", d, out)
	}
	if !strings.HasPrefix(string(out), "---\nid: RESP-YES\nkind: process\ntitle: 'Incident response: #1 --> (yes)'\nowner: o'neil@example.org\nstatus: draft\nprocess_area: IMC\nunit: \"yes\"\ntailors: RESP-STD\nbase: \"0123456789012345678901234567890123456789\"\n---\n\n<!--\n") {
		t.Fatalf("got\n%s", out)
	}
	if !strings.Contains(string(out), "\n  scope  Scope - ->  (required)\n") || len(d.Sections) != 0 {
		t.Fatalf("the comment:\n%s", out)
	}
	if _, err := Scaffold(std, "RESP-OPS", "ops", "owner example.org", "0123456"); err == nil {
		t.Fatal("a bad owner was written")
	}
}
