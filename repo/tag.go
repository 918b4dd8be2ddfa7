package repo

// Annotated tags: create one atomically (a lock file as git uses, so two
// processes cannot both create the same name), list and read them, and read
// single files and objects at a commit without building a whole tree.

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Errors of CreateTag and ReadTag.
var (
	ErrTagExists = errors.New("tag exists")
	ErrTagBusy   = errors.New("another process is writing the tag")
	ErrNoTag     = errors.New("no such tag")
	// ErrMissingObject is wrapped by CheckBlob's error for a blob the
	// object store does not hold.
	ErrMissingObject = errors.New("missing from the object store")
)

// Tag is a tag read from the repository.
type Tag struct {
	Name      string // without refs/tags/, e.g. baseline/Q1
	Ref       string // the hash the ref holds: the tag object, or the commit of a lightweight tag
	Annotated bool
	// Target is the object the tag points at (after one level of peeling)
	// and TargetType its type ("commit", "tree", ...).
	Target, TargetType string
	Tagger             Signature
	Message            string
}

// CommonDir is the folder holding refs, objects and hooks: GitDir, or for
// a linked worktree the folder its commondir file names.
func (r *Repo) CommonDir() string { return r.commonDir() }

// HooksDir is where git looks for hooks: core.hooksPath (relative to the
// work tree's top when not absolute), else CommonDir/hooks.
func (r *Repo) HooksDir() string {
	if c, err := r.Git.Config(); err == nil {
		if p := c.Raw.Section("core").Option("hooksPath"); p != "" {
			if strings.HasPrefix(p, "~/") {
				if home, err := os.UserHomeDir(); err == nil {
					p = filepath.Join(home, p[2:])
				}
			}
			if !filepath.IsAbs(p) {
				top := r.Root
				if r.Prefix != "" {
					top = filepath.Join(r.Root, strings.Repeat("../", strings.Count(r.Prefix, "/")+1))
				}
				p = filepath.Join(top, p)
			}
			return filepath.Clean(p)
		}
	}
	return filepath.Join(r.commonDir(), "hooks")
}

func (r *Repo) commonDir() string {
	if b, err := os.ReadFile(filepath.Join(r.GitDir, "commondir")); err == nil {
		d := strings.TrimSpace(string(b))
		if !filepath.IsAbs(d) {
			d = filepath.Join(r.GitDir, d)
		}
		return d
	}
	return r.GitDir
}

// CreateTag writes an annotated tag name (e.g. baseline/Q1) on commit with
// message and tagger (whose When is the tag's date). The name, tagger
// (Signature.Check) and message (CheckTagMessage) are checked first, so
// that every tag it writes passes git fsck. It creates the ref
// only if no tag of that name exists, loose or packed, using git's lock
// protocol: refs/tags/NAME.lock opened with O_EXCL, the hash written and
// synced, then renamed into place. Of two processes creating the same name
// at once, exactly one succeeds; the other gets ErrTagExists or ErrTagBusy.
func (r *Repo) CreateTag(name, commit, message string, tagger Signature) (*Tag, error) {
	if r.GitDir == "" {
		return nil, fmt.Errorf("no git folder to write tags in")
	}
	if err := plumbing.ReferenceName("refs/tags/" + name).Validate(); err != nil {
		return nil, fmt.Errorf("tag %q: %w", name, err)
	}
	if err := tagger.Check(); err != nil {
		return nil, fmt.Errorf("tag %s: tagger: %w", name, err)
	}
	if err := CheckTagMessage(message); err != nil {
		return nil, fmt.Errorf("tag %s: message: %w", name, err)
	}
	c, err := r.Git.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", commit, err)
	}
	refName := "refs/tags/" + name
	refPath := filepath.Join(r.commonDir(), filepath.FromSlash(refName))
	if err := os.MkdirAll(filepath.Dir(refPath), 0o755); err != nil {
		return nil, fmt.Errorf("create tag %s: %w", name, err)
	}
	lock := refPath + ".lock"
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s: %w (%s exists; if no rmm or git is running, remove it)", name, ErrTagBusy, lock)
	}
	if err != nil {
		return nil, fmt.Errorf("create tag %s: %w", name, err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(lock)
		}
	}()
	// Holding the lock, nobody else writes this ref: check it is free.
	if _, err := os.Lstat(refPath); err == nil {
		return nil, fmt.Errorf("%s: %w", name, ErrTagExists)
	}
	if packed, err := r.packedRef(refName); err != nil {
		return nil, err
	} else if packed != "" {
		return nil, fmt.Errorf("%s: %w", name, ErrTagExists)
	}
	if !strings.HasSuffix(message, "\n") {
		message += "\n"
	}
	tag := &object.Tag{
		Name:       name,
		Tagger:     *tagger.git(),
		Message:    message,
		TargetType: plumbing.CommitObject,
		Target:     c.Hash,
	}
	obj := r.Git.Storer.NewEncodedObject()
	if err := tag.Encode(obj); err != nil {
		return nil, fmt.Errorf("encode tag %s: %w", name, err)
	}
	h, err := r.Git.Storer.SetEncodedObject(obj)
	if err != nil {
		return nil, fmt.Errorf("write tag object %s: %w", name, err)
	}
	if _, err := f.WriteString(h.String() + "\n"); err != nil {
		return nil, fmt.Errorf("write %s: %w", lock, err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("write %s: %w", lock, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", lock, err)
	}
	if err := os.Rename(lock, refPath); err != nil {
		os.Remove(lock)
		done = true
		return nil, fmt.Errorf("create tag %s: %w", name, err)
	}
	done = true
	return &Tag{Name: name, Ref: h.String(), Annotated: true, Target: c.Hash.String(), TargetType: "commit",
		Tagger: tagger, Message: message}, nil
}

// signatureMarkers begin the lines where git (gpg-interface.c,
// parse_signed_buffer) and go-git take a tag's signature to start: all
// that follows the last such line is the signature, not the message.
var signatureMarkers = []string{
	"-----BEGIN PGP SIGNATURE-----",
	"-----BEGIN PGP MESSAGE-----",
	"-----BEGIN SIGNED MESSAGE-----",
	"-----BEGIN CERTIFICATE-----",
	"-----BEGIN SSH SIGNATURE-----",
}

// CheckTagMessage reports why message cannot be the message of a tag rmm
// writes, or nil. git fsck checks a tag's headers only, but a NUL byte
// cuts the message short for most of git's commands, and a line starting
// like a signature ("-----BEGIN PGP SIGNATURE-----", ...) makes git and
// go-git read all that follows as the tag's signature, hiding it from the
// message. Errors name the line.
func CheckTagMessage(message string) error {
	for i, line := range strings.Split(message, "\n") {
		if strings.IndexByte(line, 0) >= 0 {
			return fmt.Errorf("line %d holds a NUL byte", i+1)
		}
		for _, m := range signatureMarkers {
			if strings.HasPrefix(line, m) {
				return fmt.Errorf("line %d starts with %q: git would read it, and all that follows, as a signature", i+1, m)
			}
		}
	}
	return nil
}

// packedRef returns the hash packed-refs holds for refName, or "".
func (r *Repo) packedRef(refName string) (string, error) {
	f, _, err := openRegular(filepath.Join(r.commonDir(), "packed-refs"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read packed-refs: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if hash, name, ok := strings.Cut(line, " "); ok && name == refName && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "^") {
			return hash, nil
		}
	}
	return "", sc.Err()
}

// ReadTag reads the tag name (without refs/tags/). It returns an error
// wrapping ErrNoTag when there is none.
func (r *Repo) ReadTag(name string) (*Tag, error) {
	ref, err := r.Git.Reference(plumbing.ReferenceName("refs/tags/"+name), false)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, fmt.Errorf("%s: %w", name, ErrNoTag)
	}
	if err != nil {
		return nil, fmt.Errorf("read tag %s: %w", name, err)
	}
	return r.readTagRef(name, ref.Hash())
}

func (r *Repo) readTagRef(name string, h plumbing.Hash) (*Tag, error) {
	t := &Tag{Name: name, Ref: h.String()}
	to, err := r.Git.TagObject(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		// A lightweight tag, or a ref to a missing object.
		obj, err := r.Git.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return nil, fmt.Errorf("tag %s points at %s, which is missing: %w", name, h, err)
		}
		t.Target, t.TargetType = h.String(), obj.Type().String()
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tag %s: %w", name, err)
	}
	t.Annotated = true
	t.Target, t.TargetType = to.Target.String(), to.TargetType.String()
	t.Tagger = Signature{Name: to.Tagger.Name, Email: to.Tagger.Email, When: to.Tagger.When}
	t.Message = to.Message
	return t, nil
}

// Tags lists the tags whose name starts with prefix (e.g. "baseline/"),
// sorted by name. A tag that cannot be read is skipped and reported in
// the error slice, so one broken tag does not hide the others.
func (r *Repo) Tags(prefix string) ([]*Tag, []error) {
	it, err := r.Git.References()
	if err != nil {
		return nil, []error{fmt.Errorf("list tags: %w", err)}
	}
	var out []*Tag
	var errs []error
	_ = it.ForEach(func(ref *plumbing.Reference) error {
		n := ref.Name().String()
		if !strings.HasPrefix(n, "refs/tags/"+prefix) || ref.Type() != plumbing.HashReference {
			return nil
		}
		t, err := r.readTagRef(strings.TrimPrefix(n, "refs/tags/"), ref.Hash())
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		out = append(out, t)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errs
}

// CheckBlob reads the whole blob hash from the object store and checks
// that its bytes hash to its name: nil when the blob is there and whole,
// else an error saying it is missing (wrapping ErrMissingObject), cannot
// be read or is corrupt. CheckBlobs checks many at once.
func (r *Repo) CheckBlob(hash string) error {
	return r.CheckBlobs([]string{hash})[hash]
}

// HasObject reports whether the object hash is in the repository.
func (r *Repo) HasObject(hash string) bool {
	return r.Git.Storer.HasEncodedObject(plumbing.NewHash(hash)) == nil
}

// IsCommit reports whether hash names a commit in the repository.
func (r *Repo) IsCommit(hash string) bool {
	_, err := r.Git.CommitObject(plumbing.NewHash(hash))
	return err == nil
}

// FileAt returns the bytes of path (relative to the library's root) at
// commit, without reading the rest of the tree. ok is false when the
// commit has no such file.
func (r *Repo) FileAt(commit, path string) (data []byte, ok bool, err error) {
	c, err := r.Git.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return nil, false, fmt.Errorf("read commit %s: %w", commit, err)
	}
	full := path
	if r.Prefix != "" {
		full = r.Prefix + "/" + path
	}
	f, err := c.File(full)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", path, tagShort(commit), err)
	}
	b, err := readBlob(r.Git.Storer, f.Blob.Hash)
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", path, tagShort(commit), err)
	}
	return b, true, nil
}

// FullPath turns a path relative to the library's root into one relative
// to the repository's top, as History uses.
func (r *Repo) FullPath(path string) string {
	if r.Prefix == "" {
		return path
	}
	return r.Prefix + "/" + path
}

func tagShort(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// FileReader reads files at many commits, keeping the trees it decodes
// so that files of neighbouring commits cost one blob read each. It is
// not safe for concurrent use.
type FileReader struct {
	r     *Repo
	roots map[string]*object.Tree        // commit -> library root tree
	trees map[plumbing.Hash]*object.Tree // decoded trees by hash
}

// NewFileReader returns a FileReader over r.
func (r *Repo) NewFileReader() *FileReader {
	return &FileReader{r: r, roots: map[string]*object.Tree{}, trees: map[plumbing.Hash]*object.Tree{}}
}

func (f *FileReader) tree(h plumbing.Hash) (*object.Tree, error) {
	if t, ok := f.trees[h]; ok {
		return t, nil
	}
	t, err := object.GetTree(f.r.Git.Storer, h)
	if err != nil {
		return nil, err
	}
	f.trees[h] = t
	return t, nil
}

// Read returns the bytes of path (relative to the library's root) at
// commit; ok is false when the commit has no such file.
func (f *FileReader) Read(commit, path string) (data []byte, ok bool, err error) {
	root, seen := f.roots[commit]
	if !seen {
		c, err := f.r.Git.CommitObject(plumbing.NewHash(commit))
		if err != nil {
			return nil, false, fmt.Errorf("read commit %s: %w", commit, err)
		}
		root, err = f.tree(c.TreeHash)
		if err != nil {
			return nil, false, fmt.Errorf("read tree of %s: %w", tagShort(commit), err)
		}
		f.roots[commit] = root
	}
	parts := strings.Split(f.r.FullPath(path), "/")
	t := root
	for i, name := range parts {
		e, err := t.FindEntry(name)
		if err != nil {
			return nil, false, nil
		}
		if i == len(parts)-1 {
			if !e.Mode.IsFile() {
				return nil, false, nil
			}
			data, err := readBlob(f.r.Git.Storer, e.Hash)
			if err != nil {
				return nil, false, fmt.Errorf("read %s at %s: %w", path, tagShort(commit), err)
			}
			return data, true, nil
		}
		if e.Mode != filemode.Dir {
			return nil, false, nil
		}
		t, err = f.tree(e.Hash)
		if err != nil {
			return nil, false, fmt.Errorf("read %s at %s: %w", path, tagShort(commit), err)
		}
	}
	return nil, false, nil
}

// TagRef returns the hash the ref of tag name holds (the tag object of an
// annotated tag), without reading the object; false when there is no
// such ref or it cannot be read.
func (r *Repo) TagRef(name string) (string, bool) {
	ref, err := r.Git.Reference(plumbing.ReferenceName("refs/tags/"+name), false)
	if err != nil || ref.Type() != plumbing.HashReference {
		return "", false
	}
	return ref.Hash().String(), true
}
