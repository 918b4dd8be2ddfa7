package repo

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
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
// and deleted files, honouring .gitignore) and commits it. Signatures are
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
