package doc_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

// trickyFiles are files whose parse goes off the beaten path.
var trickyFiles = map[string]string{
	"rmm.yaml":        "organization: X\n",
	"crlf.md":         "---\r\nid: CR-1\r\nkind: policy\r\ntitle: CRLF\r\nowner: a@example.org\r\n---\r\n# Heading\r\n\r\ntext [[BOM-1]]\r\n\r\n## Sub\r\n\r\n- [ ] do (@a@example.org, due 2026-12-31)\r\n",
	"cr.md":           "---\rid: CR-2\rkind: policy\rtitle: CR\rowner: a@example.org\r---\r# Heading\r\rtext [[CR-1]]\r\r## Sub\r- [ ] do (@a@example.org, due 2026-12-31)\n- [ ] two\r\n",
	"bom.md":          "\xef\xbb\xbf---\nid: BOM-1\nkind: plan\ntitle: Bom\n---\n# Head {#x .cls data-a=b}\n\nSee [there](crlf.md).\n",
	"uni/ünï.md":      "# Ünïcödé 标题\n\n## Sub ✓\n\n### Deeper\n\n## Again\n\n- [ ] do it (@a@example.org, due 2026-12-31)\n- [x] done\n\n[[CR-1]] and [link](../bom.md)\n",
	"note.md":         "just a note\n",
	"notes/note.md":   "just a note\n", // same bytes, other path
	"empty.md":        "",
	"emptybody.md":    "---\nid: E\nkind: policy\ntitle: E\n---\n",
	"badyaml.md":      "---\nid: [\n---\n",
	"unclosed.md":     "---\nid: U\n",
	"utf8.md":         "ok\n\xff\xfe\n",
	"types.md":        "---\nid: T\ntitle: [1, 2]\ntags: x\nkind: policy\n---\nbody\n",
	"list.md":         "---\n- a\n---\n",
	"emptymap.md":     "---\n{}\n---\n# H\n",
	"dupkey.md":       "---\nid: D\nid: D2\n---\n",
	"dupid.md":        "---\nid: E\nkind: policy\ntitle: dup\n---\n",
	"values.md":       "---\nid: V\nkind: measure\ntitle: Values\ntarget: 3.5\nmeasure_unit: '%'\ndirection: up\ndata: d.csv\nbig: 99999999999999999999\nneg: -9223372036854775808\nhuge: 18446744073709551615\nnothing: null\nyes: true\nno: false\nwhen: 2026-01-01\nnested: {a: [1, {b: c}], d: ~}\nintkeys: {1: one, 2.5: two, true: three}\nempty: []\ninf: .inf\nbin: !!binary aGk=\nstakeholders:\n  - who: a@example.org\n    role: owner\n    involvement: approve\napprovals:\n  - by: a@example.org\n    role: owner\n    date: 2026-01-02\n    fingerprint: sha256:00\ntags: [a, b]\nevaluates: [X]\ncovers: []\naffects: [Y]\ncites: [Z]\n---\n# Values\n\n```go\n# not a heading\n```\n\n<div>raw</div>\n",
	"process.md":      "---\nid: P\nkind: process\ntitle: P\ntailors: Q\nbase: R\nsuperseded_by: S\n---\n# One\n## Two {.a .b}\n### Three\n# Four\n",
	"d.csv":           "date,value\n",
	"table.md":        "---\nid: T\nkind: measure\ntitle: Table\ntarget: 2\n---\n# Table\n\n| Date | Value |\n|---|---|\n| 2026-01 | 1.5 |\n| 2026-02 | n/a |\n| 2026-03 | 3 |\n",
	"notable.md":      "---\nid: NT\nkind: measure\ntitle: No table\ntarget: 2\n---\n# No table\n",
	"deep/a/b/c/x.md": "---\nid: DEEP\nkind: lesson\ntitle: Deep\nsource: s\nimplemented_in: P\n---\n#### Level four\n",
}

func writeTree(t *testing.T, root string, files map[string]string) {
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

// sameLibrary compares two loads of the same tree document by document,
// field by field; sections' parents are compared by index.
func sameLibrary(t *testing.T, what string, want, got *doc.Library) {
	t.Helper()
	if !reflect.DeepEqual(want.Diags, got.Diags) {
		t.Errorf("%s: diagnostics differ:\nwant %v\ngot  %v", what, want.Diags, got.Diags)
	}
	if len(want.Docs) != len(got.Docs) {
		t.Fatalf("%s: %d documents, want %d", what, len(got.Docs), len(want.Docs))
	}
	for i := range want.Docs {
		w, g := want.Docs[i], got.Docs[i]
		if w.Path != g.Path {
			t.Fatalf("%s: document %d is %s, want %s", what, i, g.Path, w.Path)
		}
		wv, gv := reflect.ValueOf(w).Elem(), reflect.ValueOf(g).Elem()
		for f := 0; f < wv.NumField(); f++ {
			name := wv.Type().Field(f).Name
			if name == "Sections" || !wv.Type().Field(f).IsExported() {
				continue
			}
			if !reflect.DeepEqual(wv.Field(f).Interface(), gv.Field(f).Interface()) {
				t.Errorf("%s: %s: %s differs:\nwant %#v\ngot  %#v", what, w.Path, name, wv.Field(f).Interface(), gv.Field(f).Interface())
			}
		}
		// A measure's data table: the cache holds it read (the warm load
		// has it without parsing the body); it must be what reading the
		// body gives. Asked of both, both are read.
		if w.Kind == "measure" {
			wp, wd := doc.MeasureData(w, "", nil)
			gp, gd := doc.MeasureData(g, "", nil)
			if !reflect.DeepEqual(wp, gp) || !reflect.DeepEqual(wd, gd) {
				t.Errorf("%s: %s: measure data differs:\nwant %v %v\ngot  %v %v", what, w.Path, wp, wd, gp, gd)
			}
		}
		// The whole document, unexported fields (the parse's diagnostics)
		// included.
		wc, gc := *w, *g
		wc.Sections, gc.Sections = nil, nil
		if !reflect.DeepEqual(wc, gc) {
			t.Errorf("%s: %s: documents differ (unexported fields?)", what, w.Path)
		}
		if len(w.Sections) != len(g.Sections) {
			t.Errorf("%s: %s: %d sections, want %d", what, w.Path, len(g.Sections), len(w.Sections))
			continue
		}
		if (w.Sections == nil) != (g.Sections == nil) {
			t.Errorf("%s: %s: sections nil %v, want %v", what, w.Path, g.Sections == nil, w.Sections == nil)
		}
		for j := range w.Sections {
			ws, gs := *w.Sections[j], *g.Sections[j]
			if wp, gp := parentIndex(w, &ws), parentIndex(g, &gs); wp != gp {
				t.Errorf("%s: %s: section %d's parent is %d, want %d", what, w.Path, j, gp, wp)
			}
			ws.Parent, gs.Parent = nil, nil
			if !reflect.DeepEqual(ws, gs) {
				t.Errorf("%s: %s: section %d differs:\nwant %#v\ngot  %#v", what, w.Path, j, ws, gs)
			}
		}
	}
	if !reflect.DeepEqual(keys(want.ByID), keys(got.ByID)) {
		t.Errorf("%s: ids differ", what)
	}
}

func parentIndex(d *doc.Document, s *doc.Section) int {
	for i, p := range d.Sections {
		if p == s.Parent {
			return i
		}
	}
	return -1
}

func keys(m map[string]*doc.Document) map[string]string {
	out := map[string]string{}
	for k, d := range m {
		out[k] = d.Path
	}
	return out
}

// loadThrice loads fsys without a cache, with a cold one and a warm one,
// and checks all three agree.
func loadThrice(t *testing.T, what string, fsys fs.FS, cache string) *doc.Library {
	t.Helper()
	plain, err := doc.Load(fsys, doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cold, err := doc.Load(fsys, doc.LoadOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	sameLibrary(t, what+" (cold cache)", plain, cold)
	pack := readPack(t, cache)
	if len(pack) == 0 {
		t.Fatalf("%s: no parse cache written", what)
	}
	warm, err := doc.Load(fsys, doc.LoadOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	sameLibrary(t, what+" (warm cache)", plain, warm)
	if !bytes.Equal(pack, readPack(t, cache)) {
		t.Errorf("%s: a warm load rewrote the cache (some document missed)", what)
	}
	return plain
}

func readPack(t *testing.T, cache string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(cache, "parse.pack"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return data
}

func TestCacheTrickyFiles(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, trickyFiles)
	lib := loadThrice(t, "tricky", os.DirFS(root), t.TempDir())
	if v := lib.ByPath["values.md"]; v == nil || v.Front["intkeys"] == nil || v.Target == nil {
		t.Fatalf("values.md did not parse as expected: %+v", v)
	}
	if pts, ds := doc.MeasureData(lib.ByPath["table.md"], "", nil); len(pts) != 2 || len(ds) != 1 || ds[0].Line != 12 {
		t.Fatalf("table.md's data: %v, %v; want two points and the line of n/a", pts, ds)
	}
	if len(lib.Docs) < 12 || len(lib.Diags) < 5 {
		t.Fatalf("tricky library has %d documents and %d diagnostics; the test files no longer test much", len(lib.Docs), len(lib.Diags))
	}
}

func TestCacheExampleLibrary(t *testing.T) {
	dir := t.TempDir()
	r, err := repo.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := example.Write(r); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	wt, err := r.WorkTree()
	if err != nil {
		t.Fatal(err)
	}
	loadThrice(t, "example working tree", wt, cache)
	for _, rev := range []string{"HEAD", "HEAD~1"} {
		commit, err := r.Resolve(rev)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := r.Tree(commit)
		if err != nil {
			t.Fatal(err)
		}
		loadThrice(t, "example "+rev, tree, cache)
	}

	// repo.Load uses the parse cache in the git folder by default.
	a, err := r.Load("HEAD", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r.ParseCacheDir(), "parse.pack")); err != nil {
		t.Fatalf("repo.Load left no parse cache: %v", err)
	}
	b, err := r.Load("HEAD", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameLibrary(t, "repo.Load HEAD twice", a.Lib, b.Lib)
}

func TestCacheChangedFileMisses(t *testing.T) {
	root, cache := t.TempDir(), t.TempDir()
	writeTree(t, root, trickyFiles)
	fsys := os.DirFS(root)
	loadThrice(t, "before", fsys, cache)
	before := readPack(t, cache)

	writeTree(t, root, map[string]string{
		"bom.md":       "\xef\xbb\xbf---\nid: BOM-1\nkind: plan\ntitle: Bom changed\n---\n# Other head\n",
		"moved/bom.md": trickyFiles["bom.md"], // same bytes, another path
	})
	lib := loadThrice(t, "after", fsys, cache)
	if d := lib.ByPath["bom.md"]; d == nil || d.Title != "Bom changed" || d.Sections[0].Title != "Other head" {
		t.Fatalf("changed file: got %+v", d)
	}
	if d := lib.ByPath["moved/bom.md"]; d == nil || d.Path != "moved/bom.md" {
		t.Fatalf("copied file: got %+v", d)
	}
	if bytes.Equal(before, readPack(t, cache)) {
		t.Error("the cache was not updated for the changed files")
	}
}

func TestCacheCorruptIgnored(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, trickyFiles)
	fsys := os.DirFS(root)
	cache := t.TempDir()
	plain := loadThrice(t, "first", fsys, cache)
	good := readPack(t, cache)

	mid := append([]byte(nil), good...)
	mid[len(mid)/2] ^= 0xff
	for name, bad := range map[string][]byte{
		"garbage":   []byte("not a cache at all"),
		"empty":     {},
		"truncated": good[:len(good)/2],
		"flipped":   mid,
		"magic":     good[:12],
	} {
		if err := os.WriteFile(filepath.Join(cache, "parse.pack"), bad, 0o644); err != nil {
			t.Fatal(err)
		}
		lib, err := doc.Load(fsys, doc.LoadOptions{Cache: cache})
		if err != nil {
			t.Fatalf("%s cache: %v", name, err)
		}
		sameLibrary(t, name+" cache", plain, lib)
		if bytes.Equal(readPack(t, cache), bad) {
			t.Errorf("%s cache was not rewritten", name)
		}
		checkRewritten(t, name, cache)
		lib, err = doc.Load(fsys, doc.LoadOptions{Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		sameLibrary(t, name+" cache, rewritten", plain, lib)
	}

	// An unreadable file (for root, a garbage one) is rewritten.
	pack := filepath.Join(cache, doc.ParseCacheFile)
	if err := os.WriteFile(pack, []byte("garbage"), 0o000); err != nil {
		t.Fatal(err)
	}
	os.Chmod(pack, 0o000)
	lib, err := doc.Load(fsys, doc.LoadOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	sameLibrary(t, "unreadable cache", plain, lib)
	checkRewritten(t, "unreadable", cache)

	// A folder where the pack should be: an empty one is replaced, one
	// holding something is left alone; neither is an error.
	os.Remove(pack)
	if err := os.Mkdir(pack, 0o755); err != nil {
		t.Fatal(err)
	}
	if lib, err = doc.Load(fsys, doc.LoadOptions{Cache: cache}); err != nil {
		t.Fatal(err)
	}
	sameLibrary(t, "empty folder for a cache", plain, lib)
	checkRewritten(t, "empty folder", cache)
	os.Remove(pack)
	writeTree(t, pack, map[string]string{"keep": "x"})
	if lib, err = doc.Load(fsys, doc.LoadOptions{Cache: cache}); err != nil {
		t.Fatal(err)
	}
	sameLibrary(t, "full folder for a cache", plain, lib)
	if data, err := os.ReadFile(filepath.Join(pack, "keep")); err != nil || string(data) != "x" {
		t.Errorf("a folder in the cache's place was touched: %q, %v", data, err)
	}

	// A cache folder that cannot be written is no error either.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	lib, err = doc.Load(fsys, doc.LoadOptions{Cache: filepath.Join(file, "sub")})
	if err != nil {
		t.Fatal(err)
	}
	sameLibrary(t, "unwritable cache", plain, lib)
}

// checkRewritten fails unless the pack in cache is one this binary wrote
// and a load uses it whole.
func checkRewritten(t *testing.T, what, cache string) {
	t.Helper()
	if _, err := store.ReadCache(filepath.Join(cache, doc.ParseCacheFile), doc.ParseCacheKind, doc.ParseCacheVersion); err != nil {
		t.Errorf("%s: the cache was not rewritten valid: %v", what, err)
	}
}

// A cache written by another rmm binary, or in another format version, is
// ignored, even when its entries are keyed the way this binary keys the
// files, and rewritten as this binary's.
func TestCacheForeignIgnored(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, trickyFiles)
	fsys := os.DirFS(root)
	plain, err := doc.Load(fsys, doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	decoy := func(s string) string { return strings.ReplaceAll(s, "o", "0") }
	decoyed := func(lib *doc.Library) int {
		n := 0
		for i, d := range lib.Docs {
			if d.Title != plain.Docs[i].Title {
				n++
			}
		}
		return n
	}
	load := func(cache string) *doc.Library {
		t.Helper()
		lib, err := doc.Load(fsys, doc.LoadOptions{Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		return lib
	}

	// With this binary's own header the forged entries are used: the
	// checks below can fail.
	cache := t.TempDir()
	if err := doc.ForgeParseCache(cache, store.Prefix(doc.ParseCacheKind, doc.ParseCacheVersion), trickyFiles, decoy); err != nil {
		t.Fatal(err)
	}
	if decoyed(load(cache)) == 0 {
		t.Fatal("test bug: a forged cache with this binary's header is not used")
	}

	restore := store.SetBinaryIDForTest("other")
	otherBinary := store.Prefix(doc.ParseCacheKind, doc.ParseCacheVersion)
	restore()
	for name, header := range map[string][]byte{
		"other binary":  otherBinary,
		"other version": store.Prefix(doc.ParseCacheKind, doc.ParseCacheVersion+1),
		"other kind":    store.Prefix("history", doc.ParseCacheVersion),
		"no header":     nil,
	} {
		cache := t.TempDir()
		if err := doc.ForgeParseCache(cache, header, trickyFiles, decoy); err != nil {
			t.Fatal(err)
		}
		lib := load(cache)
		if n := decoyed(lib); n > 0 {
			t.Errorf("%s: %d documents taken from the foreign cache", name, n)
		}
		sameLibrary(t, name, plain, lib)
		checkRewritten(t, name, cache)
		written := readPack(t, cache)
		sameLibrary(t, name+", rewritten", plain, load(cache))
		if !bytes.Equal(written, readPack(t, cache)) {
			t.Errorf("%s: the rewritten cache missed documents", name)
		}
	}

	// A genuine cache of another binary: ignored and replaced.
	cache = t.TempDir()
	restore = store.SetBinaryIDForTest("other")
	load(cache)
	restore()
	foreign := readPack(t, cache)
	sameLibrary(t, "another binary's cache", plain, load(cache))
	if bytes.Equal(foreign, readPack(t, cache)) {
		t.Error("another binary's cache was not replaced")
	}
	checkRewritten(t, "another binary's cache", cache)
}
