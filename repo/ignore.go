package repo

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Bounds on what a library's ignore files can make every path of a load
// be matched against: a .gitignore is read up to maxIgnoreFile bytes, and
// at most maxIgnoreRules rules are kept in all (the rest are not applied:
// their files are then documents, which check shows).
const (
	maxIgnoreFile  = 1 << 20
	maxIgnoreRules = 10_000
)

// gitIgnored returns the test of git's ignore rules for doc.Load's walk
// of the working tree (paths relative to the library root): the files
// git ignores are not under version control, so they are not documents
// either. The rules are .git/info/exclude and the .gitignore of the top
// of the work tree, of each folder down to the library's root, and of
// each folder the walk enters, read when it enters it: a walk reads the
// folders it does not skip anyway, and reading every .gitignore first
// (go-git's ReadPatterns) walked the tree a second time (22 ms of each
// load of 10,000 documents).
//
// A path is tested as git does (gitignore(5)): its folders were not
// ignored (the walk does not enter an ignored folder, so a file below one
// cannot be re-included), and the last rule that matches the path itself
// decides. go-git's Matcher also lets a rule decide that matched one of
// the path's folders, so a `!folder/` re-included every file below it,
// whatever the rules said of the files. The returned func keeps state: it
// serves one walk, in the walk's order (each folder before what it holds).
func (r *Repo) gitIgnored() func(string, bool) bool {
	wt, err := r.Git.Worktree()
	if err != nil {
		return nil
	}
	g := &ignoreRules{top: wt.Filesystem.Root()}
	g.read(filepath.Join(r.GitDir, "info", "exclude"), nil, true)
	g.read(filepath.Join(g.top, ".gitignore"), nil, false)
	var base []string
	if r.Prefix != "" {
		for _, part := range strings.Split(r.Prefix, "/") {
			base = append(base, part)
			if g.ignored(base, true) {
				// The library's own folder is ignored: so is all of it.
				return func(string, bool) bool { return true }
			}
			g.read(filepath.Join(g.top, filepath.FromSlash(strings.Join(base, "/")), ".gitignore"), base, false)
		}
	}
	return func(p string, dir bool) bool {
		if !dir && len(g.rules) == 0 {
			return false
		}
		full := append(base[:len(base):len(base)], strings.Split(p, "/")...)
		if g.ignored(full, dir) {
			return true
		}
		if dir {
			g.read(filepath.Join(g.top, filepath.FromSlash(strings.Join(full, "/")), ".gitignore"), full, false)
		}
		return false
	}
}

type ignoreRules struct {
	top   string // the work tree
	rules []ignoreRule
}

// ignoreRule is one line of an ignore file, read in the folder domain.
type ignoreRule struct {
	p      gitignore.Pattern
	domain int  // the number of folders of its domain
	name   bool // no slash but a trailing one: it matches a name in any folder below the domain
	deep   bool // has "**"
}

// matches reports how the rule matches the path itself, not one of its
// folders (go-git's Pattern matches either).
func (r ignoreRule) matches(path []string, dir bool) gitignore.MatchResult {
	if len(path) <= r.domain {
		return gitignore.NoMatch
	}
	if r.name {
		// The name alone, below the domain.
		return r.p.Match(append(path[:r.domain:r.domain], path[len(path)-1]), dir)
	}
	m := r.p.Match(path, dir)
	if m == gitignore.NoMatch || r.deep || len(path) == r.domain+1 {
		return m
	}
	// A rule with a slash that matches the path's folder matched it as a
	// prefix (go-git matches "a/b" against "a/b/c"): not the path itself.
	if r.p.Match(path[:len(path)-1], true) != gitignore.NoMatch {
		return gitignore.NoMatch
	}
	return m
}

func (g *ignoreRules) ignored(path []string, dir bool) bool {
	for i := len(g.rules) - 1; i >= 0; i-- {
		if m := g.rules[i].matches(path, dir); m != gitignore.NoMatch {
			return m == gitignore.Exclude
		}
	}
	return false
}

// read adds the rules of the ignore file at name, in the folder domain.
// A .gitignore that is a symlink, or not a regular file, is not read
// (git does not follow a symlinked .gitignore; a FIFO would block);
// follow allows a symlink (.git/info/exclude, inside the git folder).
func (g *ignoreRules) read(name string, domain []string, follow bool) {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	if fi, err := stat(name); err != nil || !fi.Mode().IsRegular() || len(g.rules) >= maxIgnoreRules {
		return
	}
	f, err := os.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIgnoreFile))
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxIgnoreFile)
	for sc.Scan() && len(g.rules) < maxIgnoreRules {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		core := strings.TrimPrefix(line, "!")
		if !strings.HasSuffix(core, `\ `) {
			core = strings.TrimRight(core, " ")
		}
		core = strings.TrimSuffix(core, "/")
		g.rules = append(g.rules, ignoreRule{
			p:      gitignore.ParsePattern(line, domain),
			domain: len(domain),
			name:   !strings.Contains(core, "/"),
			deep:   strings.Contains(core, "**"),
		})
	}
}
