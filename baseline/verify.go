package baseline

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// Summary is one baseline in `rmm baseline list --json`.
type Summary struct {
	Name      string `json:"name"`
	Tag       string `json:"tag"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	Tagger    Person `json:"tagger"`
	Summary   string `json:"summary"`
	Documents int    `json:"documents"`
	// Error says why the manifest cannot be read ("" when it can).
	Error string `json:"error,omitempty"`

	manifest *Manifest
}

// List returns every baseline tag, oldest first (by tag date, then name).
// A tag whose manifest cannot be read is listed with Error set.
func List(r *repo.Repo) ([]Summary, error) {
	tags, errs := r.Tags(TagPrefix)
	var out []Summary
	for _, t := range tags {
		s := Summary{Name: strings.TrimPrefix(t.Name, TagPrefix), Tag: t.Name, Commit: t.Target,
			Tagger: Person{Name: t.Tagger.Name, Email: t.Tagger.Email}}
		m, err := FromTag(t)
		if err != nil {
			s.Error = err.Error()
		} else {
			s.Date, s.Summary, s.Documents, s.manifest = m.Date, m.Summary, len(m.Documents), m
			if i := strings.IndexByte(s.Summary, '\n'); i >= 0 {
				s.Summary = s.Summary[:i]
			}
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].manifest, out[j].manifest
		if a != nil && b != nil && !a.when.Equal(b.when) {
			return a.when.Before(b.when)
		}
		return out[i].Name < out[j].Name
	})
	if len(errs) > 0 && len(out) == 0 {
		return nil, errs[0]
	}
	return out, nil
}

// Latest returns the newest baseline (by tag date) whose manifest can be
// read, or nil when there is none.
func Latest(r *repo.Repo) *Manifest {
	list, err := List(r)
	if err != nil {
		return nil
	}
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].manifest != nil {
			return list[i].manifest
		}
	}
	return nil
}

// Show reads the manifest of baseline NAME (with or without baseline/).
func Show(r *repo.Repo, name string) (*Manifest, error) {
	t, err := r.ReadTag(TagPrefix + strings.TrimPrefix(name, TagPrefix))
	if err != nil {
		return nil, err
	}
	return FromTag(t)
}

// Report is the result of Verify, one per baseline in
// `rmm baseline verify --json`.
type Report struct {
	Name      string   `json:"name"`
	Tag       string   `json:"tag"`
	OK        bool     `json:"ok"`
	Commit    string   `json:"commit"` // commit the manifest names
	Target    string   `json:"target"` // commit the tag points at
	Documents int      `json:"documents"`
	Problems  []string `json:"problems"`
	Warnings  []string `json:"warnings"`
}

// Verify recomputes baseline NAME's manifest from the tagged commit and
// compares. Problems (OK false): the tag is not an annotated tag on a
// commit; its manifest cannot be read; the tag points at another commit
// than the manifest names (the tag was moved); the root hash does not
// match the manifest's entries (the manifest was edited); an entry's path,
// blob, fingerprint or approvers differ from what the commit holds, or a
// controlled document of the commit is not in the manifest; an object is
// missing, or a blob the manifest lists cannot be read whole (its bytes
// do not hash to its id). Warnings: approval provenance (see Provenance).
//
// The error is for a baseline that does not exist (wrapping repo.ErrNoTag)
// or a failure to read the repository at all.
func Verify(r *repo.Repo, name string) (*Report, error) {
	name = strings.TrimPrefix(name, TagPrefix)
	rep := &Report{Name: name, Tag: TagPrefix + name, Problems: []string{}, Warnings: []string{}}
	problem := func(format string, args ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...)) }
	defer func() { rep.OK = len(rep.Problems) == 0 }()

	t, err := r.ReadTag(rep.Tag)
	if errors.Is(err, repo.ErrNoTag) {
		return nil, err
	}
	if err != nil {
		problem("missing object: %v", err)
		return rep, nil
	}
	rep.Target = t.Target
	m, err := FromTag(t)
	if err != nil {
		problem("%v", err)
		return rep, nil
	}
	rep.Commit, rep.Documents = m.Commit, len(m.Documents)
	if t.TargetType != "commit" {
		problem("%s points at a %s, not a commit", rep.Tag, t.TargetType)
	} else if t.Target != m.Commit {
		problem("%s points at commit %s but its manifest names commit %s: the tag was moved", rep.Tag, short(t.Target), short(m.Commit))
	}
	if root := RootHash(m.Documents); root != m.Root {
		problem("the manifest was edited: its root line says %s but its documents hash to %s", short(m.Root), short(root))
	}
	for i := 1; i < len(m.Documents); i++ {
		if m.Documents[i-1].ID >= m.Documents[i].ID {
			problem("the manifest was edited: %s is listed out of order or twice", m.Documents[i].ID)
		}
	}
	blobs := make([]string, len(m.Documents))
	for i, e := range m.Documents {
		blobs[i] = e.Blob
	}
	bad := r.CheckBlobs(blobs)
	for _, e := range m.Documents {
		if err := bad[e.Blob]; errors.Is(err, repo.ErrMissingObject) {
			problem("missing object: blob %s of %s (%s)", short(e.Blob), e.ID, e.Path)
		} else if err != nil {
			problem("%s (%s): %v", e.ID, e.Path, err)
		}
	}
	if !r.IsCommit(m.Commit) {
		problem("missing object: commit %s named by the manifest", short(m.Commit))
		return rep, nil
	}
	snap, err := r.Load(m.Commit, doc.LoadOptions{})
	if err != nil {
		problem("cannot read commit %s: %v", short(m.Commit), err)
		return rep, nil
	}
	for _, d := range snap.Lib.Diags {
		if d.Rule == "read" {
			problem("missing object: %s", d.String())
		}
	}
	got := Entries(snap.Lib, snap.Tree.BlobHash)
	have := map[string]*Entry{}
	for i := range got {
		have[got[i].ID] = &got[i]
	}
	for _, e := range m.Documents {
		g := have[e.ID]
		if g == nil {
			problem("%s (%s) is in the manifest but is not a controlled document of commit %s", e.ID, e.Path, short(m.Commit))
			continue
		}
		delete(have, e.ID)
		if g.Path != e.Path {
			problem("%s: the manifest says path %s, commit %s has it at %s", e.ID, e.Path, short(m.Commit), g.Path)
		}
		if g.Blob != e.Blob {
			problem("%s (%s): the manifest says blob %s, commit %s holds %s", e.ID, e.Path, short(e.Blob), short(m.Commit), short(g.Blob))
		}
		if g.Fingerprint != e.Fingerprint {
			problem("%s (%s): the manifest says fingerprint %s, the document's is %s", e.ID, e.Path, short(e.Fingerprint), short(g.Fingerprint))
		}
		if approversText(g.Approvers) != approversText(e.Approvers) {
			problem("%s (%s): the manifest says approvers %s, the document has %s", e.ID, e.Path, approversText(e.Approvers), approversText(g.Approvers))
		}
	}
	var extra []string
	for id, g := range have {
		extra = append(extra, fmt.Sprintf("%s (%s) is a controlled document of commit %s missing from the manifest", id, g.Path, short(m.Commit)))
	}
	sort.Strings(extra)
	rep.Problems = append(rep.Problems, extra...)
	w, err := Provenance(r, m.Commit, snap.Lib, m.Documents)
	if err != nil {
		w = append(w, "approval provenance not checked: "+err.Error())
	}
	rep.Warnings = append(rep.Warnings, w...)
	return rep, nil
}

func approversText(as []Approver) string {
	if len(as) == 0 {
		return "none"
	}
	var s []string
	for _, a := range as {
		s = append(s, a.Role+"="+a.By)
	}
	return strings.Join(s, ",")
}
