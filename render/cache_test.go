package render_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

// docPages counts the document pages of the site in out.
func docPages(t *testing.T, out string) int {
	t.Helper()
	n := 0
	for p := range siteFiles(t, out) {
		if strings.HasPrefix(p, "doc/") {
			n++
		}
	}
	if n == 0 {
		t.Fatal("test bug: the site has no document pages")
	}
	return n
}

// sameAsClean fails unless the site in out is byte for byte a clean
// build's.
func sameAsClean(t *testing.T, what string, r *repo.Repo, out string, mod func(*render.Options)) {
	t.Helper()
	clean := filepath.Join(t.TempDir(), "clean")
	build(t, r, clean, mod)
	a, b := siteFiles(t, out), siteFiles(t, clean)
	if len(a) != len(b) {
		t.Errorf("%s: %d files, a clean build %d", what, len(a), len(b))
	}
	for p, data := range b {
		if !bytes.Equal(a[p], data) {
			t.Errorf("%s: %s differs from a clean build's", what, p)
		}
	}
}

// stateFile is the one page state file of the builds of r.
func stateFile(t *testing.T, r *repo.Repo) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(store.Dir(r.GitDir, "site"), "*.state"))
	if len(m) != 1 {
		t.Fatalf("want one page state file, found %q", m)
	}
	return m[0]
}

// After an upgrade of rmm (another binary) a rebuild renders every
// document page again, none reused: a fix to the renderer reaches pages
// whose documents did not change. The same holds for a process that
// keeps the state in memory (rmm serve's KeyCache), where only the
// pages' keys can tell.
func TestUpgradeRerendersEveryPage(t *testing.T) {
	for _, inMemory := range []bool{false, true} {
		r, _ := newLibrary(t, fixture)
		out := filepath.Join(t.TempDir(), "site")
		var mod func(*render.Options)
		if inMemory {
			keys := render.NewKeyCache()
			defer keys.Wait()
			mod = func(o *render.Options) { o.Keys = keys }
		}
		build(t, r, out, mod)
		docs := docPages(t, out)
		if res := build(t, r, out, mod); res.Reused != docs {
			t.Fatalf("in memory %v: a rebuild by the same rmm reused %d of %d document pages", inMemory, res.Reused, docs)
		}
		restore := store.SetBinaryIDForTest("other")
		res := build(t, r, out, mod)
		if res.Reused != 0 {
			t.Errorf("in memory %v: a rebuild by another rmm reused %d of %d document pages; want every page rendered",
				inMemory, res.Reused, docs)
		}
		sameAsClean(t, "another rmm", r, out, mod)
		if res := build(t, r, out, mod); res.Reused != docs {
			t.Errorf("in memory %v: the next rebuild by the new rmm reused %d of %d document pages", inMemory, res.Reused, docs)
		}
		restore()
		if res := build(t, r, out, mod); res.Reused != 0 {
			t.Errorf("in memory %v: back to the first rmm, %d pages reused from the other's state", inMemory, res.Reused)
		}
	}
}

// A page state that is damaged, of another format version or of another
// rmm, or not a file, is ignored (every page renders, the site is a
// clean build's) and rewritten. The foreign states are forged from a
// good one, keys and all, so a build that trusted their header would
// reuse pages.
func TestDamagedStateIgnored(t *testing.T) {
	r, _ := newLibrary(t, fixture)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	docs := docPages(t, out)
	file := stateFile(t, r)
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	body, err := store.ReadCache(file, render.StateKind, render.StateVersion)
	if err != nil {
		t.Fatal(err)
	}
	seal := func(header []byte) []byte { return store.Seal(append(bytes.Clone(header), body...)) }
	restore := store.SetBinaryIDForTest("other")
	otherBinary := store.Prefix(render.StateKind, render.StateVersion)
	restore()
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40

	// The forgery works with this binary's header: the checks below can
	// fail.
	if err := os.WriteFile(file, seal(store.Prefix(render.StateKind, render.StateVersion)), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := build(t, r, out, nil); res.Reused != docs {
		t.Fatalf("test bug: a re-sealed state reused %d of %d pages", res.Reused, docs)
	}

	rewritten := func(what string) {
		t.Helper()
		if _, err := store.ReadCache(file, render.StateKind, render.StateVersion); err != nil {
			t.Errorf("%s: the state was not rewritten valid: %v", what, err)
		}
		if res := build(t, r, out, nil); res.Reused != docs {
			t.Errorf("%s: after the rewrite %d of %d pages reused", what, res.Reused, docs)
		}
	}
	ignored := func(what string) {
		t.Helper()
		res := build(t, r, out, nil)
		if res.Reused != 0 {
			t.Errorf("%s: %d of %d pages reused", what, res.Reused, docs)
		}
		sameAsClean(t, what, r, out, nil)
	}
	for name, data := range map[string][]byte{
		"other binary":  seal(otherBinary),
		"other version": seal(store.Prefix(render.StateKind, render.StateVersion+1)),
		"other kind":    seal(store.Prefix("parse", render.StateVersion)),
		"bare body":     body,
		"truncated":     good[:len(good)/2],
		"flipped":       flipped,
		"garbage":       []byte("not a state"),
		"empty":         nil,
	} {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ignored(name)
		rewritten(name)
	}

	// A genuine state of another rmm.
	restore = store.SetBinaryIDForTest("other")
	build(t, r, out, nil)
	restore()
	ignored("another rmm's state")
	rewritten("another rmm's state")

	// An unreadable file (for root, a garbage one); an empty folder (it
	// is replaced) and a full one (it is left alone).
	if err := os.WriteFile(file, []byte("garbage"), 0o000); err != nil {
		t.Fatal(err)
	}
	os.Chmod(file, 0o000)
	ignored("unreadable")
	rewritten("unreadable")
	os.Remove(file)
	if err := os.Mkdir(file, 0o755); err != nil {
		t.Fatal(err)
	}
	ignored("empty folder")
	rewritten("empty folder")
	os.Remove(file)
	writeFiles(t, file, map[string]string{"keep": "x"})
	ignored("full folder")
	ignored("full folder, again")
	if data, err := os.ReadFile(filepath.Join(file, "keep")); err != nil || string(data) != "x" {
		t.Errorf("a folder in the state's place was touched: %q, %v", data, err)
	}
}
