package repo

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
)

// submoduleRepo is a repository whose library (at prefix, "" for the top)
// holds a policy, a gitlink recorded in the index and a commit (vendor/sub,
// with files in its folder but no .git: as after a careless copy, so only
// the index says what it is), and a nested repository nobody added
// (nested/, with its own .git).
func submoduleRepo(t *testing.T, prefix string) (*hrepo, string) {
	t.Helper()
	r := newHRepo(t)
	at := func(p string) string {
		if prefix == "" {
			return p
		}
		return prefix + "/" + p
	}
	const pol = "---\nid: %s\nkind: policy\ntitle: T\nowner: o@example.org\nprocess_area: AM\n---\n\n# T\n\nText.\n"
	r.write(at("rmm.yaml"), "organization: Example\n")
	r.write(at("policies/p.md"), strings.Replace(pol, "%s", "AM-POL", 1))
	r.commit("library")
	head := r.head()
	r.git("update-index", "--add", "--cacheinfo", "160000,"+head+","+at("vendor/sub"))
	r.git("commit", "-q", "-m", "vendor")
	r.tick()
	r.write(at("vendor/sub/pol.md"), strings.Replace(pol, "%s", "SUB-POL", 1))
	r.write(at("nested/pol.md"), strings.Replace(pol, "%s", "NEST-POL", 1))
	r.git("-C", filepath.Join(r.dir, filepath.FromSlash(at("nested"))), "init", "-q")
	return r, filepath.Join(r.dir, filepath.FromSlash(prefix))
}

func TestLoadSkipsSubmodules(t *testing.T) {
	for _, prefix := range []string{"", "lib/pal"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			_, root := submoduleRepo(t, prefix)
			r, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			warnings := func(lib *doc.Library) []string {
				var out []string
				for _, d := range lib.Diags {
					if d.Rule == "submodule" {
						out = append(out, d.String())
					}
				}
				return out
			}
			wt, err := r.Load("", doc.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			head, err := r.Load("HEAD", doc.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sub := "vendor/sub: warning: vendor/sub is a git submodule: its files are not part of the library (list it in rmm.yaml ignore to silence this) [submodule]"
			nested := "nested: warning: nested is a nested git repository (it has a .git of its own): its files are not part of the library (list it in rmm.yaml ignore to silence this) [submodule]"
			if got, want := warnings(wt.Lib), []string{nested, sub}; !slices.Equal(got, want) {
				t.Errorf("working tree warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if got, want := warnings(head.Lib), []string{sub}; !slices.Equal(got, want) {
				t.Errorf("HEAD warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, s := range []*Snapshot{wt, head} {
				for p := range s.Lib.Files {
					if strings.HasPrefix(p, "vendor/") || strings.HasPrefix(p, "nested/") {
						t.Errorf("%q (commit %q) is a file of the library", p, s.Commit)
					}
				}
				for _, id := range []string{"SUB-POL", "NEST-POL"} {
					if s.Lib.ByID[id] != nil {
						t.Errorf("%s (commit %q) is a document", id, s.Commit)
					}
				}
				if s.Lib.ByID["AM-POL"] == nil {
					t.Errorf("AM-POL (commit %q) is missing", s.Commit)
				}
			}
		})
	}
}

// A submodule reads as an empty folder of the tree, as in a checkout that
// did not initialise it, and is no file of it.
func TestTreeFSSubmodule(t *testing.T) {
	hr, root := submoduleRepo(t, "")
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	head := strings.TrimSpace(hr.git("rev-parse", "HEAD"))
	tree, err := r.Tree(head)
	if err != nil {
		t.Fatal(err)
	}
	if !tree.IsSubmodule("vendor/sub") || tree.IsSubmodule("policies") || tree.IsSubmodule("vendor") {
		t.Errorf("IsSubmodule is wrong")
	}
	if h, ok := tree.BlobHash("vendor/sub"); ok {
		t.Errorf("BlobHash(vendor/sub) = %s, want none", h)
	}
	if got, want := tree.Paths(), []string{"policies/p.md", "rmm.yaml"}; !slices.Equal(got, want) {
		t.Errorf("Paths() = %q, want %q", got, want)
	}
	fi, err := fs.Stat(tree, "vendor/sub")
	if err != nil || !fi.IsDir() {
		t.Errorf("Stat(vendor/sub) = %v, %v; want a folder", fi, err)
	}
	if es, err := fs.ReadDir(tree, "vendor/sub"); err != nil || len(es) != 0 {
		t.Errorf("ReadDir(vendor/sub) = %v, %v; want empty", es, err)
	}
	if _, err := fs.ReadFile(tree, "vendor/sub"); err == nil {
		t.Errorf("ReadFile(vendor/sub) succeeded")
	}
	f, err := tree.Open("vendor/sub")
	if err != nil {
		t.Fatal(err)
	}
	if es, err := f.(fs.ReadDirFile).ReadDir(-1); err != nil || len(es) != 0 {
		t.Errorf("Open(vendor/sub).ReadDir = %v, %v; want empty", es, err)
	}
	var walked []string
	if err := fs.WalkDir(tree, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		walked = append(walked, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{".", "policies", "policies/p.md", "rmm.yaml", "vendor", "vendor/sub"}; !slices.Equal(walked, want) {
		t.Errorf("walked %q, want %q", walked, want)
	}
}

// InSubmodule names the submodule or nested repository a path is in.
func TestInSubmodule(t *testing.T) {
	_, root := submoduleRepo(t, "lib")
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"vendor/sub/pol.md":   "vendor/sub",
		"vendor/sub":          "vendor/sub",
		"vendor/sub/new/x.md": "vendor/sub",
		"nested/pol.md":       "nested",
		"policies/p.md":       "",
		"vendor/other.md":     "",
		"new/folder/x.md":     "",
	} {
		if got := r.InSubmodule(p); got != want {
			t.Errorf("InSubmodule(%q) = %q, want %q", p, got, want)
		}
	}
	if err := os.RemoveAll(filepath.Join(root, "nested", ".git")); err != nil {
		t.Fatal(err)
	}
	if got := r.InSubmodule("nested/pol.md"); got != "" {
		t.Errorf("InSubmodule(nested/pol.md) = %q once its .git is gone", got)
	}
}

// The working tree reads files by folder, and what it reads, or refuses,
// is os.Root's: a symlink to another folder of the root reads its target;
// one leading out of the root is refused.
func TestWorkTreeReadFile(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write := func(p, s string) {
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("rmm.yaml", "top\n")
	write("docs/policy/a.md", "a\n")
	write("docs/plan/b.md", "b\n")
	if err := os.WriteFile(filepath.Join(outside, "secret.md"), []byte("secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../plan/b.md", filepath.Join(root, "docs/policy/link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.md"), filepath.Join(root, "docs/policy/out.md")); err != nil {
		t.Fatal(err)
	}
	fsys, err := WorkTreeFS(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"rmm.yaml": "top\n", "docs/policy/a.md": "a\n", "docs/plan/b.md": "b\n", "docs/policy/link.md": "b\n"} {
		if b, err := fs.ReadFile(fsys, name); err != nil || string(b) != want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", name, b, err, want)
		}
	}
	for _, name := range []string{"docs/policy/out.md", "docs/policy/none.md", "docs/../../x", "/etc/passwd", "docs/policy/"} {
		if b, err := fs.ReadFile(fsys, name); err == nil {
			t.Errorf("ReadFile(%s) = %q, want an error", name, b)
		}
	}
	// A symlink to a FIFO is refused at once, never waited on.
	if runtime.GOOS == "linux" {
		if err := syscall.Mkfifo(filepath.Join(root, "docs/policy/fifo"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("fifo", filepath.Join(root, "docs/policy/fifo.md")); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := fs.ReadFile(fsys, "docs/policy/fifo.md"); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("ReadFile of a symlink to a FIFO: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("ReadFile of a symlink to a FIFO waits for a writer")
		}
	}
	// The folder replaced after a first read: the new one's file is read.
	if err := os.RemoveAll(filepath.Join(root, "docs/plan")); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ReadFile(fsys, "docs/plan/b.md"); err == nil {
		t.Error("a file of a folder removed since was read")
	}
	write("docs/plan/b.md", "b2\n")
	if b, err := fs.ReadFile(fsys, "docs/plan/b.md"); err != nil || string(b) != "b2\n" {
		t.Errorf("after the folder was made again: %q, %v", b, err)
	}
}

// The index's gitlinks are kept from one load to the next while the index
// file stays the same: a gitlink added (git rewrites the index) is seen
// by the next load of the same Repo, and one removed is gone.
func TestLoadSeesGitlinksChangeInTheIndex(t *testing.T) {
	hr, root := submoduleRepo(t, "")
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	age := func() {
		old := time.Now().Add(-time.Hour)
		if err := os.Chtimes(filepath.Join(hr.dir, ".git", "index"), old, old); err != nil {
			t.Fatal(err)
		}
	}
	gitlinks := func() []string {
		s, err := r.Load("", doc.LoadOptions{Cache: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range s.Lib.Diags {
			if d.Rule == "submodule" && strings.Contains(d.Message, "git submodule") {
				out = append(out, d.Path)
			}
		}
		return out
	}
	age()
	if got := gitlinks(); !slices.Equal(got, []string{"vendor/sub"}) {
		t.Fatalf("gitlinks %q", got)
	}
	if got := gitlinks(); !slices.Equal(got, []string{"vendor/sub"}) {
		t.Fatalf("gitlinks read again %q", got)
	}
	hr.write("third/x.md", "# x\n")
	hr.git("update-index", "--add", "--cacheinfo", "160000,"+hr.head()+",third")
	hr.git("rm", "-q", "--cached", "vendor/sub")
	age()
	if got := gitlinks(); !slices.Equal(got, []string{"third"}) {
		t.Errorf("after the index changed, gitlinks %q, want [third]", got)
	}
}
