package appraise

// The document register: the master list of controlled documents an
// ISO 9001 auditor asks for. `rmm register` prints it; the site shows it
// as register.html and register.csv.

import (
	"encoding/csv"
	"io"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// RevisionLen is how many characters of a fingerprint the register shows
// as the current revision.
const RevisionLen = 12

// RegisterEntry is one row of the register. Its JSON form is what
// `rmm register --json` prints (an array of them).
type RegisterEntry struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	Area        string `json:"area"`
	Unit        string `json:"unit"`
	Owner       string `json:"owner"`
	Status      string `json:"status"` // as change control shows it (baseline.Control.Status)
	Path        string `json:"path"`
	Fingerprint string `json:"fingerprint"`
	// Revision is the fingerprint's first RevisionLen characters, and
	// Baseline the latest baseline (NAME, without baseline/) whose manifest
	// holds the document with that fingerprint ("" for none).
	Revision string `json:"revision"`
	Baseline string `json:"baseline"`
	// ApprovedOn is the day of the latest current approval, ApprovedBy
	// the current approvals as "by (role)", in file order.
	ApprovedOn string   `json:"approved_on"`
	ApprovedBy []string `json:"approved_by"`
	// NextReview is when the next review is due (review_every), "" when
	// none is.
	NextReview  string `json:"next_review"`
	Sensitivity string `json:"sensitivity"`
}

// RegisterColumns are the register's columns, in the order of its text,
// CSV and page.
var RegisterColumns = []string{"id", "title", "kind", "area", "unit", "owner", "status", "revision", "baseline", "approved on", "approved by", "next review", "sensitivity"}

// Cells are e's values in RegisterColumns order.
func (e RegisterEntry) Cells() []string {
	return []string{e.ID, e.Title, e.Kind, e.Area, e.Unit, e.Owner, e.Status, e.Revision, e.Baseline, e.ApprovedOn,
		strings.Join(e.ApprovedBy, ", "), e.NextReview, e.Sensitivity}
}

// Register lists the documents of lib that carry front matter (uncontrolled
// notes are not registered), by id. ctl gives the status (nil: without
// baselines); manifests are the baselines of the library's commit, oldest
// first (Baselines).
func Register(lib *doc.Library, ctl *baseline.Control, manifests []*baseline.Manifest) []RegisterEntry {
	reviews := baseline.NewReviewIndex(lib)
	out := []RegisterEntry{}
	for _, d := range lib.Docs {
		if !d.HasFrontMatter || d.ID == "" || lib.ByID[d.ID] != d {
			continue
		}
		e := RegisterEntry{ID: d.ID, Title: d.Title, Kind: d.Kind, Area: d.ProcessArea, Unit: d.Unit, Owner: d.Owner,
			Status: ctl.Status(d), Path: d.Path, Fingerprint: d.Fingerprint, ApprovedBy: []string{}, Sensitivity: d.Sensitivity}
		if e.Sensitivity == "" && lib.Config != nil {
			e.Sensitivity = lib.Config.Sensitivity()
		}
		e.Revision = d.Fingerprint
		if len(e.Revision) > RevisionLen {
			e.Revision = e.Revision[:RevisionLen]
		}
		for i := len(manifests) - 1; i >= 0; i-- {
			if en := manifests[i].Entry(d.ID); en != nil && en.Fingerprint == d.Fingerprint {
				e.Baseline = manifests[i].Name
				break
			}
		}
		for _, a := range d.Approvals {
			if !baseline.Current(d, a) {
				continue
			}
			by := a.By
			if a.Role != "" {
				by += " (" + a.Role + ")"
			}
			if !doc.Contains(e.ApprovedBy, by) {
				e.ApprovedBy = append(e.ApprovedBy, by)
			}
			if t := check.ParseDay(a.Date); !t.IsZero() {
				if day := t.Format("2006-01-02"); day > e.ApprovedOn {
					e.ApprovedOn = day
				}
			}
		}
		if due := reviews.Due(d); !due.IsZero() {
			e.NextReview = due.Format("2006-01-02")
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Baselines are the baselines whose commit is commit or one of its
// ancestors, oldest first (by tag date, then name). Unreadable manifests
// are left out.
func Baselines(r *repo.Repo, commit string) []*baseline.Manifest {
	if r == nil || commit == "" {
		return nil
	}
	tags, _ := r.Tags(baseline.TagPrefix)
	behind := r.Ancestry(commit)
	var out []*baseline.Manifest
	for _, t := range tags {
		m, err := baseline.FromTag(t)
		if err != nil {
			continue
		}
		if ok, _ := behind.Has(m.Commit); ok {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].When(), out[j].When()
		if !a.Equal(b) {
			return a.Before(b)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// WriteRegisterCSV writes the register as CSV (RFC 4180, a header row
// first). A cell that a spreadsheet would read as a formula (it starts
// with = + - @, a tab or a carriage return) is prefixed with ' so it
// stays text.
func WriteRegisterCSV(w io.Writer, entries []RegisterEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(RegisterColumns); err != nil {
		return err
	}
	for _, e := range entries {
		cells := e.Cells()
		for i, c := range cells {
			cells[i] = CSVSafe(c)
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVSafe guards a cell against CSV formula injection.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
