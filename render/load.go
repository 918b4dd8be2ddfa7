package render

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// input is what the load phase gathers.
type input struct {
	snap    *repo.Snapshot
	lib     *doc.Library
	commit  string // the commit published, or HEAD for the working tree
	history *repo.History
	// histErr is set when the history could not be read (an empty
	// repository); pages then say so instead of failing the build.
	histErr error
	tmpl    *templateSet
}

// HistoryCacheDir is where the history pass keeps its cache, below the
// git folder: store.Dir(gitdir, "history").
func HistoryCacheDir(r *repo.Repo) string { return r.HistoryCacheDir() }

func load(ctx context.Context, o Options, res *Result) (*input, error) {
	in := &input{snap: o.Snapshot}
	if in.snap == nil {
		out := ""
		if rel, err := filepath.Rel(o.Repo.Root, o.Out); err == nil && !strings.HasPrefix(rel, "..") && rel != "." {
			out = filepath.ToSlash(rel)
		}
		s, err := o.Repo.Load(o.Rev, doc.LoadOptions{Output: out})
		if err != nil {
			return nil, err
		}
		in.snap = s
	}
	in.lib = in.snap.Lib
	in.commit = in.snap.Commit
	if in.commit == "" {
		h, _, err := o.Repo.Head()
		if err != nil && !errors.Is(err, repo.ErrEmpty) {
			return nil, err
		}
		in.commit = h
	}
	if in.commit != "" && o.History != nil && o.History.Head() == in.commit {
		in.history = o.History
	} else if in.commit != "" {
		h, err := repo.LoadHistory(o.Repo.GitDir, in.commit, HistoryCacheDir(o.Repo))
		if err != nil {
			in.histErr = err
			res.Warnings = append(res.Warnings, fmt.Sprintf("history: %v", err))
		}
		in.history = h
	} else {
		in.histErr = repo.ErrEmpty
	}
	var prev *templateSet
	if o.Keys != nil {
		prev = o.Keys.lastTemplates()
	}
	t, err := loadTemplates(in.snap.FS, prev)
	if err != nil {
		return nil, err
	}
	in.tmpl = t
	return in, ctx.Err()
}

// gitPath turns a document's path (from the library's root) into its path
// in the git repository.
func gitPath(r *repo.Repo, p string) string {
	if r.Prefix == "" {
		return p
	}
	return path.Join(r.Prefix, p)
}
