package render

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/repo"
)

// newRepo makes a git repository holding files, committed once.
func newRepo(t *testing.T, files map[string]string) (*repo.Repo, string) {
	t.Helper()
	dir := t.TempDir()
	putFiles(t, dir, files)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-q", "-m", "files"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r, dir
}

func putFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, s := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var notes = map[string]string{
	"rmm.yaml":     "organization: X\n",
	"notes/a.md":   "# A\n\nText.\n",
	"notes/b.md":   "# B\n\nText.\n",
	"notes/c/d.md": "# D\n\nText.\n",
}

// The in-place prune removes only files the previous marker lists: a
// file put into the folder while a build runs (after the guard let the
// folder through) stays, although no build produced it, and is not
// listed; the next build refuses the folder and names it.
func TestInPlacePruneKeepsUnlistedFiles(t *testing.T) {
	r, dir := newRepo(t, notes)
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Build(context.Background(), Options{Repo: r, Out: out, InPlace: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "doc", "NOTES-C-D.html")); err != nil {
		t.Fatalf("the site has no page of notes/c/d.md: %v", err)
	}
	// notes/c/d.md goes: its page is pruned. Meanwhile a user's files
	// arrive, among them one where the pruned page was.
	if err := os.Remove(filepath.Join(dir, "notes", "c", "d.md")); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	testHookPut = func(string) {
		once.Do(func() {
			putFiles(t, out, map[string]string{"mine.txt": "mine", "doc/mine.html": "mine", "assets/x/y.txt": "y"})
		})
	}
	defer func() { testHookPut = nil }()
	res, err := Build(context.Background(), Options{Repo: r, Out: out, InPlace: true})
	if err != nil {
		t.Fatal(err)
	}
	testHookPut = nil
	if res.Removed == 0 {
		t.Error("nothing was pruned")
	}
	if _, err := os.Stat(filepath.Join(out, "doc", "NOTES-C-D.html")); !os.IsNotExist(err) {
		t.Errorf("the removed document's page is still there: %v", err)
	}
	for _, p := range []string{"mine.txt", "doc/mine.html", "assets/x/y.txt"} {
		if got := mustRead(t, filepath.Join(out, filepath.FromSlash(p))); got != "mine" && got != "y" {
			t.Errorf("%s holds %q", p, got)
		}
	}
	listed, err := readMarker(out)
	if err != nil {
		t.Fatal(err)
	}
	if listed["mine.txt"] || listed["doc/mine.html"] || listed["doc/NOTES-C-D.html"] || !listed["doc/NOTES-A.html"] {
		t.Errorf("the marker lists %v", listed)
	}
	_, err = Build(context.Background(), Options{Repo: r, Out: out, InPlace: true})
	var oe *OutputError
	if !errors.As(err, &oe) || !strings.Contains(oe.Reason, "site/assets/x/y.txt, site/doc/mine.html, site/mine.txt") {
		t.Errorf("the next build: %v", err)
	}
}

// The same with the swap: a file put into the old site while the new one
// is built makes the swap refuse; the old site and the file stay, and
// nothing is left beside them.
func TestSwapAsksTheGuardAgain(t *testing.T) {
	r, _ := newRepo(t, notes)
	parent := t.TempDir()
	out := filepath.Join(parent, "site")
	if _, err := Build(context.Background(), Options{Repo: r, Out: out}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, out)
	var once sync.Once
	testHookPut = func(string) {
		once.Do(func() { putFiles(t, out, map[string]string{"mine.txt": "mine"}) })
	}
	defer func() { testHookPut = nil }()
	_, err := Build(context.Background(), Options{Repo: r, Out: out})
	var oe *OutputError
	if !errors.As(err, &oe) || !strings.Contains(oe.Reason, "site/mine.txt") {
		t.Fatalf("got %v, want a refusal naming mine.txt", err)
	}
	after := readTree(t, out)
	if string(after["mine.txt"]) != "mine" {
		t.Error("mine.txt is gone")
	}
	delete(after, "mine.txt")
	if len(after) != len(before) {
		t.Errorf("%d files before, %d after", len(before), len(after))
	}
	for p, b := range before {
		if string(after[p]) != string(b) {
			t.Errorf("%s changed", p)
		}
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Errorf("beside the site: %v", ents)
	}

	// A folder made by someone else while the first site is built.
	fresh := filepath.Join(parent, "fresh")
	once = sync.Once{}
	testHookPut = func(string) {
		once.Do(func() { putFiles(t, fresh, map[string]string{"thesis.docx": "x"}) })
	}
	_, err = Build(context.Background(), Options{Repo: r, Out: fresh})
	if !errors.As(err, &oe) || !strings.Contains(oe.Reason, "fresh/thesis.docx") {
		t.Fatalf("got %v, want a refusal naming thesis.docx", err)
	}
	if got := mustRead(t, filepath.Join(fresh, "thesis.docx")); got != "x" {
		t.Errorf("thesis.docx holds %q", got)
	}
}

// A stale temporary folder of a killed build is removed only when it
// carries the marker; a folder someone made under such a name is left
// alone.
func TestStaleTempNeedsTheMarker(t *testing.T) {
	r, _ := newRepo(t, notes)
	parent := t.TempDir()
	theirs := filepath.Join(parent, ".site.rmm-new-123")
	ours := filepath.Join(parent, ".site.rmm-new-456")
	putFiles(t, theirs, map[string]string{"thesis.docx": "x"})
	putFiles(t, ours, map[string]string{MarkerFile: markerHeader + "\n", "index.html": "half"})
	old := time.Now().Add(-time.Hour)
	for _, d := range []string{theirs, ours} {
		if err := os.Chtimes(d, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Build(context.Background(), Options{Repo: r, Out: filepath.Join(parent, "site")}); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, filepath.Join(theirs, "thesis.docx")); got != "x" {
		t.Errorf("thesis.docx holds %q", got)
	}
	if _, err := os.Stat(ours); !os.IsNotExist(err) {
		t.Errorf("the stale temporary folder is still there: %v", err)
	}
}

// Names with '%', control bytes and line breaks survive the marker.
func TestMarkerEscapes(t *testing.T) {
	names := map[string]bool{"a.html": true, "files/100%.png": true, "files/line\nbreak": true, "files/tab\t\r\x7f": true, "files/é.txt": true}
	b := markerBytes(names)
	if strings.Count(string(b), "\n") != len(names)+1 {
		t.Errorf("marker lines:\n%s", b)
	}
	got, err := parseMarker(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(names) {
		t.Errorf("read back %v", got)
	}
	for n := range names {
		if !got[n] {
			t.Errorf("%q was not read back", n)
		}
	}
	for _, bad := range []string{"", "rmm-site 2\n", "rmm-site 1\n../x\n", "rmm-site 1\n/etc/passwd\n", "rmm-site 1\nbad%zz\n", "rmm-site 1\nend%4\n"} {
		if _, err := parseMarker([]byte(bad)); err == nil {
			t.Errorf("%q was read", bad)
		}
	}
}
