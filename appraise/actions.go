package appraise

// Actions tracked to closure (GG2.GP8 subpractices 6 and 7): every
// task-list item of the library with its source, and for a closed one the
// commit that closed it.

import (
	"sort"
	"sync"
	"time"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Action is a task-list item (`- [ ] text (@owner, due DATE)`) of a
// document.
type Action struct {
	Document string `json:"document"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Text     string `json:"text"`
	Owner    string `json:"owner"`
	Due      string `json:"due"`
	Done     bool   `json:"done"`
	// Overdue: open, and its due date is past.
	Overdue bool `json:"overdue"`
	// ClosedIn is the commit that closed a done action: the oldest of the
	// newest run of commits of the document in which the item is done
	// ([x]); "" when it is closed in the working tree only, or history
	// cannot tell. ClosedOn and ClosedBy are that commit's date and
	// author.
	ClosedIn string `json:"closed_in"`
	ClosedOn string `json:"closed_on"`
	ClosedBy string `json:"closed_by"`
}

// Actions lists the actions of every document, by path and line. Closed
// ones carry the commit that closed them, found without a walk of its
// own: for each document with a closed action, its versions at the
// commits that changed it (which the history pass lists, newest first)
// are compared, and an item closed since the oldest version of the run
// that shows it closed. Items are matched by their text (without owner
// and due date). The error says the history or a version could not be
// read; the actions are returned all the same, without closing commits.
func Actions(ctx *check.Context) ([]Action, error) {
	out := []Action{}
	var withDone []*doc.Document
	for _, d := range ctx.Lib.Docs {
		done := false
		for _, a := range d.Actions {
			ac := Action{Document: d.ID, Path: d.Path, Line: a.Line, Text: a.Text, Owner: a.Owner, Due: a.Due, Done: a.Done}
			if t, err := time.Parse("2006-01-02", a.Due); err == nil && !a.Done && ctx.Now.After(t.AddDate(0, 0, 1)) {
				ac.Overdue = true
			}
			done = done || a.Done
			out = append(out, ac)
		}
		if done {
			withDone = append(withDone, d)
		}
	}
	if len(withDone) == 0 || ctx.Repo == nil {
		return out, nil
	}
	rev := ctx.Snap.Commit
	if rev == "" {
		var err error
		if rev, _, err = ctx.Repo.Head(); err != nil {
			return out, nil // no commit yet: nothing was closed in one
		}
	}
	h, err := ctx.History(rev)
	if err != nil {
		return out, err
	}
	fr := ctx.Repo.NewFileReader()
	type closing struct{ hash, date, author string }
	closed := map[string]map[string]closing{} // path -> text -> commit
	var firstErr error
	for _, d := range withDone {
		open := map[string]bool{}
		for _, a := range d.Actions {
			if a.Done {
				open[a.Text] = true // still to be traced back
			}
		}
		found := map[string]closing{}
		for _, ci := range h.Of(ctx.Repo.FullPath(d.Path)) {
			if len(open) == 0 {
				break
			}
			doneThen, err := doneAt(fr, ctx.Repo.Prefix, ci.Hash, d.Path)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				break
			}
			for text := range open {
				if doneThen[text] {
					found[text] = closing{ci.Hash, ci.Date.UTC().Format("2006-01-02"), ci.Author}
				} else {
					delete(open, text) // open (or absent) before: closed by the newer one
				}
			}
		}
		closed[d.Path] = found
	}
	for i, a := range out {
		if !a.Done {
			continue
		}
		if c, ok := closed[a.Path][a.Text]; ok {
			out[i].ClosedIn, out[i].ClosedOn, out[i].ClosedBy = c.hash, c.date, c.author
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Line < out[j].Line
	})
	return out, firstErr
}

// doneAt is the set of done actions' texts of the document at path (of
// the library at prefix in the repository) in commit, nil when it is not there. A commit names its files' bytes
// forever, so what was read is kept (doneSeen) for the next call in this
// process: rmm serve traces the same closed actions back on every rebuild,
// and re-reading and parsing their old versions was about 15% of the CPU
// of a serve session on the example library (profile: 0.37 s of 2.41 s).
func doneAt(fr *repo.FileReader, prefix, commit, path string) (map[string]bool, error) {
	key := commit + "\x00" + prefix + "\x00" + path // the library's folder in the repository is part of the file
	doneMu.Lock()
	done, ok := doneSeen[key]
	doneMu.Unlock()
	if ok {
		return done, nil
	}
	data, ok, err := fr.Read(commit, path)
	if err != nil {
		return nil, err
	}
	if ok {
		if old, _ := doc.Parse(path, data); old != nil {
			for _, a := range old.Actions {
				if a.Done {
					if done == nil {
						done = map[string]bool{}
					}
					done[a.Text] = true
				}
			}
		}
	}
	doneMu.Lock()
	if len(doneSeen) >= maxDoneSeen {
		clear(doneSeen) // bounded: a long preview of a large library starts over
	}
	doneSeen[key] = done
	doneMu.Unlock()
	return done, nil
}

// maxDoneSeen bounds doneSeen (a key and a few texts each).
const maxDoneSeen = 100_000

var (
	doneMu   sync.Mutex
	doneSeen = map[string]map[string]bool{}
)
