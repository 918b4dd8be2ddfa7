package render_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/render"
)

// The marker lists exactly the files of the site, sorted, after its
// header; it is the same bytes for the same input, swapped or in place.
func TestMarkerListsTheSiteFiles(t *testing.T) {
	r, _ := newLibrary(t, fixture)
	a := filepath.Join(t.TempDir(), "a")
	build(t, r, a, nil)
	files := siteFiles(t, a)
	m, ok := files[render.MarkerFile]
	if !ok {
		t.Fatalf("the site has no %s", render.MarkerFile)
	}
	var want []string
	for p := range files {
		if p != render.MarkerFile {
			want = append(want, p)
		}
	}
	sort.Strings(want)
	if got := string(m); got != "rmm-site 1\n"+strings.Join(want, "\n")+"\n" {
		t.Errorf("the marker is\n%s\nwant the header and\n%s", got, strings.Join(want, "\n"))
	}
	b := filepath.Join(t.TempDir(), "b")
	build(t, r, b, func(o *render.Options) { o.InPlace = true })
	if got := siteFiles(t, b)[render.MarkerFile]; !bytes.Equal(got, m) {
		t.Errorf("an in-place build's marker differs:\n%s", got)
	}
	build(t, r, a, nil)
	if got := siteFiles(t, a)[render.MarkerFile]; !bytes.Equal(got, m) {
		t.Errorf("a rebuild's marker differs:\n%s", got)
	}
}

// Every folder that is not rmm's is refused with an *OutputError naming
// it and why, and is left byte for byte as it was.
func TestOutputGuardRefuses(t *testing.T) {
	files := map[string]string{}
	for k, v := range fixture {
		files[k] = v
	}
	// A folder git tracks, although it looks like a site of rmm's.
	files["pub/.rmm-site"] = "rmm-site 1\nindex.html\n"
	files["pub/index.html"] = "committed"
	r, dir := newLibrary(t, files)
	other := t.TempDir()
	writeFiles(t, other, map[string]string{
		"u/thesis.docx":              "x",
		"u/sub/photo.jpg":            "y",
		"file":                       "a file",
		"old/index.html":             "old site",
		"old/assets/search-index.js": "old",
	})
	if err := os.Symlink(dir, filepath.Join(other, "link")); err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(other, "site")
	build(t, r, site, nil)
	writeFiles(t, site, map[string]string{"mine.txt": "mine", "doc/notes.txt": "notes"})

	for _, c := range []struct{ out, reason string }{
		{dir, "is the library's root"},
		{filepath.Dir(dir), "holds the library"},
		{filepath.Join(dir, ".git"), "is the git folder"},
		{filepath.Join(dir, ".git", "objects"), "is inside the git folder"},
		{filepath.Join(dir, ".git", "rmm"), "is inside the git folder"},
		{filepath.Join(dir, "policies"), "holds files git tracks (policies/imc-pol.md)"},
		{filepath.Join(dir, "pub"), "holds files git tracks (pub/.rmm-site)"},
		{filepath.Join(other, "file"), "is a file, not a folder"},
		{filepath.Join(other, "link"), "is the library's root"},
		{filepath.Join(other, "u"), "is not empty and has no .rmm-site marker, so rmm did not write it (it holds u/sub/photo.jpg)"},
		{filepath.Join(other, "old"), "is not empty and has no .rmm-site marker"},
		{site, "holds files rmm did not write: site/doc/notes.txt, site/mine.txt"},
	} {
		for _, inPlace := range []bool{false, true} {
			before := treeFiles(t, other)
			tracked := libFiles(t, dir)
			_, err := render.Build(context.Background(), render.Options{Repo: r, Out: c.out, InPlace: inPlace})
			var oe *render.OutputError
			if !errors.As(err, &oe) {
				t.Errorf("%s (in place %v): got %v, want an OutputError", c.out, inPlace, err)
				continue
			}
			if oe.Dir != c.out || !strings.HasPrefix(oe.Reason, c.reason) || oe.Hint == "" {
				t.Errorf("%s (in place %v): got %q (hint %q), want %q", c.out, inPlace, oe.Error(), oe.Hint, c.reason)
			}
			if err := render.CheckOutput(r, c.out); err == nil || err.Error() != oe.Error() {
				t.Errorf("%s: CheckOutput says %v, Build %v", c.out, err, oe)
			}
			sameTree(t, before, treeFiles(t, other))
			sameTree(t, tracked, libFiles(t, dir))
		}
	}
	// The old site's hint says what to do.
	err := render.CheckOutput(r, filepath.Join(other, "old"))
	var oe *render.OutputError
	if !errors.As(err, &oe) || !strings.Contains(oe.Hint, "older rmm") {
		t.Errorf("an old site: %v", err)
	}
}

// treeFiles reads every file below dir; a symbolic link reads as its
// target's name.
func treeFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		var b []byte
		if d.Type()&fs.ModeSymlink != 0 {
			s, err := os.Readlink(p)
			if err != nil {
				return err
			}
			b = []byte("-> " + s)
		} else if b, err = os.ReadFile(p); err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// libFiles are the files of the library in dir, its git folder included
// but for rmm's own store.
func libFiles(t *testing.T, dir string) map[string][]byte {
	files := siteFiles(t, dir)
	for p := range files {
		if strings.HasPrefix(p, ".git/rmm/") {
			delete(files, p)
		}
	}
	return files
}

func sameTree(t *testing.T, before, after map[string][]byte) {
	t.Helper()
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s is gone", p)
		} else if !bytes.Equal(a, b) {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

// A new folder, an empty one (empty folders inside it too) and a site rmm
// wrote are used; rmm serve's own preview folder is emptied when an older
// rmm wrote it.
func TestOutputGuardAccepts(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	other := t.TempDir()
	empty := filepath.Join(other, "empty")
	if err := os.MkdirAll(filepath.Join(empty, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{filepath.Join(other, "new", "site"), empty, filepath.Join(dir, "_site")} {
		for i := 0; i < 2; i++ {
			if _, err := render.Build(context.Background(), render.Options{Repo: r, Out: out}); err != nil {
				t.Errorf("%s, build %d: %v", out, i+1, err)
			}
		}
	}
	preview := filepath.Join(r.GitDir, "rmm", "serve", "internal")
	writeFiles(t, preview, map[string]string{"index.html": "old preview", "gone.html": "old"})
	build(t, r, preview, func(o *render.Options) { o.InPlace = true })
	if _, err := os.Stat(filepath.Join(preview, "gone.html")); !os.IsNotExist(err) {
		t.Errorf("the old preview's page is still there: %v", err)
	}
	if !strings.Contains(page(t, siteFiles(t, preview), "index.html"), "Example Corp") {
		t.Error("the preview was not built")
	}
}
