package doc

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// loadTitle loads root with prev and returns the library and the title of
// policies/a.md.
func loadTitle(t *testing.T, root string, prev *Library) (*Library, string) {
	t.Helper()
	lib, err := Load(os.DirFS(root), LoadOptions{Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	d := lib.ByPath["policies/a.md"]
	if d == nil {
		t.Fatalf("policies/a.md not loaded: %v", lib.Diags)
	}
	return lib, d.Title
}

// rewriteSameStat replaces p's bytes with content of the same size and
// puts its modification time back, as a tool that preserves times would.
func rewriteSameStat(t *testing.T, p, content string) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(content)) != fi.Size() {
		t.Fatalf("test bug: %d bytes for a file of %d", len(content), fi.Size())
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if fi2, _ := os.Stat(p); !fi2.ModTime().Equal(fi.ModTime()) || fi2.Size() != fi.Size() {
		t.Fatal("test bug: size or time differ")
	}
}

// An edit that keeps the file's size and modification time, made right
// after the previous load (within the racy window), is still seen.
func TestLoadPreviousSeesRacyEdit(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"rmm.yaml":      "organization: X\n",
		"policies/a.md": "---\nid: A\nkind: policy\ntitle: One\n---\nBody.\n",
		"policies/b.md": "---\nid: B\nkind: policy\ntitle: B\n---\n",
	})
	lib, title := loadTitle(t, root, nil)
	if title != "One" {
		t.Fatalf("title %q", title)
	}
	rewriteSameStat(t, filepath.Join(root, "policies/a.md"), "---\nid: A\nkind: policy\ntitle: Two\n---\nBody.\n")
	lib2, title := loadTitle(t, root, lib)
	if title != "Two" {
		t.Errorf("after an edit keeping size and mtime: title %q, want Two", title)
	}
	if lib2.ByPath["policies/b.md"] != lib.ByPath["policies/b.md"] {
		t.Error("an unchanged document was parsed again")
	}
}

// Files older than the previous load are not read again when their stat
// is unchanged; an edit that puts the modification time back still
// changes the file's change time, so it is read.
func TestLoadPreviousSeesEditWithTimeRestored(t *testing.T) {
	old := racyWindow
	racyWindow = 0
	t.Cleanup(func() { racyWindow = old })
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"rmm.yaml":      "organization: X\n",
		"policies/a.md": "---\nid: A\nkind: policy\ntitle: One\n---\nBody.\n",
		"policies/b.md": "---\nid: B\nkind: policy\ntitle: B\n---\n",
	})
	hour := time.Now().Add(-time.Hour)
	for _, p := range []string{"policies/a.md", "policies/b.md"} {
		if err := os.Chtimes(filepath.Join(root, p), hour, hour); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond) // change times now older than the load
	lib, _ := loadTitle(t, root, nil)
	if lib.stamps["policies/b.md"] == (stamp{}) {
		t.Skip("no change times on this system")
	}
	time.Sleep(20 * time.Millisecond)
	rewriteSameStat(t, filepath.Join(root, "policies/a.md"), "---\nid: A\nkind: policy\ntitle: Two\n---\nBody.\n")
	lib2, title := loadTitle(t, root, lib)
	if title != "Two" {
		t.Errorf("after an edit keeping size and mtime: title %q, want Two", title)
	}
	if lib2.ByPath["policies/b.md"] != lib.ByPath["policies/b.md"] {
		t.Error("an unchanged document was parsed again")
	}
	// Same again once the edited file is older than the load.
	time.Sleep(20 * time.Millisecond)
	b := filepath.Join(root, "policies/b.md")
	if err := os.WriteFile(b, []byte("---\nid: B\nkind: policy\ntitle: C\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(b, hour, hour); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(b); fi.Size() != int64(len("---\nid: B\nkind: policy\ntitle: B\n---\n")) {
		t.Fatal("test bug: size changed")
	}
	lib3, _ := loadTitle(t, root, lib2)
	if got := lib3.ByPath["policies/b.md"].Title; got != "C" {
		t.Errorf("b.md after an edit with its time put back: title %q, want C", got)
	}
}
