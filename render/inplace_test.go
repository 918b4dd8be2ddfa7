package render_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

// siteDirs lists the folders of a built site.
func siteDirs(t *testing.T, dir string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	return dirs
}

// appendMarker adds names to the marker of the site in dir, as if a
// previous build had written those files.
func appendMarker(t *testing.T, dir string, names ...string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, render.MarkerFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if _, err := f.WriteString(n + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

type fileID struct {
	ino uint64
	mod time.Time
}

func idOf(t *testing.T, p string) fileID {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Skip("no inode numbers here")
	}
	return fileID{uint64(st.Ino), fi.ModTime()}
}

// An in-place build (rmm serve) gives, after an edit, an added document
// and a removed one, exactly the files and folders of a clean build; it
// leaves the files that did not change alone (same inode, same
// modification time), removes what the site no longer has, and builds
// nothing beside the output folder.
func TestInPlaceEqualsCleanBuild(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	parent := t.TempDir()
	out := filepath.Join(parent, "site")
	keys := render.NewKeyCache()
	t.Cleanup(keys.Wait) // before the repository's folder is removed
	// As rmm serve does: one history pass until HEAD moves.
	var hist *repo.History
	loadHistory := func() {
		head, _, err := r.Head()
		if err != nil {
			t.Fatal(err)
		}
		if hist, err = repo.LoadHistory(r.GitDir, head, render.HistoryCacheDir(r)); err != nil {
			t.Fatal(err)
		}
	}
	loadHistory()
	inPlace := func(o *render.Options) {
		o.InPlace = true
		o.Keys = keys
		o.History = hist
		o.LiveReload = render.ReloadScript
	}
	first := build(t, r, out, inPlace)
	if first.Written != first.Files || first.Files == 0 {
		t.Errorf("a first build wrote %d of %d files", first.Written, first.Files)
	}
	same := func(what string) {
		t.Helper()
		clean := filepath.Join(t.TempDir(), "clean")
		build(t, r, clean, func(o *render.Options) { o.LiveReload = render.ReloadScript })
		a, b := siteFiles(t, out), siteFiles(t, clean)
		for p, data := range b {
			if got, ok := a[p]; !ok {
				t.Errorf("%s: %s is missing", what, p)
			} else if !bytes.Equal(got, data) {
				t.Errorf("%s: %s differs from a clean build's", what, p)
			}
		}
		for p := range a {
			if _, ok := b[p]; !ok {
				t.Errorf("%s: %s is not in a clean build", what, p)
			}
		}
		if da, db := siteDirs(t, out), siteDirs(t, clean); strings.Join(da, "\n") != strings.Join(db, "\n") {
			t.Errorf("%s: folders %v, a clean build has %v", what, da, db)
		}
		ents, err := os.ReadDir(parent)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 1 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("%s: beside the site: %v", what, names)
		}
	}
	same("first build")

	res := build(t, r, out, inPlace)
	if res.Written != 0 || res.Removed != 0 {
		t.Errorf("a rebuild of the same input wrote %d files, removed %d", res.Written, res.Removed)
	}
	same("no change")

	// A body edit: only the page, the search index and the register (the
	// document's revision is its fingerprint) change; every other file is
	// left alone (same inode, same modification time).
	before := map[string]fileID{}
	for p := range siteFiles(t, out) {
		before[p] = idOf(t, filepath.Join(out, p))
	}
	writeFiles(t, dir, map[string]string{
		"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "All services.", "All services, edited.", 1),
	})
	res = build(t, r, out, inPlace)
	same("body edit")
	var changed []string
	for p, id := range before {
		if idOf(t, filepath.Join(out, p)) != id {
			changed = append(changed, p)
		}
	}
	sort.Strings(changed)
	if strings.Join(changed, " ") != "assets/search-index.js doc/IMC-POL.html register.csv register.html" || res.Written != 4 {
		t.Errorf("a body edit wrote %d files, rewrote %v; want the page, the search index and the register", res.Written, changed)
	}
	if !strings.Contains(page(t, siteFiles(t, out), "doc/IMC-POL.html"), "All services, edited.") {
		t.Error("the edited page does not show the edit")
	}

	// What a previous site left (its marker lists it): a page, a folder
	// of pages, and a folder where a page of the next build goes; and a
	// temporary file of a killed build.
	writeFiles(t, out, map[string]string{
		"stray.html":              "stray",
		"old/deep/page.html":      "old",
		"doc/.rmm-tmp-123":        "half a page",
		"doc/NEW-POL.html/x.html": "a folder in the way",
	})
	appendMarker(t, out, "stray.html", "old/deep/page.html", "doc/NEW-POL.html/x.html")
	// An edit, an added document, a removed one (with the file it
	// copied into the site and its unit page).
	writeFiles(t, dir, map[string]string{
		"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "All services.", "All services, edited again.", 1),
		"policies/new.md":     "---\nid: NEW-POL\nkind: policy\ntitle: Brand new policy\nowner: a@example.org\nunit: eng\n---\n\nNew.\n",
	})
	if err := os.Remove(filepath.Join(dir, "plans", "imc-plan.md")); err != nil {
		t.Fatal(err)
	}
	res = build(t, r, out, inPlace)
	if res.Written == 0 || res.Removed == 0 {
		t.Errorf("after edits the build wrote %d files, removed %d", res.Written, res.Removed)
	}
	same("edit, add, remove")
	files := siteFiles(t, out)
	if !strings.Contains(page(t, files, "doc/IMC-POL.html"), "All services, edited again.") {
		t.Error("the edited page does not show the edit")
	}
	if _, ok := files["doc/IMC-PLAN.html"]; ok {
		t.Error("the removed document's page is still there")
	}

	// And back: the removed document returns.
	writeFiles(t, dir, map[string]string{"plans/imc-plan.md": fixture["plans/imc-plan.md"]})
	build(t, r, out, inPlace)
	same("document back")

	// A commit: every page's history changes.
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "Second commit")
	loadHistory()
	build(t, r, out, inPlace)
	same("commit")
	if !strings.Contains(page(t, siteFiles(t, out), "doc/NEW-POL.html"), "Second commit") {
		t.Error("the page's history does not show the commit")
	}

	// The state kept in memory was written to disk too: a new process
	// (a new cache) reuses every page.
	keys.Wait()
	keys = render.NewKeyCache()
	res = build(t, r, out, inPlace)
	if res.Written != 0 || res.Reused == 0 {
		t.Errorf("a restarted preview wrote %d files, reused %d pages", res.Written, res.Reused)
	}
	same("restart")
}
