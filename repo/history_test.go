package repo

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// hrepo is a repository built with the git command line for a test.
type hrepo struct {
	t     testing.TB
	dir   string
	when  int64 // committer time of the next commit
	adate int64 // author time of the next commit
}

func newHRepo(t testing.TB) *hrepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := &hrepo{t: t, dir: t.TempDir(), when: 1700000000, adate: 1600000000}
	r.git("init", "-q", "-b", "main")
	r.git("config", "gc.auto", "0")
	r.git("config", "commit.gpgsign", "false")
	r.git("config", "core.autocrlf", "false")
	return r
}

func (r *hrepo) env() []string {
	return append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+r.dir,
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.org",
		"GIT_COMMITTER_NAME=Grace Hopper", "GIT_COMMITTER_EMAIL=grace@example.org",
		fmt.Sprintf("GIT_AUTHOR_DATE=@%d +0130", r.adate),
		fmt.Sprintf("GIT_COMMITTER_DATE=@%d +0000", r.when),
		"GIT_LITERAL_PATHSPECS=1", "LC_ALL=C")
}

func (r *hrepo) run(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = r.env()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("git %s: %v: %s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), err
}

func (r *hrepo) git(args ...string) string {
	r.t.Helper()
	out, err := r.run(args...)
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

func (r *hrepo) head() string { return strings.TrimSpace(r.git("rev-parse", "HEAD")) }

// write creates or replaces a file, turning folders in the way into files
// and files in the way into folders.
func (r *hrepo) write(path, content string) {
	r.t.Helper()
	full := filepath.Join(r.dir, filepath.FromSlash(path))
	for d := filepath.Dir(full); d != r.dir; d = filepath.Dir(d) {
		if fi, err := os.Lstat(d); err == nil && !fi.IsDir() {
			if err := os.Remove(d); err != nil {
				r.t.Fatal(err)
			}
		}
	}
	if fi, err := os.Lstat(full); err == nil && fi.IsDir() {
		if err := os.RemoveAll(full); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *hrepo) remove(path string) {
	r.t.Helper()
	if err := os.RemoveAll(filepath.Join(r.dir, filepath.FromSlash(path))); err != nil && !errors.Is(err, syscall.ENOTDIR) {
		r.t.Fatal(err)
	}
}

// commit commits everything, one minute after the previous commit unless
// the caller moved the clock.
func (r *hrepo) commit(msg string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "--no-verify", "-m", msg)
	r.tick()
	return r.head()
}

func (r *hrepo) tick() {
	r.when += 60
	r.adate += 7
}

func (r *hrepo) gitDir() string { return filepath.Join(r.dir, ".git") }

// hCheck compares h with git log for every path of h, for every path
// git log reports changed, and for the folders of those paths.
func hCheck(t *testing.T, r *hrepo, rev string, h *History) {
	t.Helper()
	if h.Head() != rev {
		t.Errorf("Head() = %s, want %s", h.Head(), rev)
	}
	// Every path git reports, the folders above them too.
	out := r.git("-c", "core.quotePath=false", "log", "--no-merges", "--no-renames", "--name-only", "--format=", rev)
	want := map[string]bool{}
	check := map[string]bool{}
	for _, p := range strings.Split(out, "\n") {
		if p == "" {
			continue
		}
		want[p] = true
		for d := p; strings.Contains(d, "/"); {
			d = d[:strings.LastIndexByte(d, '/')]
			check[d] = true
		}
	}
	var wantPaths []string
	for p := range want {
		wantPaths = append(wantPaths, p)
		check[p] = true
	}
	sort.Strings(wantPaths)
	if got := h.Paths(); !slices.Equal(got, wantPaths) {
		t.Errorf("Paths() = %q\nwant %q", got, wantPaths)
	}
	check["no/such/file"] = true
	check["."] = true
	for p := range check {
		wantList := strings.Fields(r.git("log", "--no-merges", "--full-history", "--format=%H", rev, "--", p))
		var got []string
		for _, c := range h.Of(p) {
			got = append(got, c.Hash)
		}
		if !slices.Equal(got, wantList) {
			t.Errorf("Of(%q):\n got  %q\n want %q", p, got, wantList)
		}
	}
}

func hLoad(t *testing.T, r *hrepo, cacheDir string) *History {
	t.Helper()
	rev := r.head()
	h, err := LoadHistory(r.gitDir(), rev, cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// hBuildTricky makes a history with the cases that trip history code up.
func hBuildTricky(t *testing.T) *hrepo {
	r := newHRepo(t)
	r.write("a.md", "a1\n")
	r.write("dir/b.md", "b1\n")
	r.write("x", "x is a file\n")
	r.write("x-y.md", "sorts between x and x/\n")
	r.write("x.md", "x.md\n")
	r.commit("Root commit")

	// Equal commit dates from here: git log must order them as it queued them.
	r.git("checkout", "-q", "-b", "feature")
	r.write("a.md", "a2 feature\n")
	r.commit("Feature edits a")
	r.when -= 60
	r.remove("dir/b.md")
	r.write("dir2/b.md", "b1\n")
	r.commit("Rename b into dir2")
	r.when -= 60
	r.remove("x")
	r.write("x/y.md", "x became a folder\n")
	r.commit("x becomes a folder")
	r.when -= 60

	r.git("checkout", "-q", "main")
	r.write("a.md", "a2 main\n")
	r.commit("Main edits a")
	r.when -= 60
	r.remove("x.md")
	r.commit("Delete x.md")
	r.when -= 60
	r.write("x.md", "x.md is back\n")
	if err := os.Chmod(filepath.Join(r.dir, "x-y.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.commit("Re-add x.md, make x-y.md executable")
	r.when -= 60
	r.commit("An empty commit")

	// A merge with a conflict, resolved by hand.
	if _, err := r.run("merge", "-q", "--no-edit", "feature"); err == nil {
		t.Fatal("expected a conflict")
	}
	r.write("a.md", "a3 resolved\n")
	r.commit("Merge feature, resolving a.md")

	// A merge whose result equals one parent.
	r.git("checkout", "-q", "-b", "side", "HEAD~2")
	r.write("side.md", "only on side\n")
	r.write("a.md", "side view of a\n")
	r.commit("Side work")
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-edit", "-s", "ours", "side")
	r.tick()

	// x turns back into a file; a symlink; a deep path.
	r.remove("x")
	r.write("x", "x is a file again\n")
	if err := os.Symlink("a.md", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.write("deep/er/still/f.md", "deep\n")
	r.commit("x is a file again\n\nWith a body that is not the subject.")

	// An octopus merge of branches that each touch one file.
	base := r.head()
	for _, b := range []string{"o1", "o2", "o3"} {
		r.git("checkout", "-q", "-b", b, base)
		r.write(b+".md", b+"\n")
		r.commit("Branch " + b)
	}
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-edit", "o1", "o2", "o3")
	r.tick()
	r.write("o2.md", "after the octopus\n")
	r.commit("Edit o2 after octopus")
	return r
}

func TestHistoryTricky(t *testing.T) {
	r := hBuildTricky(t)
	rev := r.head()
	h := hLoad(t, r, "")
	hCheck(t, r, rev, h)
	if h.Incomplete() {
		t.Error("Incomplete() on a full clone")
	}

	// CommitInfo fields against git's own formatting.
	out := r.git("log", "--no-merges", "--format=%H%x00%an%x00%ae%x00%at%x00%ai", rev, "--", "x")
	var got []string
	for _, c := range h.Of("x") {
		got = append(got, fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%s", c.Hash, c.Author, c.Email, c.Date.Unix(),
			c.Date.Format("2006-01-02 15:04:05 -0700")))
	}
	if want := strings.Split(strings.TrimSpace(out), "\n"); !slices.Equal(got, want) {
		t.Errorf("CommitInfo of x:\n got  %q\n want %q", got, want)
	}
	if s := h.Of("deep/er/still/f.md")[0].Subject; s != "x is a file again" {
		t.Errorf("Subject = %q", s)
	}

	// The same history packed, the deltas now running the other way.
	r.git("gc", "-q", "--aggressive")
	hCheck(t, r, rev, hLoad(t, r, ""))
	// Deltas naming their base by hash rather than by offset.
	r.git("-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-a", "-d", "-f")
	hCheck(t, r, rev, hLoad(t, r, ""))
}

func TestHistoryRevisions(t *testing.T) {
	r := hBuildTricky(t)
	r.git("tag", "-a", "-m", "a tag", "baseline/one")
	want := hLoad(t, r, "")
	for _, rev := range []string{"main", "baseline/one", strings.TrimSpace(r.git("rev-parse", "baseline/one"))} {
		h, err := LoadHistory(r.gitDir(), rev, "")
		if err != nil {
			t.Fatalf("%s: %v", rev, err)
		}
		if h.Head() != want.Head() || !slices.Equal(h.Paths(), want.Paths()) {
			t.Errorf("%s: head %s, %d paths; want %s, %d", rev, h.Head(), len(h.Paths()), want.Head(), len(want.Paths()))
		}
	}
	if _, err := LoadHistory(r.gitDir(), strings.Repeat("ab", 20), ""); err == nil {
		t.Error("no error for a missing commit")
	}
	blob := strings.TrimSpace(r.git("rev-parse", "HEAD:a.md"))
	if _, err := LoadHistory(r.gitDir(), blob, ""); err == nil {
		t.Error("no error for a blob")
	}
	if _, err := LoadHistory(filepath.Join(r.dir, "nothing"), "main", ""); err == nil {
		t.Error("no error for a missing repository")
	}
}

// hBuildRandom makes a history of random edits on a few branches with merges,
// many commits sharing a date and some dated before their parents.
func hBuildRandom(t testing.TB, seed uint64, steps int) *hrepo {
	r := newHRepo(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	names := []string{"a.md", "b.md", "docs/c.md", "docs/d.md", "docs/sub/e.md", "docs/sub",
		"x", "x/y.md", "x/z/w.md", "x-y.md", "x.md", "docs-old/f.md", "n/o/p/q.md", "n/o"}
	branches := []string{"main"}
	cur := "main"
	r.write("a.md", "start\n")
	r.commit("Start")
	for i := 0; i < steps; i++ {
		switch op := rng.IntN(10); {
		case op < 6:
			for k := 0; k <= rng.IntN(3); k++ {
				p := names[rng.IntN(len(names))]
				if rng.IntN(4) == 0 {
					r.remove(p)
				} else {
					r.write(p, fmt.Sprintf("%s %d\n", p, rng.IntN(4)))
				}
			}
			// Dates: often equal, sometimes going back.
			r.when += int64(rng.IntN(3)-1) * 60
			r.commit(fmt.Sprintf("Step %d on %s", i, cur))
			r.when -= 60
		case op < 7:
			b := fmt.Sprintf("b%d", len(branches))
			r.git("checkout", "-q", "-b", b)
			branches = append(branches, b)
			cur = b
		case op < 8:
			cur = branches[rng.IntN(len(branches))]
			r.git("checkout", "-q", "-f", cur)
			r.git("clean", "-q", "-f", "-d")
		default:
			other := branches[rng.IntN(len(branches))]
			if other == cur {
				continue
			}
			if _, err := r.run("merge", "-q", "--no-edit", other); err != nil {
				// Keep whatever the conflict left, markers and all.
				r.git("add", "-A")
				r.git("commit", "-q", "--no-edit", "--no-verify")
			}
			r.tick()
		}
	}
	r.git("checkout", "-q", "-f", "main")
	for _, b := range branches[1:] {
		r.run("merge", "-q", "--no-edit", b)
		if _, err := r.run("diff", "--quiet", "--cached"); err != nil {
			r.git("add", "-A")
			r.git("commit", "-q", "--no-edit", "--no-verify")
		}
		r.git("reset", "-q", "--hard")
		r.tick()
	}
	return r
}

func TestHistoryRandom(t *testing.T) {
	defer func(v int) { hIdxMin = v }(hIdxMin)
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			// Half the runs send every tree through the entry index.
			if seed%2 == 0 {
				hIdxMin = 0
			} else {
				hIdxMin = 2048
			}
			r := hBuildRandom(t, seed, 80)
			rev := r.head()
			if n := strings.Count(r.git("rev-list", "--merges", rev), "\n"); n == 0 {
				t.Fatal("no merges in the random history")
			}
			hCheck(t, r, rev, hLoad(t, r, "")) // loose objects only
			r.git("gc", "-q")
			hCheck(t, r, rev, hLoad(t, r, "")) // one pack
			// Two packs and loose objects.
			r.write("after-gc.md", "new\n")
			r.commit("After gc")
			r.git("repack", "-q", "-d")
			r.write("after-gc.md", "loose\n")
			r.commit("Loose again")
			hCheck(t, r, r.head(), hLoad(t, r, ""))
		})
	}
}

func TestHistoryShallow(t *testing.T) {
	src := hBuildRandom(t, 7, 40)
	src.git("gc", "-q")
	dst := &hrepo{t: t, dir: filepath.Join(t.TempDir(), "clone"), when: src.when, adate: src.adate}
	src.git("clone", "-q", "--depth", "3", "file://"+src.dir, dst.dir)
	cache := t.TempDir()
	h, err := LoadHistory(dst.gitDir(), dst.head(), cache)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Incomplete() {
		t.Error("Incomplete() = false on a shallow clone")
	}
	hCheck(t, dst, dst.head(), h)

	// Deepening the clone changes what the grafted commits' parents are:
	// the cached records of those commits must not be trusted.
	dst.git("fetch", "-q", "--unshallow")
	h, err = LoadHistory(dst.gitDir(), dst.head(), cache)
	if err != nil {
		t.Fatal(err)
	}
	if h.Incomplete() {
		t.Error("Incomplete() after unshallow")
	}
	hCheck(t, dst, dst.head(), h)
}

func TestHistoryCache(t *testing.T) {
	r := hBuildTricky(t)
	cache := filepath.Join(t.TempDir(), "rmm", "history")
	plain := hLoad(t, r, "")
	first := hLoad(t, r, cache)
	if first.stats.read != first.stats.commits || first.stats.commits == 0 {
		t.Errorf("first call read %d of %d commits", first.stats.read, first.stats.commits)
	}
	second := hLoad(t, r, cache)
	if second.stats.read != 0 || second.stats.diffed != 0 {
		t.Errorf("second call read %d commits and diffed %d, want none", second.stats.read, second.stats.diffed)
	}
	for _, h := range []*History{first, second} {
		if !slices.Equal(h.Paths(), plain.Paths()) {
			t.Fatalf("paths differ with the cache")
		}
		for _, p := range plain.Paths() {
			if g, w := h.Of(p), plain.Of(p); !slices.EqualFunc(g, w, hSameInfo) {
				t.Errorf("Of(%q) with the cache:\n got  %v\n want %v", p, g, w)
			}
		}
	}

	// One more commit: only it is read and diffed.
	r.write("dir2/b.md", "after the cache\n")
	r.commit("One more")
	third := hLoad(t, r, cache)
	if third.stats.read != 1 || third.stats.diffed != 1 {
		t.Errorf("after one commit: read %d, diffed %d; want 1, 1", third.stats.read, third.stats.diffed)
	}
	hCheck(t, r, r.head(), third)

	// A corrupt cache is ignored and rewritten.
	file := filepath.Join(cache, hCacheFile)
	for _, corrupt := range []func([]byte) []byte{
		func(b []byte) []byte { b[len(b)/2] ^= 0x55; return b },
		func(b []byte) []byte { return b[:len(b)/3] },
		func([]byte) []byte { return []byte("garbage") },
		func([]byte) []byte { return nil },
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, corrupt(data), 0o644); err != nil {
			t.Fatal(err)
		}
		h := hLoad(t, r, cache)
		if h.stats.read != h.stats.commits {
			t.Errorf("corrupt cache: read %d of %d commits", h.stats.read, h.stats.commits)
		}
		hCheck(t, r, r.head(), h)
		if h := hLoad(t, r, cache); h.stats.read != 0 {
			t.Errorf("the cache was not rewritten: read %d", h.stats.read)
		}
	}

	// A cache folder that cannot be written is no error.
	ro := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(ro, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	hCheck(t, r, r.head(), hLoad(t, r, filepath.Join(ro, "history")))
}

func hSameInfo(a, b CommitInfo) bool {
	return a.Hash == b.Hash && a.Author == b.Author && a.Email == b.Email &&
		a.Date.Equal(b.Date) && a.Date.Format(time.RFC3339) == b.Date.Format(time.RFC3339) && a.Subject == b.Subject
}

// TestHistoryGoGit reads a repository written by go-git: loose objects only.
func TestHistoryGoGit(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600))
	files := []string{"rmm.yaml", "docs/policy/POL-1.md", "docs/plan/PLAN-1.md", "docs/plan/PLAN-2.md"}
	var hashes []string
	for i := 0; i < 12; i++ {
		name := files[i%len(files)]
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(fmt.Sprintf("revision %d\n", i)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := wt.Add(name); err != nil {
			t.Fatal(err)
		}
		sig := &object.Signature{Name: "Dana Scully", Email: "dana@example.org", When: when.Add(time.Duration(i) * time.Hour)}
		h, err := wt.Commit(fmt.Sprintf("Edit %s\n\nbody", name), &git.CommitOptions{Author: sig, Committer: sig})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h.String())
	}
	if packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack")); len(packs) != 0 {
		t.Fatalf("expected loose objects only, found %v", packs)
	}
	h, err := LoadHistory(filepath.Join(dir, ".git"), hashes[len(hashes)-1], "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Paths(), []string{"docs/plan/PLAN-1.md", "docs/plan/PLAN-2.md", "docs/policy/POL-1.md", "rmm.yaml"}) {
		t.Errorf("Paths() = %q", h.Paths())
	}
	got := h.Of("docs/plan/PLAN-2.md")
	want := []string{hashes[11], hashes[7], hashes[3]}
	if len(got) != 3 || got[0].Hash != want[0] || got[1].Hash != want[1] || got[2].Hash != want[2] {
		t.Errorf("Of(PLAN-2) = %v, want %v", got, want)
	}
	c := got[0]
	if c.Author != "Dana Scully" || c.Email != "dana@example.org" || c.Subject != "Edit docs/plan/PLAN-2.md" ||
		!c.Date.Equal(when.Add(11*time.Hour)) || c.Date.Format("-0700") != "-0500" {
		t.Errorf("CommitInfo = %+v", c)
	}
	if got := h.Of("docs/plan"); len(got) != 6 {
		t.Errorf("Of(docs/plan) has %d commits, want 6", len(got))
	}
	if got := h.Of("nothing"); got != nil {
		t.Errorf("Of(nothing) = %v", got)
	}
}

// hFastImport writes a linear history of files commits into r with git
// fast-import, as bench/gencorpus.py does: the first commit adds every file,
// each later one edits one to three, and with churn some are deleted or
// turned into folders. It returns the final commit.
func hFastImport(t testing.TB, r *hrepo, files, commits int, churn bool) string {
	var in bytes.Buffer
	rng := rand.New(rand.NewPCG(1, 2))
	for c := 0; c < commits; c++ {
		msg := fmt.Sprintf("Commit %d", c)
		fmt.Fprintf(&in, "commit refs/heads/main\ncommitter Ada <ada@example.org> %d +0000\ndata %d\n%s\n", 1700000000+c*60, len(msg), msg)
		n := 1 + rng.IntN(3)
		if c == 0 {
			n = files
		}
		for k := 0; k < n; k++ {
			i := k
			if c > 0 {
				i = rng.IntN(files)
			}
			path := fmt.Sprintf("docs/k%d/DOC-%04d.md", i%7, i)
			if churn && c > 0 {
				switch rng.IntN(8) {
				case 0:
					fmt.Fprintf(&in, "D %s\n", path)
					continue
				case 1:
					path += "/inner.md"
				}
			}
			body := fmt.Sprintf("---\nid: DOC-%d\n---\n# Document %d\n\nRevision %d.\n", i, i, c)
			fmt.Fprintf(&in, "M 100644 inline %s\ndata %d\n%s\n", path, len(body), body)
		}
		in.WriteString("\n")
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = r.dir
	cmd.Env = r.env()
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fast-import: %v: %s", err, out)
	}
	return strings.TrimSpace(r.git("rev-parse", "main"))
}

// TestHistoryLargeTrees covers trees big enough for the entry index, with
// the deltas fast-import writes (each version against the previous one),
// then with a cache so small that every object is evicted and its buffers
// reused as soon as it may be.
func TestHistoryLargeTrees(t *testing.T) {
	r := newHRepo(t)
	rev := hFastImport(t, r, 700, 300, true)
	h, err := LoadHistory(r.gitDir(), rev, "")
	if err != nil {
		t.Fatal(err)
	}
	hCheck(t, r, rev, h)

	defer func(v int) { hReaderBudget = v }(hReaderBudget)
	for _, budget := range []int{1, 64 << 10, 256 << 10} {
		hReaderBudget = budget
		small, err := LoadHistory(r.gitDir(), rev, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range h.Paths() {
			if g, w := small.Of(p), h.Of(p); !slices.EqualFunc(g, w, hSameInfo) {
				t.Fatalf("Of(%q) with a cache of %d bytes:\n got  %v\n want %v", p, budget, g, w)
			}
		}
	}
}

// TestHistoryAlternates reads a clone that borrows its objects from another
// repository (git clone --shared).
func TestHistoryAlternates(t *testing.T) {
	src := hBuildTricky(t)
	src.git("gc", "-q")
	dst := &hrepo{t: t, dir: filepath.Join(t.TempDir(), "clone"), when: src.when, adate: src.adate}
	src.git("clone", "-q", "--shared", src.dir, dst.dir)
	dst.write("new.md", "only in the clone\n")
	dst.commit("Commit in the clone")
	hCheck(t, dst, dst.head(), hLoad(t, dst, ""))
}

// TestHistoryWorktree reads the history from a linked worktree, whose
// objects are in the main repository.
func TestHistoryWorktree(t *testing.T) {
	src := hBuildTricky(t)
	src.git("gc", "-q")
	src.write("loose.md", "loose\n")
	src.commit("A loose commit")
	dir := filepath.Join(t.TempDir(), "linked")
	src.git("worktree", "add", "-q", dir)
	wt := &hrepo{t: t, dir: dir, when: src.when, adate: src.adate}
	gitDir := strings.TrimSpace(wt.git("rev-parse", "--absolute-git-dir"))
	h, err := LoadHistory(gitDir, wt.head(), "")
	if err != nil {
		t.Fatal(err)
	}
	hCheck(t, wt, wt.head(), h)
}

// TestHistoryDiffStates diffs every commit against its parent, both ways,
// with the entry index known for neither tree, one or both, and compares
// with a plain walk of the entries.
func TestHistoryDiffStates(t *testing.T) {
	r := newHRepo(t)
	hFastImport(t, r, 500, 120, true)
	db, err := hOpenODB(r.gitDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.close()
	var pairs [][2]hoid
	for _, line := range strings.Split(strings.TrimSpace(r.git("log", "--format=%T %P", "main")), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		tree := hoid(hexBytes(t, f[0]))
		o, err := hNewReader(db, 1<<20).read(hoid(hexBytes(t, f[1])), false)
		if err != nil {
			t.Fatal(err)
		}
		var c hcommit
		if err := hParseCommit(o.data, &c); err != nil {
			t.Fatal(err)
		}
		parent := c.tree
		pairs = append(pairs, [2]hoid{parent, tree}, [2]hoid{tree, parent})
	}
	diff := func(a, b hoid, indexA, indexB bool) []string {
		d := newHDiffer(hNewReader(db, 64<<20))
		for _, x := range []struct {
			h  hoid
			on bool
		}{{a, indexA}, {b, indexB}} {
			if x.on {
				hIndexAll(t, d, x.h)
			}
		}
		if err := d.diffRoot(a, b); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, id := range d.out {
			out = append(out, d.paths[id])
		}
		sort.Strings(out)
		return out
	}
	defer func(v int) { hIdxMin = v }(hIdxMin)
	for _, p := range pairs {
		hIdxMin = 1 << 30
		want := diff(p[0], p[1], false, false)
		if len(want) == 0 {
			t.Fatalf("no change between %s and %s", p[0], p[1])
		}
		hIdxMin = 0
		for _, st := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			if got := diff(p[0], p[1], st[0], st[1]); !slices.Equal(got, want) {
				t.Errorf("%s..%s indexed %v: %q, want %q", p[0], p[1], st, got, want)
			}
		}
	}
}

// hIndexAll gives every tree below h its entry index, in d's reader.
func hIndexAll(t *testing.T, d *hdiffer, h hoid) {
	o, err := d.r.read(h, true)
	if err != nil || o.typ != hobjTree {
		t.Fatal(h, err)
	}
	idx, err := hIndex(o.data)
	if err != nil {
		t.Fatal(err)
	}
	d.r.setIdx(o, idx)
	for pos := 0; pos < len(o.data); {
		mode, _, hash, next, err := hEntry(o.data, pos)
		if err != nil {
			t.Fatal(err)
		}
		if hIsTree(mode) {
			hIndexAll(t, d, hoid(hash))
		}
		pos = next
	}
}

func hexBytes(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 20 {
		t.Fatalf("bad hash %q", s)
	}
	return b
}

// BenchmarkLoadHistory measures a history of 1,000 files and 2,000 commits
// written with git fast-import, packed as fast-import leaves it.
func BenchmarkLoadHistory(b *testing.B) {
	r := newHRepo(b)
	rev := hFastImport(b, r, 1000, 2000, false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h, err := LoadHistory(r.gitDir(), rev, "")
		if err != nil {
			b.Fatal(err)
		}
		if len(h.Paths()) != 1000 {
			b.Fatalf("%d paths", len(h.Paths()))
		}
	}
}

// TestHistoryDeltaHints checks, for every object of real packs built from a
// delta, that the unchanged ends the delta reports are unchanged.
func TestHistoryDeltaHints(t *testing.T) {
	r := newHRepo(t)
	hFastImport(t, r, 300, 150, true)
	for _, repack := range [][]string{nil, {"repack", "-q", "-a", "-d", "-f"}} {
		if repack != nil {
			r.git(repack...)
		}
		db, err := hOpenODB(r.gitDir())
		if err != nil {
			t.Fatal(err)
		}
		rd := hNewReader(db, 1<<30)
		checked := 0
		for pi, p := range db.packs {
			for k := 0; k < p.n; k++ {
				o, err := rd.read(hoid(p.hashes[k*20:k*20+20]), true)
				if err != nil {
					t.Fatal(err)
				}
				if o.baseKey == 0 {
					continue
				}
				base := rd.byKey[o.baseKey]
				if base == nil || o.baseKey>>48 != uint64(pi+1) {
					t.Fatalf("base of %x not cached", p.hashes[k*20:k*20+20])
				}
				a, b := o.data, base.data
				if o.pre > len(a) || o.suf > len(a) || !bytes.Equal(a[:o.pre], b[:o.pre]) ||
					!bytes.Equal(a[len(a)-o.suf:], b[len(b)-o.suf:]) {
					t.Fatalf("%x: pre %d suf %d wrong", p.hashes[k*20:k*20+20], o.pre, o.suf)
				}
				checked++
			}
		}
		db.close()
		if checked < 100 {
			t.Errorf("only %d deltas checked", checked)
		}
	}
}

// Touched is membership of Of(""): every commit git log lists for the
// whole tree (merges left out), and no merge, no other hash.
func TestHistoryTouched(t *testing.T) {
	r := hBuildTricky(t)
	rev := r.head()
	h := hLoad(t, r, "")
	all := strings.Fields(r.git("log", "--format=%H", rev))
	changed := map[string]bool{}
	for _, c := range strings.Fields(r.git("log", "--no-merges", "--full-history", "--format=%H", rev, "--", ".")) {
		changed[c] = true
	}
	if len(changed) == 0 || len(changed) == len(all) {
		t.Fatalf("test bug: %d commits, %d not merges", len(all), len(changed))
	}
	for _, c := range append(all, strings.Repeat("0", 40), "") {
		if got := h.Touched(c); got != changed[c] {
			t.Errorf("Touched(%q) = %v, git log says %v", c, got, changed[c])
		}
	}
}
