// Package appraise tells, for each process area of a library, which
// documents evidence each generic practice of CERT-RMM (GG1 to GG3) and the
// capability level reached. The rules are deliberately simple and listed in
// Practices; the README repeats them.
package appraise

import (
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/doc"
)

// Practice is a generic practice and the rule that finds its evidence.
type Practice struct {
	ID, Name string
	Goal     int    // 1, 2 or 3
	Rule     string // what counts as evidence, for people
	find     func(a *areaDocs) []*doc.Document
}

// Practices are the generic practices rmm appraises, in order.
var Practices = []Practice{
	{"GG1.GP1", "Perform specific practices", 1, "a process description (standard or process) or work product (plan, measure) of the area that is not retired", func(a *areaDocs) []*doc.Document {
		return a.kinds("standard", "process", "plan", "measure")
	}},
	{"GG2.GP1", "Establish process governance", 2, "an approved policy of the area", func(a *areaDocs) []*doc.Document {
		return approved(a.kinds("policy"))
	}},
	{"GG2.GP2", "Plan the process", 2, "an approved plan of the area", func(a *areaDocs) []*doc.Document {
		return approved(a.kinds("plan"))
	}},
	{"GG2.GP3", "Provide resources", 2, "a plan whose Resources section has text", func(a *areaDocs) []*doc.Document {
		return withSection(a.kinds("plan"), "Resources")
	}},
	{"GG2.GP4", "Assign responsibility", 2, "an approved plan that its owner approved (acceptance of responsibility)", func(a *areaDocs) []*doc.Document {
		var out []*doc.Document
		for _, d := range approved(a.kinds("plan")) {
			for _, ap := range d.Approvals {
				if d.Owner != "" && strings.EqualFold(ap.By, d.Owner) && ap.Fingerprint == d.Fingerprint {
					out = append(out, d)
					break
				}
			}
		}
		return out
	}},
	{"GG2.GP5", "Train people", 2, "a plan whose Training section has text", func(a *areaDocs) []*doc.Document {
		return withSection(a.kinds("plan"), "Training")
	}},
	{"GG2.GP6", "Control work products", 2, "the area's approved controlled documents held by a baseline", func(a *areaDocs) []*doc.Document {
		var out []*doc.Document
		for _, d := range a.docs {
			if d.Controlled() && d.EffectiveStatus() == "approved" && a.inBaseline != nil && a.inBaseline(d.ID) {
				out = append(out, d)
			}
		}
		return out
	}},
	{"GG2.GP7", "Identify and involve stakeholders", 2, "a plan that lists stakeholders", func(a *areaDocs) []*doc.Document {
		var out []*doc.Document
		for _, d := range a.kinds("plan") {
			if len(d.Stakeholders) > 0 {
				out = append(out, d)
			}
		}
		return out
	}},
	{"GG2.GP8", "Measure and control the process", 2, "a measure of the area with a target", func(a *areaDocs) []*doc.Document {
		var out []*doc.Document
		for _, d := range a.kinds("measure") {
			if d.Target != nil {
				out = append(out, d)
			}
		}
		return out
	}},
	{"GG2.GP9", "Objectively evaluate adherence", 2, "an evaluation of the area, or one that evaluates a document of it", func(a *areaDocs) []*doc.Document {
		return a.about("evaluation", func(d *doc.Document) []string { return d.Evaluates })
	}},
	{"GG2.GP10", "Review status with higher level managers", 2, "a management review of the area, or one that covers a document of it", func(a *areaDocs) []*doc.Document {
		return a.about("review", func(d *doc.Document) []string { return d.Covers })
	}},
	{"GG3.GP1", "Establish a defined process", 3, "a defined process (kind process with tailors) of the area", func(a *areaDocs) []*doc.Document {
		var out []*doc.Document
		for _, d := range a.kinds("process") {
			if d.Tailors != "" {
				out = append(out, d)
			}
		}
		return out
	}},
	{"GG3.GP2", "Collect improvement information", 3, "a lesson or proposal of the area, or one that affects a document of it", func(a *areaDocs) []*doc.Document {
		return append(a.about("lesson", func(d *doc.Document) []string { return d.Affects }),
			a.about("proposal", func(d *doc.Document) []string { return d.Affects })...)
	}},
}

// Evidence is one practice's result in one area.
type Evidence struct {
	Practice string   `json:"practice"`
	Name     string   `json:"name"`
	Met      bool     `json:"met"`
	Docs     []string `json:"documents"`
}

// Area is one process area's appraisal.
type Area struct {
	Code      string     `json:"process_area"`
	Name      string     `json:"name"`
	Level     int        `json:"level"`
	Practices []Evidence `json:"practices"`
}

type areaDocs struct {
	code       string
	lib        *doc.Library
	docs       []*doc.Document // current (not retired) documents of the area
	inBaseline func(id string) bool
}

func (a *areaDocs) kinds(kinds ...string) []*doc.Document {
	var out []*doc.Document
	for _, d := range a.docs {
		if doc.Contains(kinds, d.Kind) {
			out = append(out, d)
		}
	}
	return out
}

// about finds documents of kind in the area, or anywhere when they name a
// document of the area.
func (a *areaDocs) about(kind string, targets func(*doc.Document) []string) []*doc.Document {
	var out []*doc.Document
	for _, d := range a.lib.Docs {
		if d.Kind != kind || d.EffectiveStatus() == "retired" {
			continue
		}
		hit := d.ProcessArea == a.code
		for _, id := range targets(d) {
			if t := a.lib.ByID[id]; t != nil && t.ProcessArea == a.code {
				hit = true
			}
		}
		if hit {
			out = append(out, d)
		}
	}
	return out
}

func approved(ds []*doc.Document) []*doc.Document {
	var out []*doc.Document
	for _, d := range ds {
		if d.EffectiveStatus() == "approved" {
			out = append(out, d)
		}
	}
	return out
}

func withSection(ds []*doc.Document, title string) []*doc.Document {
	var out []*doc.Document
	for _, d := range ds {
		for _, s := range d.Sections {
			if strings.EqualFold(s.Title, title) && strings.TrimSpace(string(d.Body[s.ContentStart:s.OwnEnd])) != "" {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// Appraise appraises every process area that has at least one document.
// inBaseline tells whether a document id is held by the latest baseline
// (nil: no baselines).
func Appraise(lib *doc.Library, inBaseline func(id string) bool) []Area {
	byArea := map[string]*areaDocs{}
	for _, d := range lib.Docs {
		if d.ProcessArea == "" || !doc.Contains(doc.ProcessAreas, d.ProcessArea) {
			continue
		}
		a := byArea[d.ProcessArea]
		if a == nil {
			a = &areaDocs{code: d.ProcessArea, lib: lib, inBaseline: inBaseline}
			byArea[d.ProcessArea] = a
		}
		if d.EffectiveStatus() != "retired" {
			a.docs = append(a.docs, d)
		}
	}
	codes := make([]string, 0, len(byArea))
	for c := range byArea {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var out []Area
	for _, c := range codes {
		a := byArea[c]
		ar := Area{Code: c, Name: doc.ProcessAreaNames[c]}
		met := map[int]bool{1: true, 2: true, 3: true}
		for _, p := range Practices {
			ids := idsOf(p.find(a))
			ev := Evidence{Practice: p.ID, Name: p.Name, Met: len(ids) > 0, Docs: ids}
			if !ev.Met {
				met[p.Goal] = false
			}
			ar.Practices = append(ar.Practices, ev)
		}
		switch {
		case met[1] && met[2] && met[3]:
			ar.Level = 3
		case met[1] && met[2]:
			ar.Level = 2
		case met[1]:
			ar.Level = 1
		}
		out = append(out, ar)
	}
	return out
}

func idsOf(ds []*doc.Document) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, d := range ds {
		if !seen[d.ID] {
			seen[d.ID] = true
			out = append(out, d.ID)
		}
	}
	sort.Strings(out)
	return out
}
