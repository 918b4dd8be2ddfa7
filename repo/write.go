package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Init makes dir a git repository (branch main) unless it is inside one
// already, and opens it.
func Init(dir string) (*Repo, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	_, err = git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		_, err = git.PlainInitWithOptions(dir, &git.PlainInitOptions{
			InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
		})
		if err != nil {
			return nil, fmt.Errorf("git init %s: %w", dir, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	return Open(dir)
}

// CommitAll stages every change below the library's root (new, changed
// and deleted files, honouring .gitignore; never the files of a nested
// repository or submodule) and commits it. Signatures are
// always given explicitly (rmm never depends on HOME) and checked
// (Signature.Check), so that the commit passes git fsck.
func (r *Repo) CommitAll(message string, author, committer Signature) (string, error) {
	if err := author.Check(); err != nil {
		return "", fmt.Errorf("git commit: author: %w", err)
	}
	if err := committer.Check(); err != nil {
		return "", fmt.Errorf("git commit: committer: %w", err)
	}
	wt, err := r.Git.Worktree()
	if err != nil {
		return "", err
	}
	// go-git's add descends into a nested repository and stages its files
	// as the library's own; git adds such a folder as a gitlink, or not
	// at all. Leave them out, as Load does.
	nested, err := r.nestedRepos()
	if err != nil {
		return "", fmt.Errorf("git add: %w", err)
	}
	for _, p := range nested {
		wt.Excludes = append(wt.Excludes, gitignore.ParsePattern("/"+r.FullPath(p)+"/", nil))
	}
	opts := &git.AddOptions{All: true}
	if r.Prefix != "" {
		opts = &git.AddOptions{Path: r.Prefix}
	}
	if err := wt.AddWithOptions(opts); err != nil {
		return "", fmt.Errorf("git add: %w", err)
	}
	h, err := wt.Commit(message, &git.CommitOptions{Author: author.git(), Committer: committer.git(), AllowEmptyCommits: false})
	if err != nil {
		return "", fmt.Errorf("git commit: %w", err)
	}
	return h.String(), nil
}

// nestedRepos lists the folders below the library's root (slash-separated,
// from the root) that hold a .git of their own: submodules checked out, and
// repositories nobody added.
func (r *Repo) nestedRepos() ([]string, error) {
	var out []string
	err := filepath.WalkDir(r.Root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() || p == r.Root {
			return nil
		}
		if e.Name() == ".git" && filepath.Dir(p) == r.Root {
			return fs.SkipDir
		}
		if _, err := os.Lstat(filepath.Join(p, ".git")); err == nil {
			rel, err := filepath.Rel(r.Root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
			return fs.SkipDir
		}
		return nil
	})
	return out, err
}
