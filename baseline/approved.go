package baseline

// The text a document had when an approval was given: what redlines
// (rmm diff, rmm approve's summary, the site's "changes since the last
// approval") compare the document with.

import (
	"strings"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// LastApproval returns d's most recent approval, current or stale: the
// latest date, and of equal dates the later in the file.
func LastApproval(d *doc.Document) (doc.Approval, bool) {
	return latestApproval(d, func(doc.Approval) bool { return true })
}

// LastApprovalBy returns the most recent approval of d by email, in any
// role.
func LastApprovalBy(d *doc.Document, email string) (doc.Approval, bool) {
	return latestApproval(d, func(a doc.Approval) bool { return strings.EqualFold(a.By, email) })
}

func latestApproval(d *doc.Document, keep func(doc.Approval) bool) (doc.Approval, bool) {
	var best doc.Approval
	var bestWhen time.Time
	found := false
	for _, a := range d.Approvals {
		if !keep(a) {
			continue
		}
		when, err := time.Parse(time.RFC3339, a.Date)
		if err != nil {
			// An unreadable date sorts first: any readable one is later.
			when = time.Time{}
		}
		if !found || !when.Before(bestWhen) {
			best, bestWhen, found = a, when, true
		}
	}
	return best, found
}

// Version is a document as one commit holds it.
type Version struct {
	Commit repo.CommitInfo
	Doc    *doc.Document
}

// ApprovedVersion finds the text a document had when approval a was
// given, among commits, the commits that changed its file at path
// (relative to the library's root), newest first, as History.Of lists
// them: the commit that recorded a (the oldest of the run of versions,
// back from the newest, that hold it) when its text carries a's
// fingerprint; else the newest version whose text carries it (an
// approval recorded in the same commit as a later edit, or not committed
// at all). ok is false when no version carries it: the approved text was
// never committed, the file was renamed since, or the clone is shallow.
// Only the versions up to the answer are read.
func ApprovedVersion(files *repo.FileReader, path string, commits []repo.CommitInfo, a doc.Approval) (v Version, ok bool, err error) {
	run := true // still in the run of versions holding a, from the newest
	var intro, match *Version
	for _, c := range commits {
		data, present, err := files.Read(c.Hash, path)
		if err != nil {
			return Version{}, false, err
		}
		var d *doc.Document
		if present {
			d, _ = doc.Parse(path, data)
		}
		if d == nil {
			// Removed (or unreadable) in this commit: the run ends, and
			// older versions are another life of the path.
			break
		}
		here := &Version{Commit: c, Doc: d}
		if run && holds(d, a) {
			intro = here
		} else {
			run = false
		}
		if match == nil && d.Fingerprint == a.Fingerprint {
			match = here
		}
		if !run {
			if intro != nil && intro.Doc.Fingerprint == a.Fingerprint {
				return *intro, true, nil
			}
			if match != nil {
				return *match, true, nil
			}
		}
	}
	if intro != nil && intro.Doc.Fingerprint == a.Fingerprint {
		return *intro, true, nil
	}
	if match != nil {
		return *match, true, nil
	}
	return Version{}, false, nil
}

func holds(d *doc.Document, a doc.Approval) bool {
	for _, b := range d.Approvals {
		if sameApproval(a, b) {
			return true
		}
	}
	return false
}

// SuggestID proposes ids of lib close to a mistyped one, as rmm approve
// does: "; did you mean IMC-PLAN?", or "".
func SuggestID(lib *doc.Library, id string) string { return suggestID(lib, id) }
