package render

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/rmm-pal/rmm/doc"
)

// A sealed audience (SPEC 4: "a document left out leaves no trace"). A
// document is hidden when the build does not publish it: above the
// audience, or refused for another reason (no id, a duplicate, an id that
// cannot name a page, a file that failed to load, a symlink whose target
// is not shown). Beyond its page, its title in indexes, backlinks and
// search data, everything derived from a hidden document is left out:
//
//   - Files. A repository file is shown (copied into files/, or read as a
//     measure's data) only when every document that links it (a relative
//     link or image in its body) or names it as `data:` is published, and
//     its folder is published: the nearest folder at or above it, below
//     the library's root, that holds documents has at least one published
//     document (so the files of a folder of restricted documents stay
//     out, whoever links them). A symlink is judged by its target and by
//     itself (its name is copied): a symlink to a document is that
//     document (a link to it leads to its page, or is dropped), one to a
//     file is that file, one that leaves the tree or loops is nothing. A
//     symlinked document is published only when its target is a document
//     the audience may see.
//   - Measure data: a `data:` file that is not shown gives no chart.
//   - Tailoring: a defined process whose standard is hidden says so, with
//     nothing of the standard (tailoring.go), and its tailoring
//     diagnostics are withheld.
//   - Check diagnostics shown on the site: only those of published
//     documents and rmm.yaml; one that names a hidden document (its id or
//     path, or a hidden file's path) loses its "did you mean" suggestion,
//     or, when that is not enough, its message.
//   - Commit subjects: a commit that changed a hidden document or a file
//     that is not shown keeps its hash, author and date on the pages of
//     the published documents it changed (those are facts about their
//     change), and its subject becomes withheldSubject, on document pages,
//     the home page and any list built from page histories. Commits that
//     changed only hidden paths appear nowhere. A path that no longer
//     exists counts as hidden when its folder (as above) has no published
//     document.
//
// All of it is computed once, in the assemble phase: one ReadDir per
// folder of the library to know its symlinks, and, when something is
// hidden, a parse (no render) of the hidden bodies that may link files.

// withheldSubject replaces the subject of a commit that also changed a
// document or file not published for the audience.
const withheldSubject = "(subject not shown: this commit also changed a document not published here)"

// withheldMessage replaces a check message that names a hidden document.
const withheldMessage = "a finding that involves a document not published for this audience (rmm check shows it)"

// seal is what the audience may not see, beyond the documents themselves.
type seal struct {
	// docs are the paths of hidden documents, including .md files that
	// failed to load; ids are the ids of hidden documents that no
	// published document carries.
	docs map[string]bool
	ids  map[string]bool
	// claims are the files that hidden documents link or name as data
	// (both the path written and its target, for symlinks).
	claims map[string]bool
	// folders counts, per folder holding documents, its published ones.
	folders map[string]int
	// files are the non-document files that are not shown; commits, the
	// commits that changed a hidden path.
	files   map[string]bool
	commits map[string]bool
	// tailorsHidden are the published defined processes whose standard
	// exists but is hidden.
	tailorsHidden map[string]bool
	key           [32]byte

	// links are the symlinks among the library's files, from one ReadDir
	// per folder (realPath asks Lstat when it is nil).
	links   map[string]bool
	unknown map[string]bool // folders ReadDir could not list

	mu   sync.Mutex
	real map[string]realTarget // cache of realPath
}

type realTarget struct {
	path string
	ok   bool
}

// none reports whether nothing is hidden.
func (sl *seal) none() bool { return len(sl.docs) == 0 }

// sealAudience computes the seal once the published pages are chosen,
// before backlinks: it leaves out symlinked documents whose target is not
// a document the audience may see, then withholds files, data and
// diagnostics.
// sealCommits does the commit subjects once pages have their history.
func (s *site) sealAudience() {
	sl := &seal{docs: map[string]bool{}, ids: map[string]bool{}, claims: map[string]bool{},
		folders: map[string]int{}, files: map[string]bool{}, commits: map[string]bool{},
		tailorsHidden: map[string]bool{}, real: map[string]realTarget{}}
	s.seal = sl

	// Symlinked documents are judged by their target, in every audience.
	s.findSymlinks()
	kept := s.pages[:0]
	for _, p := range s.pages {
		if s.symlinkShown(p.d) {
			kept = append(kept, p)
			continue
		}
		delete(s.byID, p.d.ID)
		s.res.Warnings = append(s.res.Warnings, fmt.Sprintf("%s: a symlink to something that is not a document for this audience; not published", p.d.Path))
	}
	s.pages = kept
	published := map[string]bool{}
	for _, p := range s.pages {
		published[p.d.Path] = true
	}
	failed := 0
	for p := range s.lib.Files {
		if s.lib.ByPath[p] == nil && strings.HasSuffix(p, ".md") && !s.cfg.Ignored(p) {
			failed++ // a .md file that failed to load: its sensitivity is unknown
		}
	}
	if failed == 0 && len(published) == len(s.lib.Docs) {
		// Nothing is hidden: every file may be shown.
		s.o.Diags = s.sealDiags(s.o.Diags)
		return
	}
	var hidden []*doc.Document
	addDoc := func(p string) {
		dir := path.Dir(p)
		if _, ok := sl.folders[dir]; !ok {
			sl.folders[dir] = 0
		}
		if published[p] {
			sl.folders[dir]++
			return
		}
		sl.docs[p] = true
	}
	for p := range s.lib.Files {
		if s.lib.ByPath[p] == nil && strings.HasSuffix(p, ".md") && !s.cfg.Ignored(p) {
			addDoc(p) // failed to load: its sensitivity is unknown
		}
	}
	for _, d := range s.lib.Docs {
		addDoc(d.Path)
		if !published[d.Path] {
			hidden = append(hidden, d)
			if d.ID != "" {
				sl.ids[d.ID] = true
			}
		}
	}
	for _, p := range s.pages {
		delete(sl.ids, p.d.ID)
	}

	s.claimFiles(hidden)
	for p := range s.lib.Files {
		if !strings.HasSuffix(p, ".md") && p != doc.ConfigFile && !s.fileShown(p) {
			sl.files[p] = true
		}
	}
	for _, p := range s.pages {
		d := p.d
		if d.Kind == "process" && d.Tailors != "" && s.lib.ByID[d.Tailors] != nil && s.byID[d.Tailors] == nil {
			sl.tailorsHidden[d.Path] = true
		}
	}
	s.o.Diags = s.sealDiags(s.o.Diags)
}

// findSymlinks lists the symlinks among the library's files: those the
// load's walk saw (reading every folder again was 20 ms of each serve
// rebuild at 10,000 documents), else one ReadDir per folder instead of an
// Lstat per file.
func (s *site) findSymlinks() {
	sl := s.seal
	sl.links, sl.unknown = map[string]bool{}, map[string]bool{}
	if s.lib.Symlinks != nil {
		for p := range s.lib.Symlinks {
			sl.links[p] = true
		}
		return
	}
	dirs := map[string]bool{}
	for p := range s.lib.Files {
		dirs[path.Dir(p)] = true
	}
	for dir := range dirs {
		entries, err := fs.ReadDir(s.in.snap.FS, dir)
		if err != nil {
			sl.unknown[dir] = true
			continue
		}
		for _, e := range entries {
			if e.Type()&fs.ModeSymlink != 0 {
				sl.links[path.Join(dir, e.Name())] = true
			}
		}
	}
}

// sealKey is what a page's key must hold of the seal: the files not
// shown and the commits whose subject is withheld.
func (s *site) sealKey() []byte {
	if s.seal == nil || s.seal.none() {
		return nil
	}
	return s.seal.key[:]
}

// claimFiles records the files that hidden documents link or name as
// data. Their bodies are parsed (not rendered) on every core.
func (s *site) claimFiles(hidden []*doc.Document) {
	claim := func(p string) {
		if p == "" || p == ".." || strings.HasPrefix(p, "../") {
			return
		}
		s.seal.claims[p] = true
		if r, ok := s.realPath(p); ok {
			s.seal.claims[r] = true
		}
	}
	links := make([][]string, len(hidden))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				links[i] = fileLinks(hidden[i])
			}
		}()
	}
	for i := range hidden {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, d := range hidden {
		for _, p := range links[i] {
			claim(p)
		}
		if d.Data != "" && !path.IsAbs(d.Data) {
			claim(path.Join(path.Dir(d.Path), d.Data))
		}
	}
}

// fileLinks lists the repository paths d's body links to or embeds, as
// rewriteLinks would resolve them.
func fileLinks(d *doc.Document) []string {
	if !mayLinkFiles(d.Body) {
		return nil
	}
	return parsedLinks(path.Dir(d.Path), d.Body)
}

// parsedLinks lists the relative link and image destinations of body,
// written in folder dir, as paths from the library's root.
func parsedLinks(dir string, body []byte) []string {
	root := markdown.Parser().Parse(text.NewReader(body), parser.WithContext(doc.NewParseContext()))
	var out []string
	add := func(dest []byte) {
		p, ok := relativeTarget(dir, string(dest))
		if ok {
			out = append(out, p)
		}
	}
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.Link:
			add(x.Destination)
		case *ast.Image:
			add(x.Destination)
		}
		return ast.WalkContinue, nil
	})
	return out
}

// mayLinkFiles reports whether body may hold a link or image to a file
// that is not a .md document, so that only such bodies are parsed. Every
// link to a repository path is written `](dest` or `]: dest` (a
// reference definition); when each of those in body leads plainly to a
// .md file, a fragment or an absolute URL, no file is linked. Anything
// less plain (escapes, entities, percent signs) counts as a file.
func mayLinkFiles(body []byte) bool {
	for i := 0; i+1 < len(body); i++ {
		if body[i] != ']' || (body[i+1] != '(' && body[i+1] != ':') {
			continue
		}
		j := i + 2
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r') {
			j++
		}
		end := j
		if end < len(body) && body[end] == '<' {
			for end++; end < len(body) && body[end] != '>' && body[end] != '\n'; end++ {
			}
		} else {
			for end < len(body) && body[end] > ' ' && body[end] != ')' {
				end++
			}
		}
		dest := strings.TrimPrefix(string(body[j:end]), "<")
		if strings.ContainsAny(dest, "\\&%(") {
			return true
		}
		if k := strings.IndexAny(dest, "#?"); k >= 0 {
			if k == 0 {
				continue // a fragment of this page
			}
			dest = dest[:k]
		}
		low := strings.ToLower(dest)
		if strings.HasSuffix(low, ".md") || strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || strings.HasPrefix(low, "mailto:") {
			continue
		}
		return true
	}
	return false
}

// relativeTarget resolves a link destination written in folder dir to a
// path from the library's root; ok is false for URLs, fragments and paths
// from the site's root.
func relativeTarget(dir, dest string) (string, bool) {
	dest = strings.TrimSpace(dest)
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "//") {
		return "", false
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" || strings.HasPrefix(u.Path, "/") {
		return "", false
	}
	return path.Join(dir, u.Path), true
}

// folderOf is the nearest folder at or above p, below the library's root,
// that holds documents; "" when there is none.
func (sl *seal) folderOf(p string) string {
	for dir := path.Dir(p); dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		if _, ok := sl.folders[dir]; ok {
			return dir
		}
	}
	return ""
}

// ownedOK reports whether the file at p (a path as written, or a target)
// may be shown: no hidden document links it or names it as data, and its
// folder is published.
func (sl *seal) ownedOK(p string) bool {
	if sl == nil {
		return true
	}
	if sl.claims[p] || sl.docs[p] {
		return false
	}
	if dir := sl.folderOf(p); dir != "" && sl.folders[dir] == 0 {
		return false
	}
	return true
}

// fileShown reports whether the repository file p, not a document, may be
// copied into the site or read as data: it is a file of the library whose
// target (after symlinks) is one too, not a document, and neither is
// owned by a hidden document.
func (s *site) fileShown(p string) bool {
	if !s.lib.Files[p] || strings.HasSuffix(p, ".md") || p == doc.ConfigFile {
		return false
	}
	r, ok := s.realPath(p)
	if !ok || !s.lib.Files[r] || strings.HasSuffix(r, ".md") || r == doc.ConfigFile || s.lib.ByPath[r] != nil {
		return false
	}
	if s.seal == nil || s.seal.none() {
		return true
	}
	return s.seal.ownedOK(p) && s.seal.ownedOK(r)
}

// fileLink decides a relative link to target, a path from the library's
// root that is not a .md link: the site path it leads to (a copy under
// files/, or the page of the document a symlink leads to) and whether the
// link stays.
func (s *site) fileLink(target string) (dest string, asset bool, ok bool) {
	if target == ".." || strings.HasPrefix(target, "../") || !s.lib.Files[target] || s.lib.ByPath[target] != nil {
		return "", false, false
	}
	if strings.HasSuffix(target, ".md") || target == doc.ConfigFile {
		return "", false, false
	}
	if r, ok := s.realPath(target); ok && r != target && s.lib.ByPath[r] != nil {
		// A symlink to a document is that document.
		if p := s.byID[s.lib.ByPath[r].ID]; p != nil && p.d == s.lib.ByPath[r] {
			return p.url, false, true
		}
		return "", false, false
	}
	if !s.fileShown(target) {
		return "", false, false
	}
	return s.addAsset(target), true, true
}

// symlinkShown reports whether d may be published as far as symlinks go:
// a document that is not a symlink, or one whose target is a document the
// audience may see (a symlink to a document is that document). A
// symlinked .md file whose target is not a document is not published.
func (s *site) symlinkShown(d *doc.Document) bool {
	r, ok := s.realPath(d.Path)
	if !ok {
		return false
	}
	if r == d.Path {
		return true
	}
	t := s.lib.ByPath[r]
	return t != nil && s.visible(t)
}

// realPath resolves the symlinks of p, a path from the library's root,
// inside the snapshot: ok is false for a link that leaves the tree, loops
// or cannot be read. A path the load walked has no symlinked folder in it,
// so only its last element is looked at; a link's target is resolved
// element by element.
func (s *site) realPath(p string) (string, bool) {
	sl := s.seal
	if sl != nil {
		sl.mu.Lock()
		r, ok := sl.real[p]
		sl.mu.Unlock()
		if ok {
			return r.path, r.ok
		}
	}
	walked := s.lib.Files[p]
	if walked && sl != nil && sl.links != nil && !sl.links[p] && !sl.unknown[path.Dir(p)] {
		return p, true // not a symlink, and its folders are real (the load walked them)
	}
	r, ok := resolveLinks(s.in.snap.FS, p, walked)
	if sl != nil {
		sl.mu.Lock()
		sl.real[p] = realTarget{r, ok}
		sl.mu.Unlock()
	}
	return r, ok
}

// resolveLinks follows symlinks in p within fsys (fs.ReadLinkFS); walked
// says p's folders are known to be real.
func resolveLinks(fsys fs.FS, p string, walked bool) (string, bool) {
	if walked {
		fi, err := fs.Lstat(fsys, p)
		if err != nil {
			return "", false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return p, true
		}
	}
	parts := strings.Split(p, "/")
	resolved := ""
	for hops := 0; len(parts) > 0; {
		name := parts[0]
		parts = parts[1:]
		if name == "" || name == "." {
			continue
		}
		next := name
		if resolved != "" {
			next = resolved + "/" + name
		}
		if name == ".." {
			if resolved == "" {
				return "", false
			}
			resolved = path.Dir(resolved)
			if resolved == "." {
				resolved = ""
			}
			continue
		}
		fi, err := fs.Lstat(fsys, next)
		if err != nil {
			return "", false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > 40 {
			return "", false
		}
		target, err := fs.ReadLink(fsys, next)
		if err != nil || path.IsAbs(target) || strings.HasPrefix(target, "/") {
			return "", false
		}
		// The target replaces the link: resolve it from the link's folder.
		parts = append(strings.Split(target, "/"), parts...)
	}
	if resolved == "" {
		return "", false
	}
	return resolved, true
}

// sealCommits finds the commits that changed a hidden path and withholds
// their subjects in the histories of published pages; then it keys the
// seal for the page cache.
func (s *site) sealCommits() {
	sl := s.seal
	if sl.none() {
		return
	}
	if h := s.in.history; h != nil {
		mark := func(gp string) {
			for _, c := range h.Of(gp) {
				sl.commits[c.Hash] = true
			}
		}
		for p := range sl.docs {
			mark(gitPath(s.o.Repo, p))
		}
		for p := range sl.files {
			mark(gitPath(s.o.Repo, p))
		}
		// Paths that no longer exist: hidden when their folder is.
		prefix := ""
		if s.o.Repo.Prefix != "" {
			prefix = s.o.Repo.Prefix + "/"
		}
		for _, gp := range h.Paths() {
			p, ok := strings.CutPrefix(gp, prefix)
			if !ok || s.lib.Files[p] || sl.docs[p] {
				continue
			}
			if dir := sl.folderOf(p); dir != "" && sl.folders[dir] == 0 {
				mark(gp)
			}
		}
		for _, p := range s.pages {
			for i := range p.history {
				if sl.commits[p.history[i].Hash] {
					p.history[i].Subject = withheldSubject
				}
			}
		}
	}
	k := newKeyHasher()
	k.str("files")
	k.str(sortedKeys(sl.files)...)
	k.str("commits")
	k.str(sortedKeys(sl.commits)...)
	k.sum(sl.key[:0])
}

// sealDiags keeps the diagnostics the site may show: those of published
// documents and rmm.yaml, with what names a hidden document withheld.
func (s *site) sealDiags(in []doc.Diagnostic) []doc.Diagnostic {
	published := map[string]bool{doc.ConfigFile: true}
	for _, p := range s.pages {
		published[p.d.Path] = true
	}
	var out []doc.Diagnostic
	for _, dg := range in {
		if !published[dg.Path] {
			continue
		}
		if s.seal.tailorsHidden[dg.Path] && isTailoringRule(dg.Rule) {
			dg.Message = withheldMessage
		} else if s.seal.names(dg.Message) {
			if m := didYouMean.ReplaceAllString(dg.Message, ""); m != dg.Message && !s.seal.names(m) {
				dg.Message = m
			} else {
				dg.Message = withheldMessage
			}
		}
		out = append(out, dg)
	}
	return out
}

// lineSuffix matches the line (and column) after a path: path:12.
var lineSuffix = regexp.MustCompile(`(:[0-9]+)+[.:]?$`)

// didYouMean matches a suggestion such as ` (did you mean "IMC-PLAN"?)`
// (package check) or ` (did you mean contain?)` (package tailor).
var didYouMean = regexp.MustCompile(` ?\(did you mean (?:"(?:[^"\\]|\\.)*"|[^"()?]*)\?\)`)

// isTailoringRule reports whether a rule is one of package tailor's: its
// diagnostics on a defined process come from composing it with the
// standard.
func isTailoringRule(rule string) bool {
	return strings.HasPrefix(rule, "tailor") || rule == "suspect"
}

// names reports whether msg names a hidden document: its id as a word, or
// its path or a hidden file's path as a word.
func (sl *seal) names(msg string) bool {
	if sl.none() {
		return false
	}
	isID := func(r byte) bool {
		return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_'
	}
	for i := 0; i < len(msg); {
		if !isID(msg[i]) {
			i++
			continue
		}
		j := i
		for j < len(msg) && isID(msg[j]) {
			j++
		}
		if sl.ids[strings.Trim(msg[i:j], "-")] {
			return true
		}
		i = j
	}
	for _, w := range strings.FieldsFunc(msg, func(r rune) bool {
		return r == ' ' || r == '"' || r == '\'' || r == '(' || r == ')' || r == '[' || r == ']' || r == ',' || r == ';' || r == '`'
	}) {
		w = strings.TrimPrefix(w, "./")
		for _, c := range []string{w, strings.TrimRight(w, ".:"), lineSuffix.ReplaceAllString(w, "")} {
			if sl.docs[c] || sl.files[c] {
				return true
			}
		}
	}
	return false
}
