package render

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func startWatch(t *testing.T, root, gitDir string, skip func(string) bool) *Watcher {
	t.Helper()
	w, err := Watch(root, gitDir, WatchOptions{Interval: 20 * time.Millisecond, SkipDir: skip})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// nextBatch waits for the watcher's next batch; the timeout only guards
// against a hang.
func nextBatch(t *testing.T, w *Watcher) []string {
	t.Helper()
	select {
	case b, ok := <-w.Changes:
		if !ok {
			t.Fatal("watcher closed")
		}
		return b
	case err := <-w.Errors:
		t.Fatalf("watch error: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("no batch of changes within 20 s")
	}
	return nil
}

// waitFor collects batches until one holds path, and returns everything
// seen up to then.
func waitFor(t *testing.T, w *Watcher, path string) []string {
	t.Helper()
	var seen []string
	for {
		b := nextBatch(t, w)
		if !slices.IsSorted(b) || len(slices.Compact(slices.Clone(b))) != len(b) {
			t.Errorf("batch not sorted and unique: %q", b)
		}
		seen = append(seen, b...)
		if slices.Contains(b, path) {
			return seen
		}
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchReportsAnEditedDocument(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "policies", "a.md"), "one")
	w := startWatch(t, root, "", nil)
	p := filepath.Join(root, "policies", "a.md")
	write(t, p, "two")
	if b := nextBatch(t, w); !slices.Equal(b, []string{p}) {
		t.Errorf("batch = %q, want just %s", b, p)
	}
}

func TestWatchIgnoresEditorNoiseAndChmod(t *testing.T) {
	root := t.TempDir()
	keep := filepath.Join(root, "keep.md")
	write(t, keep, "x")
	w := startWatch(t, root, "", nil)
	for _, n := range []string{".a.md.swp", "a.md~", "4913", ".#a.md", "#a.md#", "a.md.swx"} {
		write(t, filepath.Join(root, n), "noise")
	}
	if err := os.Chmod(keep, 0o600); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(root, "real.md")
	write(t, real, "y")
	seen := waitFor(t, w, real)
	if !slices.Equal(seen, []string{real}) {
		t.Errorf("saw %q, want only %s (noise and a chmod are not changes)", seen, real)
	}
}

func TestWatchFollowsNewFolders(t *testing.T) {
	root := t.TempDir()
	w := startWatch(t, root, "", nil)
	// Written at once with the folder: may land before the folder's watch
	// is in place, so the watcher must look inside a new folder.
	first := filepath.Join(root, "lessons", "2026", "first.md")
	write(t, first, "a")
	waitFor(t, w, first)
	// Written later: proves the new folder is watched.
	second := filepath.Join(root, "lessons", "2026", "second.md")
	write(t, second, "b")
	waitFor(t, w, second)
}

func TestWatchSkipsOutputFolders(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "_site", "index.html"), "old")
	out := filepath.Join(root, "out")
	w := startWatch(t, root, "", SkipOutput(root, out, "_site"))
	write(t, filepath.Join(root, "_site", "index.html"), "new")
	write(t, filepath.Join(out, "index.html"), "new")       // created after the watch began
	write(t, filepath.Join(root, "out.tmp1", "a.html"), "") // a build's folder beside the output
	write(t, filepath.Join(root, ".idea", "x.xml"), "")
	real := filepath.Join(root, "doc.md")
	write(t, real, "x")
	for _, p := range waitFor(t, w, real) {
		if p != real {
			t.Errorf("saw %s: output and hidden folders are not watched", p)
		}
	}
	// .rmm holds template overrides: it is watched.
	tmpl := filepath.Join(root, ".rmm", "templates", "site", "page.html")
	write(t, tmpl, "x")
	waitFor(t, w, tmpl)
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.org")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestWatchSeesCommitsButNotGitInternals(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := t.TempDir()
	git(t, root, "init", "-q", "-b", "main")
	write(t, filepath.Join(root, "a.md"), "a")
	git(t, root, "add", "a.md")
	git(t, root, "commit", "-q", "-m", "first")
	gitDir := filepath.Join(root, ".git")
	w := startWatch(t, root, gitDir, nil)

	git(t, root, "add", "a.md") // touches .git/index only
	write(t, filepath.Join(root, "b.md"), "b")
	git(t, root, "add", "b.md")
	git(t, root, "commit", "-q", "-m", "second")
	ref := filepath.Join(gitDir, "refs", "heads", "main")
	seen := waitFor(t, w, ref)
	for _, p := range seen {
		if p != ref && p != filepath.Join(root, "b.md") {
			t.Errorf("saw %s: only documents and refs are changes", p)
		}
	}
	git(t, root, "tag", "baseline/one")
	waitFor(t, w, filepath.Join(gitDir, "refs", "tags", "baseline", "one"))
}

func TestWatchBatchesABurst(t *testing.T) {
	root := t.TempDir()
	w := startWatch(t, root, "", nil)
	var want []string
	for i := range 50 {
		p := filepath.Join(root, "measures", "m"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+".md")
		write(t, p, "v1")
		write(t, p, "v2")
		want = append(want, p)
	}
	slices.Sort(want)
	got := map[string]bool{}
	batches := 0
	for len(got) < len(want) {
		for _, p := range nextBatch(t, w) {
			got[p] = true
		}
		batches++
	}
	t.Logf("100 writes to 50 files arrived in %d batches", batches)
	if batches >= 100 {
		t.Errorf("%d batches for 100 writes: events are not batched", batches)
	}
}

func TestWatchCloseEndsChanges(t *testing.T) {
	w, err := Watch(t.TempDir(), "", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, ok := <-w.Changes; ok {
		t.Error("Changes still open after Close")
	}
	w.Close() // twice is fine
}

func TestWatchMissingRoot(t *testing.T) {
	if _, err := Watch(filepath.Join(t.TempDir(), "nope"), "", WatchOptions{}); err == nil {
		t.Error("watching a missing folder succeeded")
	}
}
