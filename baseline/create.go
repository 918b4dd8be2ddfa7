package baseline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// ErrBadName is wrapped by errors about a baseline name that cannot be a
// tag name.
var ErrBadName = errors.New("bad baseline name")

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CheckName reports whether NAME can name a baseline: letters, digits,
// '.', '_' and '-', starting with a letter or digit, no "..", not ending
// in ".lock" or ".".
func CheckName(name string) error {
	if !namePattern.MatchString(name) || strings.Contains(name, "..") || strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, ".") || len(name) > 200 {
		return fmt.Errorf("%w %q: use letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. 2026-Q1)", ErrBadName, name)
	}
	return nil
}

// ErrBadTagger is wrapped by errors about a tagger that git fsck would
// refuse in a tag.
var ErrBadTagger = errors.New("bad tagger")

// CheckSummary reports why message cannot be a baseline's summary (-m),
// or nil: it must be UTF-8 text with no control character but tab and
// line break, and no line that git would take for the start of a
// signature (see repo.CheckTagMessage), which would hide the manifest.
// Lines may end in CRLF. Errors name the line.
func CheckSummary(message string) error {
	if err := repo.CheckTagMessage(message); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSummary, err)
	}
	for i, line := range strings.Split(message, "\n") {
		line = strings.TrimSuffix(line, "\r") // CRLF text, normalised by Create
		if !utf8.ValidString(line) {
			return fmt.Errorf("%w: line %d is not valid UTF-8", ErrBadSummary, i+1)
		}
		for _, c := range line {
			if c != '\t' && unicode.IsControl(c) {
				return fmt.Errorf("%w: line %d holds the control character %U", ErrBadSummary, i+1, c)
			}
		}
	}
	return nil
}

// ErrBadSummary is wrapped by CheckSummary's errors.
var ErrBadSummary = errors.New("bad baseline summary")

// RefusedError is Create's refusal: every reason the baseline cannot be
// cut, in a stable order.
type RefusedError struct {
	Name    string
	Reasons []string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("cannot create baseline/%s:\n  %s", e.Name, strings.Join(e.Reasons, "\n  "))
}

// maxCheckReasons caps how many check errors a refusal lists one by one.
const maxCheckReasons = 20

// Create cuts the baseline NAME on HEAD: the annotated tag baseline/NAME
// whose message is message (or a generated summary) followed by the
// manifest. tagger signs the tag; tagger.When is its date.
//
// ctx is the check context of the working tree; Create runs rs, the rules
// of `rmm check` (rules.All), on it itself rather than trust diagnostics
// handed to it, and refuses without rules. Create refuses with a *RefusedError listing every reason
// when: the name exists; a document or rmm.yaml differs between the
// working tree and HEAD (changed, new or deleted); diags holds an error;
// a controlled document at HEAD that is not retired is not approved with
// a current approval of every required role. A concurrent creation of the
// same name makes one of the two fail with a refusal too.
//
// A detached HEAD is accepted: the baseline names the commit, not a
// branch. The manifest's previous line names the latest baseline behind
// HEAD (LatestAt), or "-".
//
// Errors other than a *RefusedError and the name, summary and tagger
// checks (ErrBadName, ErrBadSummary, ErrBadTagger) are internal: writing
// the tag failed (disk, permissions) or a bug.
func Create(r *repo.Repo, ctx *check.Context, rs []check.Rule, name, message string, tagger repo.Signature) (*Manifest, error) {
	if len(rs) == 0 {
		return nil, errors.New("baseline create: no rules to check the library with")
	}
	if err := CheckName(name); err != nil {
		return nil, err
	}
	message = strings.ReplaceAll(message, "\r\n", "\n")
	if err := CheckSummary(message); err != nil {
		return nil, err
	}
	if err := tagger.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTagger, err)
	}
	head, _, err := r.Head()
	if err != nil {
		return nil, &RefusedError{Name: name, Reasons: []string{err.Error()}}
	}
	var reasons []string
	tagName := TagPrefix + name
	if t, err := r.ReadTag(tagName); err == nil {
		reasons = append(reasons, fmt.Sprintf("%s exists already (on commit %s): baselines never move; choose another name", tagName, short(t.Target)))
	} else if !errors.Is(err, repo.ErrNoTag) {
		reasons = append(reasons, err.Error())
	}
	tree, err := r.Tree(head)
	if err != nil {
		reasons = append(reasons, fmt.Sprintf("cannot read the tree of HEAD (%s): %v ('git fsck' lists what is missing)", short(head), err))
		return nil, &RefusedError{Name: name, Reasons: reasons}
	}
	lib := ctx.Lib
	// The working tree is compared with HEAD while the rules run too
	// (documents' blob ids, what is uncommitted, whether every document
	// is HEAD's): it reads no git object, only files and the tree.
	type comparison struct {
		uncommitted []string
		same        bool
	}
	compared := make(chan comparison, 1)
	if ctx.Snap.Commit == "" {
		go func() {
			blobs := hashDocs(lib)
			compared <- comparison{uncommitted(r, lib, tree, blobs), sameAsTree(lib, tree, blobs)}
		}()
	} else if ctx.Snap.Commit != head {
		return nil, fmt.Errorf("internal error: the check context is not the working tree nor HEAD")
	}
	// The blobs of the library checked are read from the object store
	// while the rules run (each alone keeps one core busy for much of its
	// time); when HEAD must be read instead, below, its blobs are checked
	// then.
	early := make(chan map[string]error, 1)
	earlyFiles := blobFiles(lib, tree, ctx.Snap.Commit == head)
	go func() { early <- r.CheckBlobs(earlyFiles.hashes()) }()
	var errs []string
	diags := check.Run(ctx, rs)
	same := true
	if ctx.Snap.Commit == "" {
		c := <-compared
		reasons = append(reasons, c.uncommitted...)
		same = c.same
	}
	for _, d := range diags {
		if d.Severity == doc.Error {
			errs = append(errs, "check: "+d.String())
		}
	}
	if len(errs) > maxCheckReasons {
		n := len(errs) - maxCheckReasons
		errs = append(errs[:maxCheckReasons], fmt.Sprintf("check: ... and %d more errors (run 'rmm check')", n))
	}
	reasons = append(reasons, errs...)

	// What is tagged is HEAD: when the working tree differs, read HEAD
	// itself; when it does not, its documents are HEAD's.
	if len(reasons) > 0 || !same {
		snap, err := ctx.At(head)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("cannot read the documents of HEAD (%s): %v", short(head), err))
			return nil, &RefusedError{Name: name, Reasons: reasons}
		}
		lib = snap.Lib
	}
	// The predecessor: the latest baseline behind HEAD (see LatestAt).
	previous := "-"
	if list, err := List(r); err != nil {
		reasons = append(reasons, fmt.Sprintf("cannot list the baselines to name this one's previous: %v", err))
	} else if p := latestIn(r, list, head, nil); p != nil {
		previous = p.Tag
	}
	if lib == ctx.Lib {
		reasons = append(reasons, earlyFiles.unreadable(<-early, tree)...)
	} else {
		f := blobFiles(lib, tree, true)
		reasons = append(reasons, f.unreadable(r.CheckBlobs(f.hashes()), tree)...)
	}
	reasons = append(reasons, unapproved(lib)...)
	if len(reasons) > 0 {
		return nil, &RefusedError{Name: name, Reasons: reasons}
	}

	m := &Manifest{Commit: head, Version: 2, Previous: previous, Documents: Entries(lib, tree.BlobHash), sorted: true}
	m.Root = RootHash(m.Documents)
	m.Summary = strings.TrimSpace(message)
	if m.Summary == "" {
		m.Summary = fmt.Sprintf("Baseline %s: %d controlled documents", name, len(m.Documents))
	}
	warnings, err := Provenance(r, head, lib, m.Documents)
	if err != nil {
		warnings = append(warnings, "approval provenance not checked: "+err.Error())
	}
	t, err := r.CreateTag(tagName, head, m.Message(), tagger)
	if errors.Is(err, repo.ErrTagExists) || errors.Is(err, repo.ErrTagBusy) {
		return nil, &RefusedError{Name: name, Reasons: []string{fmt.Sprintf("%s exists already: baselines never move; choose another name (%v)", tagName, err)}}
	}
	if err != nil {
		return nil, err
	}
	fill(m, t)
	m.Warnings = warnings
	return m, nil
}

// checkedFiles are the files of a library whose blobs a baseline is cut
// from: rmm.yaml and every document, at the tagged commit, and the files
// that could not be read from it.
type checkedFiles struct {
	files []checkedFile
	// unread are the files of a library read from the commit that could
	// not be read there.
	unread []doc.Diagnostic
}

type checkedFile struct{ name, path, blob string }

// blobFiles lists, at the tagged commit (tree), the blob of rmm.yaml and
// of every document of lib (the manifest's entries among them); when lib
// was read from tree (fromTree), also the files it could not read.
func blobFiles(lib *doc.Library, tree *repo.TreeFS, fromTree bool) *checkedFiles {
	c := &checkedFiles{}
	add := func(name, p string) {
		if h, ok := tree.BlobHash(p); ok { // else not in the commit: uncommitted() reports it
			c.files = append(c.files, checkedFile{name, p, h})
		}
	}
	add(doc.ConfigFile, doc.ConfigFile)
	for _, d := range lib.Docs {
		name := d.Path
		if d.HasFrontMatter && d.ID != "" {
			name = d.ID + " (" + d.Path + ")"
		}
		add(name, d.Path)
	}
	if fromTree {
		for _, d := range lib.Diags {
			if d.Rule == "read" { // Verify would report it as a missing object
				c.unread = append(c.unread, d)
				add(d.Path, d.Path)
			}
		}
	}
	return c
}

func (c *checkedFiles) hashes() []string {
	hashes := make([]string, len(c.files))
	for i, f := range c.files {
		hashes[i] = f.blob
	}
	return hashes
}

// unreadable lists each file whose blob is missing or damaged in the
// object store (bad, from repo.CheckBlobs of c.hashes()), and each file
// that could not be read. A baseline is cut from git objects: one whose
// blobs are gone would fail Verify at once, and could not be read back
// with --at.
func (c *checkedFiles) unreadable(bad map[string]error, tree *repo.TreeFS) []string {
	var out []string
	named := map[string]bool{}
	for _, f := range c.files {
		if err := bad[f.blob]; err != nil && !named[f.path] {
			named[f.path] = true
			out = append(out, fmt.Sprintf("%s: %v at commit %s (restore it from a clone that has it; 'git fsck' lists what is missing)", f.name, err, short(tree.Commit())))
		}
	}
	for _, d := range c.unread {
		if !named[d.Path] {
			out = append(out, fmt.Sprintf("%s at commit %s", d.String(), short(tree.Commit())))
		}
	}
	return out
}

// unapproved lists the controlled documents of lib that a baseline cannot
// hold as they are.
func unapproved(lib *doc.Library) []string {
	var out []string
	for _, d := range lib.Docs {
		if !d.HasFrontMatter || !d.Controlled() || d.EffectiveStatus() == "retired" {
			continue
		}
		name := d.ID
		if name == "" {
			name = d.Path
		}
		if d.EffectiveStatus() != "approved" {
			out = append(out, fmt.Sprintf("%s (%s) is %s, not approved", name, d.Path, d.EffectiveStatus()))
			continue
		}
		if len(Needed(d, lib.Config)) == 0 {
			out = append(out, fmt.Sprintf("%s (%s) is approved but carries no approval", name, d.Path))
		} else if m := Unmet(d, lib.Config); len(m) > 0 {
			out = append(out, fmt.Sprintf("%s (%s) changed after approval: needs a current approval as %s", name, d.Path, strings.Join(m, ", ")))
		}
	}
	return out
}

// tracked reports whether a path of the working tree is one whose changes
// a baseline cares about: rmm.yaml and Markdown documents.
func tracked(lib *doc.Library, p string) bool {
	if p == doc.ConfigFile {
		return true
	}
	if !strings.HasSuffix(p, ".md") || lib.Config.Ignored(p) {
		return false
	}
	for _, part := range strings.Split(p, "/")[:strings.Count(p, "/")] {
		if strings.HasPrefix(part, ".") || part == "node_modules" {
			return false
		}
	}
	return !strings.HasPrefix(p, doc.DefaultOutput+"/")
}

// sameAsTree reports whether every document of lib has the bytes tree
// holds at its path (and no document of tree is missing from lib).
func sameAsTree(lib *doc.Library, tree *repo.TreeFS, blobs docBlobs) bool {
	for _, d := range lib.Docs {
		if b, ok := tree.BlobHash(d.Path); !ok || b != blobs.of(d) {
			return false
		}
	}
	for _, p := range tree.Paths() {
		if tracked(lib, p) && p != doc.ConfigFile && lib.ByPath[p] == nil {
			return false
		}
	}
	return true
}

// uncommitted lists the documents (and rmm.yaml) whose working tree bytes
// differ from HEAD's.
func uncommitted(r *repo.Repo, lib *doc.Library, tree *repo.TreeFS, blobs docBlobs) []string {
	var changed, added, deleted []string
	for p := range lib.Files {
		if !tracked(lib, p) {
			continue
		}
		var blob string
		if d := lib.ByPath[p]; d != nil {
			blob = blobs.of(d)
		} else {
			b, err := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(p)))
			if err != nil {
				changed = append(changed, p)
				continue
			}
			blob = repo.BlobHash(b)
		}
		h, ok := tree.BlobHash(p)
		switch {
		case !ok:
			added = append(added, p)
		case h != blob:
			changed = append(changed, p)
		}
	}
	for _, p := range tree.Paths() {
		if tracked(lib, p) && !lib.Files[p] {
			if _, err := os.Lstat(filepath.Join(r.Root, filepath.FromSlash(p))); err != nil {
				deleted = append(deleted, p)
			}
		}
	}
	var out []string
	for _, g := range []struct {
		what  string
		paths []string
	}{{"changed", changed}, {"not committed (new)", added}, {"deleted", deleted}} {
		sort.Strings(g.paths)
		for _, p := range g.paths {
			out = append(out, fmt.Sprintf("%s is %s in the working tree: commit it first", p, g.what))
		}
	}
	return out
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// docBlobs are the git blob ids of documents' bytes.
type docBlobs map[*doc.Document]string

// hashDocs hashes the bytes of every document of lib, on every core,
// but for those whose blob id the load knew (doc.Document.KnownBlob: the
// stamp cache keeps it by the file's stat, as it keeps the bytes).
func hashDocs(lib *doc.Library) docBlobs {
	ids := make([]string, len(lib.Docs))
	var wg sync.WaitGroup
	workers := max(1, min(runtime.GOMAXPROCS(0), len(lib.Docs)))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(lib.Docs); i += workers {
				if ids[i] = lib.Docs[i].KnownBlob(); ids[i] == "" {
					ids[i] = repo.BlobHash(lib.Docs[i].Raw)
				}
			}
		}()
	}
	wg.Wait()
	out := make(docBlobs, len(lib.Docs))
	for i, d := range lib.Docs {
		out[d] = ids[i]
	}
	return out
}

// of is d's blob id, hashed now if d was not hashed before.
func (b docBlobs) of(d *doc.Document) string {
	if id, ok := b[d]; ok {
		return id
	}
	return repo.BlobHash(d.Raw)
}
