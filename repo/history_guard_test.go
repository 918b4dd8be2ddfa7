package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// hOpenGuarded opens r with Open, whose go-git storage is guarded.
func hOpenGuarded(t *testing.T, r *hrepo) *Repo {
	t.Helper()
	rp, err := Open(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rp.Git.Storer.(*hguard); !ok {
		t.Fatalf("storage %T not guarded", rp.Git.Storer)
	}
	return rp
}

// hWant fails unless err is an error, not a recovered panic, holding each
// of want.
func hWant(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\n  lacks %q", err, w)
		}
	}
	t.Log(err)
}

// TestHistoryGuardGoGit reads damaged objects through go-git, as the rest
// of rmm does: a REF_DELTA cycle (a stack overflow in go-git alone), a
// subtree that is its parent (an endless tree walk), a loose object longer
// than it declares, and a chain too deep.
func TestHistoryGuardGoGit(t *testing.T) {
	t.Run("REF_DELTA cycle", func(t *testing.T) {
		r := newHPackRepo(t)
		a, b := hoid{0xaa}, hoid{0xbb}
		d := append(hVarint(10), hVarint(10)...)
		d = append(d, hDeltaCopy(0, 10)...)
		r.b.refDelta(a, b, d)
		r.b.refDelta(b, a, d)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		data := hCommitBytes(root, 0, "A commit built on the cycle")
		head := hObjHash(hobjCommit, data)
		r.b.refDelta(head, a, hDelta(make([]byte, 10), data))
		r.b.write(r.gitDir())
		rp := hOpenGuarded(t, r.hrepo)
		_, err := rp.Resolve(head.String())
		hWant(t, err, head.String()) // Resolve says no more
		_, err = rp.Tree(head.String())
		hWant(t, err, "object "+head.String(), "delta chain longer than 10000 (a cycle?)")
		// LoadHistory resolves a name through go-git. (Not with git
		// update-ref: git has no guard against this cycle and runs out of
		// memory.)
		if err := os.WriteFile(filepath.Join(r.gitDir(), "refs", "heads", "main"), []byte(head.String()+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = LoadHistory(r.gitDir(), "main", "")
		hWant(t, err, `resolving "main"`) // go-git says no more
	})

	t.Run("tree contains itself", func(t *testing.T) {
		r := newHPackRepo(t)
		a := r.blob("a\n")
		docs := hObjHash(hobjTree, hTreeBytes(hFile("a.md", a)))
		root, rootOff := r.tree(hDir("docs", docs), hFile("top.md", a))
		r.b.entries = append(r.b.entries, hpackEntry{hash: docs, off: rootOff})
		head, _ := r.commit(root, 0, "Cycle")
		r.b.write(r.gitDir())
		rp := hOpenGuarded(t, r.hrepo)
		_, err := rp.Tree(head.String())
		hWant(t, err, "object "+docs.String()+": the repository holds "+root.String()+" under that name (a damaged index?)")
	})

	t.Run("loose object longer than declared", func(t *testing.T) {
		r := newHRepo(t)
		root := hTreeBytes()
		rootHash := hObjHash(hobjTree, root)
		hLoose(t, r.gitDir(), rootHash, "tree 0\x00", root)
		data := hCommitBytes(rootHash, 0, "Loose")
		h := hObjHash(hobjCommit, data)
		hLoose(t, r.gitDir(), h, fmt.Sprintf("commit %d\x00", len(data)), append(data, make([]byte, 1<<20)...))
		rp := hOpenGuarded(t, r)
		_, err := rp.Tree(h.String())
		hWant(t, err, fmt.Sprintf("commit longer than its declared %d bytes", len(data)))
	})

	t.Run("delta chain too deep", func(t *testing.T) {
		r := newHPackRepo(t)
		root, _ := r.tree(hFile("a.md", r.blob("a\n")))
		data := hCommitBytes(root, 0, "The same commit, again and again")
		head, o := r.b.object(hobjCommit, data)
		same := hZlib(hDelta(data, data))
		for i := 0; i <= hMaxDeltaDepth; i++ {
			o = r.b.raw(hoid{3, byte(i >> 8), byte(i)}, hobjOfsDelta, uint64(len(hDelta(data, data))), hOfsEncode(r.b.next()-o), same)
		}
		r.b.entries[len(r.b.entries)-1].hash = head
		r.b.entries = append(r.b.entries[:2], r.b.entries[3:]...)
		r.b.write(r.gitDir())
		rp := hOpenGuarded(t, r.hrepo)
		_, err := rp.Tree(head.String())
		hWant(t, err, "delta chain longer than 10000")
	})

	t.Run("missing object", func(t *testing.T) {
		r := newHPackRepo(t)
		r.blob("a\n")
		r.b.write(r.gitDir())
		rp := hOpenGuarded(t, r.hrepo)
		_, err := rp.Git.Storer.EncodedObject(plumbing.AnyObject, plumbing.Hash{5})
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			t.Errorf("err = %v, want go-git's not found", err)
		}
	})
}

// TestHistoryGuardReads reads every file of every commit of a repository
// with packs, REF and OFS deltas and loose objects through the guarded
// storage, and compares with git.
func TestHistoryGuardReads(t *testing.T) {
	r := hBuildTricky(t)
	r.git("-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-a", "-d", "-f")
	r.write("loose.md", "a loose blob\n")
	r.commit("Loose objects")
	rp := hOpenGuarded(t, r)
	n := 0
	for _, c := range strings.Fields(r.git("rev-list", "--all")) {
		tree, err := rp.Tree(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range strings.Split(strings.TrimSpace(r.git("ls-tree", "-r", "--name-only", c)), "\n") {
			if p == "link" {
				continue
			}
			got, err := fs.ReadFile(tree, p)
			if err != nil {
				t.Fatalf("%s:%s: %v", c, p, err)
			}
			if want := r.git("show", c+":"+p); string(got) != want {
				t.Fatalf("%s:%s = %q, want %q", c, p, got, want)
			}
			n++
		}
	}
	if n < 50 {
		t.Errorf("only %d files read", n)
	}
}

// A git gc that runs while rmm has the repository open (git commit starts
// one in the background, git gc --auto) packs the loose objects and
// deletes them and the old packs: an object read after it is found in the
// new pack, not reported missing (bench/baseline.sh once failed with "read
// commit ...: object not found" this way).
func TestGuardSeesRepack(t *testing.T) {
	hr, _ := tagRepo(t)
	hr.git("repack", "-a", "-d", "-q")
	packed := hr.head()
	hr.write("policies/q.md", "# Q\n")
	loose := hr.commit("q")
	r, err := Open(hr.dir)
	if err != nil {
		t.Fatal(err)
	}
	// Both readers have now seen the old pack and the loose objects.
	if _, err := r.Tree(packed); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Git.CommitObject(plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")); err == nil {
		t.Fatal("an absent commit was found")
	}
	hr.git("gc", "-q", "--prune=now")
	if m, _ := filepath.Glob(filepath.Join(hr.gitDir(), "objects", loose[:2], loose[2:])); len(m) != 0 {
		t.Fatalf("gc left %s loose", loose)
	}
	for _, c := range []string{loose, packed} {
		if _, err := r.Tree(c); err != nil {
			t.Errorf("after gc: %v", err)
		}
	}
	if bad := r.CheckBlobs([]string{strings.TrimSpace(hr.git("rev-parse", "HEAD:policies/q.md"))}); bad != nil {
		t.Errorf("CheckBlobs after gc: %v", bad)
	}
}
