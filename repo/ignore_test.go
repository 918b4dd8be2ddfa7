package repo

import (
	"fmt"
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

			sameFilesAsGit(t, r, nil, filepath.Join(r.dir, filepath.FromSlash(prefix)), "the working tree")
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

type igCase struct {
	name   string
	prefix string
	files  map[string]string // path (relative to repo top) -> content
	commit bool              // commit everything before adding ignore rules in "later"
	later  map[string]string
}

func igCompare(t *testing.T, c igCase) {
	r := newHRepo(t)
	at := func(p string) string {
		if c.prefix == "" {
			return p
		}
		return c.prefix + "/" + p
	}
	r.write(at("rmm.yaml"), "organization: Example\n")
	for p, s := range c.files {
		r.write(p, s)
	}
	if c.commit {
		r.git("add", "-A")
		r.commit("c")
	}
	for p, s := range c.later {
		r.write(p, s)
	}
	sameFilesAsGit(t, r, nil, filepath.Join(r.dir, filepath.FromSlash(c.prefix)), c.name)
}

// TestLoadIgnoresAsGitDoes: more rules against git itself, each a way
// go-git's matcher (and this package's first matcher) read them
// otherwise: `**` at either end and in the middle (with backtracking), a
// `**` inside a name, `[!a]` and POSIX classes, a byte order mark, a file
// the index tracks that a rule names (git lists it), and a library whose
// own folder a `**` rule names.
func TestLoadIgnoresAsGitDoes(t *testing.T) {
	cases := []igCase{
		{name: "trailing-doublestar-negation", files: map[string]string{
			".gitignore": "docs/**\n!docs/*.md\n", "docs/a.md": "# a\n", "docs/b.txt": "b\n"}},
		{name: "leading-doublestar-prefix-exclude", files: map[string]string{
			".gitignore": "**/gen\n!/gen/\n", "gen/g.md": "# g\n"}},
		{name: "leading-doublestar-prefix-include", files: map[string]string{
			".gitignore": "*.txt\n!**/keep\n", "keep/x.txt": "x\n"}},
		{name: "middle-doublestar-backtrack", files: map[string]string{
			".gitignore": "**/a/b.md\n", "x/a/c/a/b.md": "# b\n"}},
		{name: "star-star-in-segment", files: map[string]string{
			".gitignore": "docs/draft**\n", "docs/drafts.md": "# d\n"}},
		{name: "bang-class", files: map[string]string{
			".gitignore": "[!a]*.md\n", "b.md": "# b\n", "a.md": "# a\n"}},
		{name: "posix-class", files: map[string]string{
			".gitignore": "v[[:digit:]].md\n", "v1.md": "# v\n"}},
		{name: "bom", files: map[string]string{
			".gitignore": "\xEF\xBB\xBFsecret.md\r\n", "secret.md": "# s\n"}},
		{name: "tracked-then-ignored", commit: true, files: map[string]string{
			"policy.md": "# p\n"}, later: map[string]string{".gitignore": "policy.md\n"}},
		{name: "tracked-in-ignored-folder", commit: true, files: map[string]string{
			"old/kept.md": "# k\n"}, later: map[string]string{".gitignore": "old/\n", "old/new.md": "# n\n", "old/sub/x.md": "# x\n"}},
		{name: "doublestar-dir", files: map[string]string{
			".gitignore": "**/tmp/**\n!**/tmp/**/*.md\n", "tmp/a.md": "#\n", "x/tmp/b.md": "#\n", "x/tmp/c.txt": "#\n"}},
		{name: "prefix-doublestar", prefix: "lib/pal", files: map[string]string{
			"lib/.gitignore": "pal/**\n!pal/*\n", "lib/pal/a.md": "# a\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { igCompare(t, c) })
	}
}

// FuzzIgnoreRule: no line of an ignore file panics or hangs, read or
// matched.
func FuzzIgnoreRule(f *testing.F) {
	for _, s := range []string{"*.tmp", "!keep/", "/build/", "a/**/b", "[!a]*", "v[[:digit:]]", `\!x`, "[abc", `x\`, "**", "a/**", " \\ "} {
		f.Add(s, "a/b/c.md")
	}
	f.Fuzz(func(t *testing.T, line, p string) {
		if len(line) > 1<<10 || len(p) > 1<<10 {
			return
		}
		r, ok := parseIgnoreRule(line, []string{"lib"})
		if !ok {
			return
		}
		path := append([]string{"lib"}, strings.Split(p, "/")...)
		r.matches(path, false)
		r.matches(path, true)
	})
}

// TestIgnorePatternsAsGit: one rule at a time, each of many patterns
// against the same tree, judged by git ls-files itself: wildmatch's
// stars, classes, ranges, escapes and `**` in every place.
func TestIgnorePatternsAsGit(t *testing.T) {
	r := newHRepo(t)
	r.write("rmm.yaml", "organization: Example\n")
	files := []string{
		"a.md", "b.md", "ab.md", "abc.txt", "x1.md", "xa.md", "v9.md", "V.md", "-.md", "]x.md", "[x].md",
		"#h.md", "!bang.md", "sp .md", "é.md", "a*b.md", "a?b.md",
		"docs/a.md", "docs/deep/a.md", "docs/deep/er/b.txt", "docs/draft1.md", "docs/drafts/x.md",
		"x/a/b.md", "x/a/c/a/b.md", "x/y/z/w.md", "gen/g.md", "src/gen/h.md", "tmp/t.md", "a/tmp/b/t.md",
	}
	for _, f := range files {
		r.write(f, "# f\n")
	}
	patterns := []string{
		"*.md", "*", "?.md", "a*", "*b*", "[ab].md", "[!ab].md", "[^ab].md", "[a-c]*.md", "[]x]*", "[[]x].md",
		"x[[:digit:]].md", "x[[:alpha:]].md", "[[:upper:]].md", "[-].md", "[a-]*.md", `\#h.md`, `\!bang.md`, `sp\ .md`,
		`a\*b.md`, `a\?b.md`, "é.md", "docs/*.md", "docs/**", "docs/**/b.txt", "**/a.md", "**/gen", "**/gen/",
		"/gen", "gen/", "docs/deep", "docs/deep/", "x/**/b.md", "**/a/b.md", "x/*/b.md", "docs/draft*", "docs/draft**",
		"**", "**/", "/**", "*/", "docs/*/", "a/**/t.md", "**/tmp/**", "tmp/**/", "[a", `x\`, "[[:nope:]]", `[\]]x.md`, `[a\-z].md`, `[\a-c]*.md`,
	}
	rp, err := Open(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, pat := range patterns {
		r.write(".gitignore", pat+"\n")
		sameFilesAsGit(t, r, rp, r.dir, fmt.Sprintf("rule %q", pat))
	}
}

// A rule any committer can write cannot make a load hang: names and
// paths are matched in time bounded by the product of the sizes (git-lfs's
// wildmatch took 4.6 s for `*a` six times then `*b` against 60 letters,
// and doubles with every star).
func TestIgnoreRulesDoNotBacktrackForever(t *testing.T) {
	done := make(chan bool)
	go func() {
		hit := false
		for _, c := range [][2]string{
			{strings.Repeat("*a", 40) + "*b", strings.Repeat("a", 250)},
			{strings.Repeat("**/", 40) + "x", strings.Repeat("a/", 200) + "y"},
			{strings.Repeat("?*", 40) + "b", strings.Repeat("a", 250)},
			{strings.Repeat("a*/", 30) + "b", strings.Repeat("aaaa/", 60) + "c"},
		} {
			r, ok := parseIgnoreRule(c[0], nil)
			if !ok {
				t.Errorf("%q is a rule", c[0])
				continue
			}
			hit = hit || r.matches(strings.Split(c[1], "/"), false)
		}
		done <- hit
	}()
	select {
	case hit := <-done:
		if hit {
			t.Error("a pathological rule matched a path it cannot match")
		}
	case <-time.After(time.Minute):
		t.Fatal("matching pathological rules did not end")
	}
}

// sameFilesAsGit loads the working tree of the library at root, through
// rp when not nil (else a fresh Open), and fails the test where its files
// differ from those git lists as not ignored there (`git ls-files -co
// --exclude-standard`); what names the case in the message.
func sameFilesAsGit(t *testing.T, r *hrepo, rp *Repo, root, what string) {
	t.Helper()
	out := r.git("-C", root, "ls-files", "-co", "--exclude-standard", "-z")
	var want []string
	for _, l := range strings.Split(out, "\x00") {
		if l != "" {
			want = append(want, l)
		}
	}
	if rp == nil {
		var err error
		if rp, err = Open(root); err != nil {
			t.Fatal(err)
		}
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
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: rmm loads\n  %s\ngit lists\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
