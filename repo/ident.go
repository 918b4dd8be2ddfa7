package repo

import (
	"errors"

	"github.com/go-git/go-git/v5"
)

// IdentityAt is the git identity that commits in dir would carry: the
// repository's configuration (local, then global) when dir is inside one,
// else the global configuration; GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL win
// as they do for git. ok is false when there is no email.
func IdentityAt(dir string) (Signature, bool) {
	g, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil || errors.Is(err, git.ErrRepositoryNotExists) {
		var none *Repo
		return none.Identity()
	}
	return (&Repo{Git: g}).Identity()
}
