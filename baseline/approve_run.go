package baseline

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/redline"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

// ApproveRequest is one run of `rmm approve`.
type ApproveRequest struct {
	IDs []string // document ids or paths
	// By is the approver's email; "" is git's user.email.
	By      string
	Role    string // "" for DefaultRole
	Meaning string
	Now     time.Time
	// BeforeRecord, when not nil, runs between reading the documents and
	// recording the approvals (tests put another writer's edit there).
	BeforeRecord func()
}

// ApproveResult is what ApproveDocs did with one document.
type ApproveResult struct {
	Recorded
	// Since says what changed in the document since the approver's
	// previous approval of it (only when Written): the words and sections
	// of the body and the front matter keys the fingerprint covers, or
	// that this is their first approval, so that an approval is informed.
	Since string
}

// Refusal is an approval refused for a reason the user can fix; no
// document was changed. Hint says what to do.
type Refusal struct {
	Msg, Hint string
}

func (e *Refusal) Error() string { return e.Msg }

// ApproveDocs is `rmm approve` over snap, the working tree of r: it
// decides who approves (req.By, else git's user.email, one valid email),
// plans every approval (Plan: the role, who holds it, no error, no
// placeholder), records them all or none (Record) and says, for each
// approval written, what changed since the approver's previous one. A
// refusal is a *Refusal; any other error is an internal failure.
func ApproveDocs(r *repo.Repo, snap *repo.Snapshot, req ApproveRequest) ([]ApproveResult, error) {
	lib := snap.Lib
	by, from := strings.TrimSpace(req.By), "--by"
	if by == "" {
		who, ok := r.Identity()
		if !ok {
			return nil, &Refusal{Hint: "set it with 'git config user.email you@example.org', or pass --by EMAIL", Msg: "who approves? git has no user.email"}
		}
		by, from = who.Email, "git's user.email"
	}
	if err := doc.CheckEmail(by); err != nil {
		return nil, &Refusal{Hint: "pass --by with one email address, like dana@example.org; no document was changed", Msg: fmt.Sprintf("%s: %v", from, err)}
	}
	if !utf8.ValidString(req.Meaning) {
		return nil, &Refusal{Hint: "no document was changed", Msg: "--meaning is not valid UTF-8"}
	}
	pending, problems, err := Plan(lib, Request{IDs: req.IDs, By: by, Role: req.Role, Meaning: req.Meaning,
		Date: req.Now.UTC().Format(time.RFC3339), Templates: check.NewTemplates(snap.FS)})
	if err != nil {
		return nil, err
	}
	hint := "no document was changed"
	if len(req.IDs) > 1 {
		hint = "no document was changed: approve all or none"
	}
	if len(problems) > 0 {
		return nil, &Refusal{Hint: hint, Msg: strings.Join(problems, "\n  ")}
	}
	if req.BeforeRecord != nil {
		req.BeforeRecord()
	}
	done, err := Record(r.Root, lib.Config, pending)
	switch {
	case errors.Is(err, ErrChanged), errors.Is(err, doc.ErrCannotEdit), errors.Is(err, ErrRole):
		return nil, &Refusal{Hint: hint, Msg: err.Error()}
	case errors.Is(err, store.ErrBusy):
		return nil, &Refusal{Hint: "try again in a moment; " + hint, Msg: err.Error()}
	case errors.Is(err, fs.ErrNotExist):
		// Only a race with someone deleting the file reaches this.
		return nil, fmt.Errorf("%w: the file went away while rmm was approving it", err)
	case err != nil:
		return nil, err
	}
	out := make([]ApproveResult, len(done))
	hist := &lazyHistory{r: r}
	for i, w := range done {
		out[i].Recorded = w
		if d := lib.ByPath[w.Path]; d != nil && w.Written {
			out[i].Since = sinceSummary(r, hist, d, w.Approval.By)
		}
	}
	return out, nil
}

// lazyHistory is the history pass from HEAD, read once by the first
// summary that needs it.
type lazyHistory struct {
	r    *repo.Repo
	h    *repo.History
	err  error
	read bool
}

func (l *lazyHistory) get() (*repo.History, error) {
	if !l.read {
		l.read = true
		head, _, err := l.r.Head()
		if err != nil {
			l.err = err
		} else if l.h, err = repo.LoadHistory(l.r.GitDir, head, l.r.HistoryCacheDir()); err != nil {
			l.err = fmt.Errorf("read history: %w", err)
		}
	}
	return l.h, l.err
}

// sinceSummary says what changed in d (as the approver was shown it)
// since by's previous approval of it.
func sinceSummary(r *repo.Repo, hist *lazyHistory, d *doc.Document, by string) string {
	prev, ok := LastApprovalBy(d, by)
	if !ok {
		return "first approval by " + by
	}
	of := fmt.Sprintf("%s's approval as %s of %s", by, prev.Role, dateOnly(prev.Date))
	if prev.Fingerprint == d.Fingerprint {
		return "no change since " + of
	}
	h, err := hist.get()
	if err != nil {
		return fmt.Sprintf("changed since %s; what changed cannot be told: %v", of, err)
	}
	v, found, err := ApprovedVersion(r.NewFileReader(), d.Path, h.Of(r.FullPath(d.Path)), prev)
	switch {
	case err != nil:
		return fmt.Sprintf("changed since %s; what changed cannot be told: %v", of, err)
	case !found:
		return fmt.Sprintf("changed since %s, whose text is in no commit of %s: rmm cannot show what changed", of, d.Path)
	}
	rl := redline.Compare(v.Doc, d)
	var parts []string
	if rl.BodyChanged() {
		parts = append(parts, rl.BodySummary())
	} else if rl.WhiteSpace {
		parts = append(parts, "white space only in the body")
	}
	var keys []string
	for _, f := range rl.Fields {
		if f.Fingerprint {
			keys = append(keys, f.Key)
		}
	}
	if len(keys) > 0 {
		parts = append(parts, "front matter: "+strings.Join(keys, ", "))
	}
	if len(parts) == 0 {
		parts = append(parts, "the text changed")
	}
	short := v.Commit.Hash
	if len(short) > 12 {
		short = short[:12]
	}
	return fmt.Sprintf("changed since %s (%s): %s; rmm diff %s %s shows it", of, short, strings.Join(parts, "; "), d.ID, short)
}

func dateOnly(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}
