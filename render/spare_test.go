//go:build linux

package render_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rmm-pal/rmm/render"
)

// rmm build keeps the site it replaces as a spare below the git folder
// and, at the next build, updates the spare and swaps it in (write.go).
// After every build the output folder holds exactly a clean build's
// files, nothing is left beside it, and a file that did not change is
// the same file as before (inode and modification time): the spare is
// updated only where the site changed.
func TestSpareRebuildEqualsCleanBuild(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	parent := t.TempDir()
	out := filepath.Join(parent, "site")
	spareRoot := filepath.Join(r.GitDir, "rmm", "spare")
	spare := func() string {
		ents, _ := os.ReadDir(spareRoot)
		for _, e := range ents {
			if e.IsDir() {
				return filepath.Join(spareRoot, e.Name())
			}
		}
		return ""
	}
	same := func(what string) {
		t.Helper()
		clean := filepath.Join(t.TempDir(), "clean")
		build(t, r, clean, func(o *render.Options) { o.Scratch = true })
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
		if ents, _ := os.ReadDir(parent); len(ents) != 1 {
			t.Errorf("%s: %d entries beside the site", what, len(ents)-1)
		}
	}
	edit := func(text string) {
		t.Helper()
		writeFiles(t, dir, map[string]string{
			"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "All services.", text, 1),
		})
	}
	ids := func() map[string]fileID {
		m := map[string]fileID{}
		for p := range siteFiles(t, out) {
			m[p] = idOf(t, filepath.Join(out, p))
		}
		return m
	}

	build(t, r, out, nil)
	same("first build")
	if sp := spare(); sp != "" {
		t.Errorf("a first build (nothing replaced) kept a spare: %s", sp)
	}
	edit("All services, one.")
	build(t, r, out, nil)
	same("second build")
	sp := spare()
	if sp == "" {
		t.Fatal("the site the second build replaced was not kept")
	}
	if got := page(t, siteFiles(t, sp), "doc/IMC-POL.html"); !strings.Contains(got, "All services.") || strings.Contains(got, "one.") {
		t.Error("the spare is not the site the second build replaced")
	}

	// The third build writes into the spare: only the page, the search
	// index and the register change, every other file stays the file it
	// was (but the marker: each folder has its own).
	before := ids()
	delete(before, render.MarkerFile)
	edit("All services, two.")
	res := build(t, r, out, nil)
	same("third build")
	var changed []string
	for p, id := range before {
		if idOf(t, filepath.Join(out, p)) != id {
			changed = append(changed, p)
		}
	}
	sort.Strings(changed)
	if strings.Join(changed, " ") != "assets/search-index.js doc/IMC-POL.html register.csv register.html" || res.Written != 4 {
		t.Errorf("a body edit wrote %d files, replaced %v; want the page, the search index and the register", res.Written, changed)
	}
	if spare() != sp {
		t.Errorf("the spare moved: %s, was %s", spare(), sp)
	}
	if !strings.Contains(page(t, siteFiles(t, sp), "doc/IMC-POL.html"), "one.") {
		t.Error("the spare is not the site the third build replaced")
	}

	// An added document and a removed one: the spare gains the page and
	// loses the other's.
	writeFiles(t, dir, map[string]string{
		"policies/new.md": "---\nid: NEW-POL\nkind: policy\ntitle: Brand new policy\nowner: a@example.org\nunit: eng\n---\n\nNew.\n",
	})
	if err := os.Remove(filepath.Join(dir, "plans", "imc-plan.md")); err != nil {
		t.Fatal(err)
	}
	build(t, r, out, nil)
	same("add and remove")
	if _, ok := siteFiles(t, out)["doc/IMC-PLAN.html"]; ok {
		t.Error("the removed document's page is still there")
	}

	// A page of the site edited by hand, in place: the spare holds the
	// same file, so both show the edit; the next build puts the page back.
	hand := filepath.Join(out, "doc", "NEW-POL.html")
	f, err := os.OpenFile(hand, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("<!-- edited by hand -->")
	f.Close()
	build(t, r, out, nil)
	same("a page edited by hand")
	build(t, r, out, nil)
	same("a page edited by hand, the build after")

	// A file rmm did not write put into the spare: the spare is not used
	// (and goes, as rmm's own folder), the build is still right.
	os.WriteFile(filepath.Join(sp, "theirs.txt"), []byte("x"), 0o644)
	edit("All services, three.")
	build(t, r, out, nil)
	same("a foreign file in the spare")
	if _, err := os.Stat(filepath.Join(sp, "theirs.txt")); err == nil {
		t.Error("the spare with a foreign file was used as it was")
	}
}

// A build interrupted while it writes into the spare leaves the output
// folder byte for byte as it was; the next build is a clean build's.
func TestSpareInterruptedBuildKeepsSite(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	out := filepath.Join(t.TempDir(), "site")
	for i, text := range []string{"All services, one.", "All services, two."} {
		writeFiles(t, dir, map[string]string{"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "All services.", text, 1)})
		build(t, r, out, nil)
		if i == 1 {
			if ents, _ := os.ReadDir(filepath.Join(r.GitDir, "rmm", "spare")); len(ents) == 0 {
				t.Fatal("no spare after two builds")
			}
		}
	}
	before := siteFiles(t, out)
	// Every document changes, and the build stops after a few files.
	files := map[string]string{}
	for p, s := range fixture {
		if strings.HasSuffix(p, ".md") {
			files[p] = strings.Replace(s, "\n---\n", "\n---\n\nInterrupted edit.\n", 1)
		}
	}
	writeFiles(t, dir, files)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	n := 0
	restore := render.SetTestHookPut(func(string) {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 3 {
			cancel()
		}
	})
	_, err := render.Build(ctx, render.Options{Repo: r, Out: out})
	restore()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted build returned %v", err)
	}
	after := siteFiles(t, out)
	if len(after) != len(before) {
		t.Errorf("%d files before, %d after", len(before), len(after))
	}
	for p, b := range before {
		if !bytes.Equal(after[p], b) {
			t.Errorf("%s changed", p)
		}
	}
	build(t, r, out, nil)
	clean := filepath.Join(t.TempDir(), "clean")
	build(t, r, clean, func(o *render.Options) { o.Scratch = true })
	a, b := siteFiles(t, out), siteFiles(t, clean)
	if len(a) != len(b) {
		t.Errorf("after the interrupted build: %d files, a clean build %d", len(a), len(b))
	}
	for p, data := range b {
		if !bytes.Equal(a[p], data) {
			t.Errorf("after the interrupted build: %s differs from a clean build's", p)
		}
	}
	if !strings.Contains(page(t, a, "doc/IMC-POL.html"), "Interrupted edit.") {
		t.Error("the build after the interrupted one does not show the edit")
	}
}

// Two builds into one folder at once never share the spare: while one
// holds its lock, another builds a new folder as before and leaves the
// spare as it is.
func TestSpareLockedIsLeftAlone(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, nil)
	writeFiles(t, dir, map[string]string{"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "All services.", "All services, one.", 1)})
	build(t, r, out, nil)
	root := filepath.Join(r.GitDir, "rmm", "spare")
	ents, _ := os.ReadDir(root)
	var sp string
	for _, e := range ents {
		if e.IsDir() {
			sp = filepath.Join(root, e.Name())
		}
	}
	if sp == "" {
		t.Fatal("no spare after two builds")
	}
	lock, err := os.OpenFile(sp+".lock", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	spareBefore := siteFiles(t, sp)
	pageID := idOf(t, filepath.Join(sp, "doc", "IMC-POL.html"))
	writeFiles(t, dir, map[string]string{"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "All services.", "All services, two.", 1)})
	build(t, r, out, nil)
	if !strings.Contains(page(t, siteFiles(t, out), "doc/IMC-POL.html"), "two.") {
		t.Error("the build beside a locked spare does not show the edit")
	}
	spareAfter := siteFiles(t, sp)
	if len(spareAfter) != len(spareBefore) || idOf(t, filepath.Join(sp, "doc", "IMC-POL.html")) != pageID {
		t.Error("a build wrote into a spare another build holds")
	}
	for p, b := range spareBefore {
		if !bytes.Equal(spareAfter[p], b) {
			t.Errorf("the locked spare's %s changed", p)
		}
	}
}

// The spare of an output folder that is gone (or no longer a site rmm
// wrote) is removed by the next build into any folder; the spare of a
// folder still there stays.
func TestSpareOfGoneFolderIsSwept(t *testing.T) {
	r, dir := newLibrary(t, fixture)
	parent := t.TempDir()
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	spares := func() int {
		ents, _ := os.ReadDir(filepath.Join(r.GitDir, "rmm", "spare"))
		n := 0
		for _, e := range ents {
			if e.IsDir() {
				n++
			}
		}
		return n
	}
	for i, text := range []string{"All services, one.", "All services, two."} {
		writeFiles(t, dir, map[string]string{"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "All services.", text, 1)})
		build(t, r, a, nil)
		build(t, r, b, nil)
		if i == 1 && spares() != 2 {
			t.Fatalf("%d spares after two builds into each of two folders", spares())
		}
	}
	if err := os.RemoveAll(b); err != nil {
		t.Fatal(err)
	}
	build(t, r, a, nil)
	if n := spares(); n != 1 {
		t.Errorf("%d spares after the build that follows removing one of the two folders; want 1", n)
	}
	writeFiles(t, dir, map[string]string{"policies/imc-pol.md": strings.Replace(fixture["policies/imc-pol.md"], "All services.", "All services, three.", 1)})
	build(t, r, a, nil)
	if !strings.Contains(page(t, siteFiles(t, a), "doc/IMC-POL.html"), "three.") {
		t.Error("the build after the sweep does not show the edit")
	}
}
