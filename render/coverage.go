package render

import (
	"github.com/rmm-pal/rmm/doc"
)

// Generic practice coverage: for each process area that has documents, the
// published, current (not retired) documents that evidence each generic
// practice of CERT-RMM GG2 and GG3. The rules are deliberately simple, one
// line each, and only look at what the documents say about themselves:
//
//	GG2.GP1  governance             a policy of the area
//	GG2.GP2  plan the process       a plan of the area
//	GG2.GP3  provide resources      a plan of the area with a "Resources" section
//	GG2.GP4  assign responsibility  a document of the area whose owner has approved it
//	GG2.GP5  train people           a plan of the area with a "Training" section
//	GG2.GP6  control work products  a controlled document (control: baseline) of the area
//	                                approved with every required approval current
//	GG2.GP7  involve stakeholders   a document of the area with stakeholders
//	GG2.GP8  measure and control    a measure of the area
//	GG2.GP9  evaluate adherence     an evaluation of the area, or one that evaluates
//	                                a document of the area
//	GG2.GP10 review with managers   a review of the area, or one that covers a
//	                                document of the area
//	GG3.GP1  defined process        a standard of the area, or a defined process
//	                                that tailors one
//	GG3.GP2  improvement info       a measure, lesson or proposal of the area, or a
//	                                lesson or proposal that affects a document of it
//
// A document counts for the area of its own process_area; references
// (evaluates, covers, affects, tailors) bring in documents of other areas
// as noted. `rmm appraise` has its own, fuller rules; this page is a map of
// evidence, not an appraisal.

type practice struct {
	Code, Name string
}

var practices = []practice{
	{"GG2.GP1", "Establish process governance"},
	{"GG2.GP2", "Plan the process"},
	{"GG2.GP3", "Provide resources"},
	{"GG2.GP4", "Assign responsibility"},
	{"GG2.GP5", "Train people"},
	{"GG2.GP6", "Control work products"},
	{"GG2.GP7", "Identify and involve relevant stakeholders"},
	{"GG2.GP8", "Measure and control the process"},
	{"GG2.GP9", "Objectively evaluate adherence"},
	{"GG2.GP10", "Review status with higher level managers"},
	{"GG3.GP1", "Establish a defined process"},
	{"GG3.GP2", "Collect improvement information"},
}

type coverageView struct {
	Practices []practice
	Rows      []coverageRow
}

type coverageRow struct {
	Area  link
	Cells []coverageCell
}

type coverageCell struct {
	Practice practice
	Docs     []link
}

func (s *site) coveragePage() *pageData {
	v := &coverageView{Practices: practices}
	for _, a := range s.info.Areas {
		if a.Count > 0 {
			v.Rows = append(v.Rows, s.coverageOf(a.Key))
		}
	}
	return &pageData{Title: "Generic practice coverage", Nav: "coverage", Coverage: v}
}

func (s *site) hasSection(d *doc.Document, title string) bool {
	for _, sec := range d.Sections {
		if equalFold(sec.Title, title) {
			return true
		}
	}
	return false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// inArea reports whether one of ids names a published document of area.
func (s *site) inArea(ids []string, area string) bool {
	for _, id := range ids {
		if p := s.byID[id]; p != nil && p.d.ProcessArea == area {
			return true
		}
	}
	return false
}

func (s *site) coverageOf(area string) coverageRow {
	name := doc.ProcessAreaNames[area]
	if name == "" {
		name = area
	}
	row := coverageRow{Area: link{URL: "area/" + fileName(area) + ".html", Text: area + " " + name, ID: area}}
	evidence := make([][]link, len(practices))
	for _, p := range s.pages {
		if p.retired {
			continue
		}
		d := p.d
		own := d.ProcessArea == area
		l := link{URL: p.url, Text: d.Title, ID: d.ID}
		hit := func(i int) { evidence[i] = append(evidence[i], l) }
		if own && d.Kind == "policy" {
			hit(0)
		}
		if own && d.Kind == "plan" {
			hit(1)
			if s.hasSection(d, "Resources") {
				hit(2)
			}
			if s.hasSection(d, "Training") {
				hit(4)
			}
		}
		if own && d.Owner != "" {
			for _, a := range d.Approvals {
				if equalFold(a.By, d.Owner) {
					hit(3)
					break
				}
			}
		}
		if own && d.HasFrontMatter && d.Controlled() && s.ctl.Approved(d) {
			hit(5)
		}
		if own && len(d.Stakeholders) > 0 {
			hit(6)
		}
		if own && d.Kind == "measure" {
			hit(7)
		}
		if d.Kind == "evaluation" && (own || s.inArea(d.Evaluates, area)) {
			hit(8)
		}
		if d.Kind == "review" && (own || s.inArea(d.Covers, area)) {
			hit(9)
		}
		if (own && d.Kind == "standard") || (d.Kind == "process" && d.Tailors != "" && (own || s.inArea([]string{d.Tailors}, area))) {
			hit(10)
		}
		if (own && (d.Kind == "measure" || d.Kind == "lesson" || d.Kind == "proposal")) ||
			((d.Kind == "lesson" || d.Kind == "proposal") && s.inArea(d.Affects, area)) {
			hit(11)
		}
	}
	for i, pr := range practices {
		row.Cells = append(row.Cells, coverageCell{Practice: pr, Docs: evidence[i]})
	}
	return row
}
