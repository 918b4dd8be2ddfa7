package baseline

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Provenance compares who claims an approval with who committed it. For
// every current approval of the entries (documents of lib at commit), it
// finds the commit that introduced the approval into the file (the oldest
// commit of an unbroken run, back from commit, of versions that hold it)
// and returns a warning when that commit's author email is not the
// approver's. The file only says who claims to have approved; git records
// who wrote it.
//
// A document renamed after its approval is traced back to the rename only:
// the rename's author is then taken for the one who wrote the approval.
func Provenance(r *repo.Repo, commit string, lib *doc.Library, entries []Entry) ([]string, error) {
	approved := false
	for _, e := range entries {
		if len(e.Approvers) > 0 {
			approved = true
			break
		}
	}
	if !approved {
		return nil, nil
	}
	h, err := repo.LoadHistory(r.GitDir, commit, r.HistoryCacheDir())
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	var out []string
	if h.Incomplete() {
		out = append(out, "the history is incomplete (shallow clone): approval provenance may name the wrong commit")
	}
	files := r.NewFileReader()
	cache := openProvCache(r)
	defer cache.save()
	for _, e := range entries {
		d := lib.ByID[e.ID]
		if d == nil || len(e.Approvers) == 0 {
			continue
		}
		commits := h.Of(r.FullPath(d.Path))
		versions := map[string][]doc.Approval{}
		if len(commits) > 0 {
			// The newest change at or before commit is the version lib holds.
			versions[commits[0].Hash] = d.Approvals
		}
		holds := func(hash string, a doc.Approval) (bool, error) {
			as, seen := versions[hash]
			if !seen {
				var cached bool
				if as, cached = cache.get(hash, r.FullPath(d.Path)); !cached {
					data, ok, err := files.Read(hash, d.Path)
					if err != nil {
						return false, err
					}
					if ok {
						as = approvalsIn(data)
					}
					cache.put(hash, r.FullPath(d.Path), as)
				}
				versions[hash] = as
			}
			for _, b := range as {
				if sameApproval(a, b) {
					return true, nil
				}
			}
			return false, nil
		}
		for _, a := range Approvers(d) {
			var intro *repo.CommitInfo
			for i := range commits {
				ok, err := holds(commits[i].Hash, a)
				if err != nil {
					return out, err
				}
				if !ok {
					break
				}
				intro = &commits[i]
			}
			if intro == nil || strings.EqualFold(intro.Email, a.By) {
				continue
			}
			out = append(out, fmt.Sprintf("%s (%s): the approval by %s as %s was committed by %s <%s> in %s, not by %s",
				d.ID, d.Path, a.By, a.Role, intro.Author, intro.Email, short(intro.Hash), a.By))
		}
	}
	return out, nil
}

func sameApproval(a, b doc.Approval) bool {
	return strings.EqualFold(a.By, b.By) && a.Role == b.Role && a.Date == b.Date && a.Fingerprint == b.Fingerprint
}

// approvalsIn reads the approvals of a file's front matter, or nil.
func approvalsIn(data []byte) []doc.Approval {
	y, _, _, ok, closed := doc.SplitFrontMatter(data)
	if !ok || !closed {
		return nil
	}
	var fm struct {
		Approvals []doc.Approval `yaml:"approvals"`
	}
	if yaml.Unmarshal(y, &fm) != nil {
		return nil
	}
	return fm.Approvals
}
