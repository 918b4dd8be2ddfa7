package appraise

// Stakeholders (GG2.GP7 subpractice 2: communicate the list): who is
// involved in what.

import (
	"sort"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
)

// Involvement is one stakeholder of one document.
type Involvement struct {
	Document    string `json:"document"`
	Path        string `json:"path"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	ProcessArea string `json:"process_area"`
	Who         string `json:"who"`
	Role        string `json:"role"`
	Involvement string `json:"involvement"` // inform, consult or approve
	// Agreed, for involvement approve: the stakeholder has a current
	// approval of the document.
	Agreed bool `json:"agreed"`
}

// Stakeholders lists the stakeholders of every current (not retired)
// document, by process area ("" last), document id, then the order the
// document lists them in.
func Stakeholders(lib *doc.Library) []Involvement {
	out := []Involvement{}
	for _, d := range lib.Docs {
		if !d.HasFrontMatter || d.EffectiveStatus() == "retired" || d.ID == "" || lib.ByID[d.ID] != d {
			continue
		}
		unagreed := baseline.Unagreed(d)
		for _, s := range d.Stakeholders {
			if s.Who == "" {
				continue
			}
			out = append(out, Involvement{Document: d.ID, Path: d.Path, Kind: d.Kind, Title: d.Title, ProcessArea: d.ProcessArea,
				Who: s.Who, Role: s.Role, Involvement: s.Involvement, Agreed: s.Involvement == "approve" && !containsFold(unagreed, s.Who)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ProcessArea != b.ProcessArea {
			if a.ProcessArea == "" || b.ProcessArea == "" {
				return b.ProcessArea == ""
			}
			return a.ProcessArea < b.ProcessArea
		}
		return a.Document < b.Document
	})
	return out
}
