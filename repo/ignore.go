package repo

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
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
// A path is judged as `git ls-files -co --exclude-standard` judges it
// (gitignore(5)): a file the index tracks is never ignored, nor a folder
// that holds one; a file or folder below an ignored folder is ignored
// (it cannot be re-included); otherwise the last rule that matches the
// path itself decides. Rules are matched as git's wildmatch matches them
// (wildmatch.go: `**`, `[!a]`, `[[:digit:]]` as git reads them), not with
// go-git's Matcher, which matched a rule against any of the path's
// folders (a `!folder/` re-included every file below it) and read `**`
// and brackets otherwise. The returned func keeps state: it serves one walk, in the
// walk's order (each folder before what it holds).
func (r *Repo) gitIgnored() func(string, bool) bool {
	wt, err := r.Git.Worktree()
	if err != nil {
		return nil
	}
	idx := r.indexPaths()
	g := &ignoreRules{top: wt.Filesystem.Root(), ignoredDirs: map[string]bool{}}
	g.read(filepath.Join(r.GitDir, "info", "exclude"), nil, true)
	g.read(filepath.Join(g.top, ".gitignore"), nil, false)
	var base []string
	if r.Prefix != "" {
		for _, part := range strings.Split(r.Prefix, "/") {
			base = append(base, part)
			if g.ignored(base, true) {
				// The library's own folder is ignored: so is all of it
				// but what the index tracks.
				g.ignoredDirs["."] = true
				break
			}
			g.read(filepath.Join(g.top, filepath.FromSlash(strings.Join(base, "/")), ".gitignore"), base, false)
		}
		base = strings.Split(r.Prefix, "/")
	}
	return func(p string, dir bool) bool {
		if !dir && idx.tracked[p] {
			return false
		}
		if len(g.rules) == 0 && len(g.ignoredDirs) == 0 && !dir {
			return false
		}
		full := append(base[:len(base):len(base)], strings.Split(p, "/")...)
		ign := g.ignoredDirs[path.Dir(p)] || g.ignored(full, dir)
		if !dir {
			return ign
		}
		if ign {
			if !idx.dirs[p] {
				return true
			}
			// Entered for the files the index tracks in it; the others
			// stay ignored.
			g.ignoredDirs[p] = true
			return false
		}
		g.read(filepath.Join(g.top, filepath.FromSlash(strings.Join(full, "/")), ".gitignore"), full, false)
		return false
	}
}

type ignoreRules struct {
	top         string // the work tree
	rules       []ignoreRule
	ignoredDirs map[string]bool // ignored folders entered for tracked files, from the library root
}

// ignoreRule is one line of an ignore file, read in the folder domain.
type ignoreRule struct {
	g       globPattern
	domain  []string
	negate  bool
	dirOnly bool
	name    bool // no slash but a trailing one: it matches a name in any folder below the domain
}

// parseIgnoreRule reads one line of an ignore file as gitignore(5)
// describes it; ok is false for a line that is no rule (blank, comment,
// or a pattern git never matches: an unclosed `[`, a trailing backslash).
func parseIgnoreRule(line string, domain []string) (r ignoreRule, ok bool) {
	if strings.HasPrefix(line, "#") {
		return r, false
	}
	// Trailing spaces are ignored unless quoted with a backslash.
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
		line = line[:len(line)-1]
	}
	if line == "" {
		return r, false
	}
	if strings.HasPrefix(line, "!") {
		r.negate, line = true, line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly, line = true, strings.TrimSuffix(line, "/")
	}
	if line == "" {
		return r, false
	}
	r.name = !strings.Contains(line, "/")
	if r.g, ok = compileGlob(strings.TrimPrefix(line, "/")); !ok {
		return ignoreRule{}, false
	}
	r.domain = append([]string(nil), domain...)
	return r, true
}

// matches reports whether the rule matches the path itself (folders
// first, from the top of the work tree).
func (r ignoreRule) matches(p []string, dir bool) bool {
	if len(p) <= len(r.domain) || (r.dirOnly && !dir) {
		return false
	}
	for i, d := range r.domain {
		if p[i] != d {
			return false
		}
	}
	if r.name {
		return r.g.match(p[len(p)-1:])
	}
	return r.g.match(p[len(r.domain):])
}

func (g *ignoreRules) ignored(p []string, dir bool) bool {
	for i := len(g.rules) - 1; i >= 0; i-- {
		if g.rules[i].matches(p, dir) {
			return !g.rules[i].negate
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
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // git skips a UTF-8 byte order mark
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxIgnoreFile)
	for sc.Scan() && len(g.rules) < maxIgnoreRules {
		if r, ok := parseIgnoreRule(sc.Text(), domain); ok {
			g.rules = append(g.rules, r)
		}
	}
}
