package doc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoad(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"rmm.yaml":            "organization: X\nignore: [\"drafts/**\"]\n",
		"policies/a.md":       "---\nid: A\nkind: policy\ntitle: A\n---\nSee [[B]].\n",
		"plans/b.md":          "---\nid: B\nkind: plan\ntitle: B\n---\n",
		"plans/dup.md":        "---\ntitle: Dup\nid: A\nkind: plan\n---\n",
		"notes/a-b.md":        "a note\n",
		"notes/a_b.md":        "another note with the same path-made id\n",
		"drafts/x.md":         "---\nbroken: [\n---\n",
		"_site/page.md":       "---\nbroken: [\n---\n",
		".rmm/templates/x.md": "---\nbroken: [\n---\n",
		"bad.md":              "---\nid: [\n---\n",
		"data.csv":            "date,value\n",
		"big.md":              "---\nid: BIG\n---\n" + strings.Repeat("a", MaxFileSize),
	})
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.md": "---\nid: SECRET\nkind: note\ntitle: S\n---\n"})
	if err := os.Symlink(filepath.Join(outside, "secret.md"), filepath.Join(root, "leak.md")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if err := os.Symlink("../../"+filepath.Base(outside)+"/secret.md", filepath.Join(root, "policies", "rel-leak.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.md", filepath.Join(root, "policies", "alias.md")); err != nil {
		t.Fatal(err)
	}

	lib, err := Load(os.DirFS(root), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range lib.Diags {
		got = append(got, d.String())
	}
	want := []string{
		"bad.md:2: error: invalid YAML front matter",
		"big.md:1: error: file is 10.0 MiB, over the limit of 10 MiB [size]",
		"leak.md:1: error: symlink to " + filepath.Join(outside, "secret.md") + " leaves the repository [symlink]",
		"policies/a.md:2: error: duplicate id A: also used by plans/dup.md:3 [duplicate-id]",
		"policies/alias.md:2: error: duplicate id A: also used by plans/dup.md:3 [duplicate-id]",
		"policies/rel-leak.md:1: error: symlink to ../../",
	}
	if len(got) != len(want) {
		t.Fatalf("diagnostics:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("diagnostic %d = %q, want %q...", i, got[i], want[i])
		}
	}
	var paths []string
	for _, d := range lib.Docs {
		paths = append(paths, d.Path)
	}
	if strings.Join(paths, " ") != "notes/a-b.md notes/a_b.md plans/b.md plans/dup.md policies/a.md policies/alias.md" {
		t.Errorf("documents: %v", paths)
	}
	// Paths are read in order: the first holds the id, the others are named.
	if lib.ByID["A"].Path != "plans/dup.md" || lib.ByID["NOTES-A-B"].Path != "notes/a-b.md" || !lib.Files["data.csv"] {
		t.Errorf("ByID/Files wrong")
	}
	if lib.Resolve(lib.ByPath["policies/a.md"].Refs[0]) != lib.ByID["B"] {
		t.Errorf("[[B]] does not resolve")
	}
}

func TestLoadWithoutConfig(t *testing.T) {
	if _, err := Load(os.DirFS(t.TempDir()), LoadOptions{}); err != ErrNoConfig {
		t.Errorf("err = %v, want ErrNoConfig", err)
	}
}

func TestLoadReusesUnchangedDocuments(t *testing.T) {
	fsys := fstest.MapFS{
		"rmm.yaml": {Data: []byte("organization: X\n")},
		"a.md":     {Data: []byte("---\nid: A\nkind: note\ntitle: A\n---\nbody [[B]]\n")},
		"b.md":     {Data: []byte("---\nid: B\nkind: note\ntitle: B\nstatus: bogus: x\n---\n")},
		"c.md":     {Data: []byte("---\nid: C\nkind: note\ntitle: C\ntags: {a: 1}\n---\n")},
	}
	first, err := Load(fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fsys["b.md"] = &fstest.MapFile{Data: []byte("---\nid: B\nkind: note\ntitle: B2\n---\n")}
	second, err := Load(fsys, LoadOptions{Previous: first})
	if err != nil {
		t.Fatal(err)
	}
	if second.ByPath["a.md"] != first.ByPath["a.md"] {
		t.Error("unchanged a.md was parsed again")
	}
	if second.ByID["B"] == nil || second.ByID["B"].Title != "B2" {
		t.Errorf("changed b.md was not read again: %+v", second.ByID["B"])
	}
	// The unchanged c.md keeps its type error; b.md's YAML error is gone.
	var got []string
	for _, d := range second.Diags {
		got = append(got, d.Path+":"+d.Rule)
	}
	if len(got) != 1 || got[0] != "c.md:type" {
		t.Errorf("diagnostics = %v, want only c.md's type error", got)
	}
}
