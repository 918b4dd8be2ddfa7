package repo

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
)

// TestLoadIgnoresWhatGitIgnores: the working tree's files are those git
// itself lists as not ignored (`git ls-files -co --exclude-standard`):
// .gitignore files at every depth, the ones above the library's root
// when it is a folder of the repository, negations, folder-only rules,
// a negation under an ignored folder (which git does not honour) and
// .git/info/exclude.
func TestLoadIgnoresWhatGitIgnores(t *testing.T) {
	for _, prefix := range []string{"", "lib/pal"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			r := newHRepo(t)
			at := func(p string) string {
				if prefix == "" {
					return p
				}
				return prefix + "/" + p
			}
			top := "*.tmp\n/build/\n!keep.tmp\n# a comment\n\n   \nlog*/\r\n**/gen/\nx/**/z.md\n"
			lib := "drafts/\n/top-only.md\nnotes/*.md\n!notes/keep.md\n"
			if prefix == "" {
				top += lib
			}
			r.write(".gitignore", top)
			r.write(".git/info/exclude", "secret/\n*.bak\n")
			if prefix != "" {
				r.write("lib/.gitignore", "scratch/\n!pal/\n")
				r.write("lib/other.md", "# outside the library\n")
			}
			r.write(at("rmm.yaml"), "organization: Example\n")
			if prefix != "" {
				r.write(at(".gitignore"), lib)
			}
			for _, p := range []string{
				"policies/p.md", "policies/p.tmp", "policies/keep.tmp", "policies/p.md.bak",
				"build/x.md", "sub/build/y.md", "logs/a.md", "logbook.md",
				"secret/s.md", "scratch/t.md", "drafts/d.md", "drafts/keep.tmp",
				"top-only.md", "sub/top-only.md",
				"a/b/c.md", "a/b/d.md", "a/b/important.md", "a/e.md",
				"gen/g.md", "q/gen/g.md", "x/z.md", "x/y/w/z.md", "x/y/z.md.txt",
				"notes/n.md", "notes/keep.md", "notes/deeper/n.md",
			} {
				r.write(at(p), "# "+p+"\n")
			}
			r.write(at("a/.gitignore"), "b/*.md\n!important.md\n")
			r.write(at("a/b/.gitignore"), "!d.md\n")
			r.write(at("drafts/.gitignore"), "!d.md\n")

			root := filepath.Join(r.dir, filepath.FromSlash(prefix))
			out := r.git("-C", root, "ls-files", "-co", "--exclude-standard")
			var want []string
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				want = append(want, l)
			}
			sort.Strings(want)

			rp, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			s, err := rp.Load("", doc.LoadOptions{Cache: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for p := range s.Lib.Files {
				got = append(got, p)
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("the working tree's files\n%s\ngit lists\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// A .gitignore that is a FIFO is not read (it would block the load
// forever), nor one that is a symlink (git does not follow those either).
func TestLoadSkipsIgnoreFilesThatAreNotFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("FIFOs and symlinks as on Linux")
	}
	r := newHRepo(t)
	r.write("rmm.yaml", "organization: Example\n")
	r.write("a/x.md", "# x\n")
	r.write("b/y.md", "# y\n")
	r.write("rules", "*.md\n")
	if err := syscall.Mkfifo(filepath.Join(r.dir, "a", ".gitignore"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../rules", filepath.Join(r.dir, "b", ".gitignore")); err != nil {
		t.Fatal(err)
	}
	rp, err := Open(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *Snapshot)
	go func() {
		s, err := rp.Load("", doc.LoadOptions{Cache: t.TempDir()})
		if err != nil {
			t.Error(err)
		}
		done <- s
	}()
	select {
	case s := <-done:
		if s != nil && (!s.Lib.Files["a/x.md"] || !s.Lib.Files["b/y.md"]) {
			t.Errorf("files %v", s.Lib.Files)
		}
	case <-time.After(time.Minute):
		t.Fatal("the load blocked on a FIFO named .gitignore")
	}
}
