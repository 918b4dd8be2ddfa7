// Package repo is rmm's only door to git: it finds a library's root, opens
// the repository with go-git, resolves revisions, presents the working tree
// and any commit's tree as an fs.FS (so package doc loads both through one
// code path), and writes commits and tags. History of every path in one
// pass is in history.go.
package repo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/rmm-pal/rmm/doc"
)

// Errors a caller may want to tell apart.
var (
	ErrNoRoot   = errors.New("not in a process asset library (no rmm.yaml here or in any parent folder)")
	ErrNotGit   = errors.New("not a git repository")
	ErrEmpty    = errors.New("the repository has no commits yet")
	ErrDetached = errors.New("HEAD is detached")
	ErrNoRev    = errors.New("unknown revision")
)

// FindRoot walks up from start to the first folder holding rmm.yaml, as
// git looks for .git.
func FindRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("cannot use %s: %w", start, err)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a folder", start)
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, doc.ConfigFile)); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoRoot
		}
		dir = parent
	}
}

// Repo is a library's repository.
type Repo struct {
	Root   string // the library's root (holds rmm.yaml), absolute
	GitDir string // the .git folder
	Git    *git.Repository
	// Prefix is the library root's path inside the git work tree ("" when
	// rmm.yaml is at the top of the repository), slash-separated.
	Prefix string

	index *indexCache // what loads read of the index, for as long as it reads the same
	tree  *treeMemo   // the last tree read (Tree)
}

// Open opens the git repository that holds root.
func Open(root string) (*Repo, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	g, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: %w", root, ErrNotGit)
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", root, err)
	}
	r := &Repo{Root: root, Git: g, index: &indexCache{}, tree: &treeMemo{}}
	if wt, err := g.Worktree(); err == nil {
		top := wt.Filesystem.Root()
		if rel, err := filepath.Rel(top, root); err == nil && rel != "." {
			r.Prefix = filepath.ToSlash(rel)
		}
		r.GitDir = filepath.Join(top, ".git")
		if fi, err := os.Stat(r.GitDir); err == nil && !fi.IsDir() {
			// A worktree or submodule: .git is a file naming the folder.
			if b, err := os.ReadFile(r.GitDir); err == nil {
				if s, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: "); ok {
					if !filepath.IsAbs(s) {
						s = filepath.Join(top, s)
					}
					r.GitDir = s
				}
			}
		}
	}
	// go-git follows delta chains without a limit: see history_guard.go.
	g.Storer = hGuardStorage(g.Storer, r.GitDir)
	return r, nil
}

// Head returns the commit HEAD points at and the branch name ("" when
// HEAD is detached). It returns ErrEmpty in a repository with no commits.
func (r *Repo) Head() (hash, branch string, err error) {
	ref, err := r.Git.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return "", "", ErrEmpty
	}
	if err != nil {
		return "", "", fmt.Errorf("read HEAD: %w", err)
	}
	if ref.Name().IsBranch() {
		branch = ref.Name().Short()
	}
	return ref.Hash().String(), branch, nil
}

// Resolve turns a revision (commit hash or prefix, branch, tag such as
// baseline/NAME, HEAD, HEAD~2) into a commit hash.
func (r *Repo) Resolve(rev string) (string, error) {
	if _, _, err := r.Head(); errors.Is(err, ErrEmpty) && (rev == "HEAD" || rev == "") {
		return "", ErrEmpty
	}
	h, err := r.Git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return "", fmt.Errorf("%w %q", ErrNoRev, rev)
	}
	// Peel annotated tags to their commit.
	if t, err := r.Git.TagObject(*h); err == nil {
		c, err := t.Commit()
		if err != nil {
			return "", fmt.Errorf("%w %q: the tag does not point at a commit", ErrNoRev, rev)
		}
		return c.Hash.String(), nil
	}
	if _, err := r.Git.CommitObject(*h); err != nil {
		return "", fmt.Errorf("%w %q: not a commit", ErrNoRev, rev)
	}
	return h.String(), nil
}

// IsShallow reports a shallow clone, whose history is incomplete.
func (r *Repo) IsShallow() bool {
	s, err := r.Git.Storer.Shallow()
	return err == nil && len(s) > 0
}

// Signature is who made a commit, tag or approval.
type Signature struct {
	Name  string
	Email string
	When  time.Time
}

func (s Signature) git() *object.Signature {
	return &object.Signature{Name: s.Name, Email: s.Email, When: s.When}
}

// Check reports why s cannot sign a commit or tag that git fsck accepts,
// or nil: the name and email must pass doc.ParseIdent (a name without <,
// > or a line break; an email as doc.CheckEmail wants it), and the date
// must not be before 1970 (git's dates are unsigned).
func (s Signature) Check() error {
	if strings.ContainsAny(s.Name, "<>\n\r\x00") {
		return fmt.Errorf("the name %q holds <, > or a line break, which git fsck refuses", s.Name)
	}
	if err := doc.CheckEmail(s.Email); err != nil {
		return err
	}
	if _, _, err := doc.ParseIdent(s.String()); err != nil {
		return err
	}
	if s.When.Unix() < 0 {
		return fmt.Errorf("the date %s is before 1970, which git cannot record", s.When.Format(time.RFC3339))
	}
	return nil
}

// String formats "Name <email>".
func (s Signature) String() string { return fmt.Sprintf("%s <%s>", s.Name, s.Email) }

// ParseSignature reads "Name <email>" with git fsck's rules (see
// doc.ParseIdent); When is left zero.
func ParseSignature(s string) (Signature, error) {
	name, email, err := doc.ParseIdent(s)
	if err != nil {
		return Signature{}, err
	}
	return Signature{Name: name, Email: email}, nil
}

// Identity returns git's user.name and user.email (repository, then global
// and system configuration, then GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL), as git
// would use for a commit. ok is false when no email is configured.
func (r *Repo) Identity() (Signature, bool) {
	var s Signature
	if r != nil && r.Git != nil {
		if c, err := r.Git.ConfigScoped(config.SystemScope); err == nil {
			s.Name, s.Email = c.User.Name, c.User.Email
		}
	} else if c, err := config.LoadConfig(config.GlobalScope); err == nil {
		s.Name, s.Email = c.User.Name, c.User.Email
	}
	if v := os.Getenv("GIT_AUTHOR_NAME"); v != "" {
		s.Name = v
	}
	if v := os.Getenv("GIT_AUTHOR_EMAIL"); v != "" {
		s.Email = v
	}
	if s.Name == "" {
		s.Name = s.Email
	}
	s.When = time.Now()
	return s, s.Email != ""
}

// BlobHash is git's object id of a blob with these bytes.
func BlobHash(data []byte) string {
	return plumbing.ComputeHash(plumbing.BlobObject, data).String()
}
