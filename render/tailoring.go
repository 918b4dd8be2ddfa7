package render

import (
	"fmt"
	"html/template"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/tailor"
)

// tailoredView is the effective defined process on a process's page.
type tailoredView struct {
	Standard *link
	Unit     string
	Base     string
	// Effective is the standard with the unit's operations applied, each
	// tailored section marked (tailor.Defined.Markdown rendered).
	Effective template.HTML
	Headings  []tocItem // the effective process's sections, for the contents box
	Record    []tailor.RecordEntry
	Suspect   []string
	Problems  []string
	Missing   string // why there is no effective process
}

type tailoringView struct {
	Units []string
	Rows  []tailoringRow
	Error string
}

type tailoringRow struct {
	Standard link
	Cells    []tailoringCell
}

type tailoringCell struct {
	State   string
	Process *link
	Counts  string
	Suspect []string
}

// tailored composes a defined process from its standard (tailor.Compose)
// for the process's page. A standard the audience may not see is not
// composed: the page says it is not published here, the same words as
// for a standard that does not exist, and shows nothing of it (its
// tailoring diagnostics are withheld too, see audience.go).
func (s *site) tailored(p *page) *tailoredView {
	d := p.d
	v := &tailoredView{Unit: d.Unit, Base: d.Base}
	stdPage := s.byID[d.Tailors]
	if stdPage == nil || stdPage.d.Kind != "standard" {
		v.Missing = "The standard process " + d.Tailors + " is not published here, so the effective process cannot be shown."
		return v
	}
	l, _ := s.pageLink(d.Tailors)
	v.Standard = &l
	def, diags := tailor.Compose(stdPage.d, d)
	for _, dg := range diags {
		v.Problems = append(v.Problems, dg.Message)
	}
	if def == nil {
		v.Missing = "The effective process cannot be composed."
		return v
	}
	lk := &linker{s: s, d: stdPage.d, root: "../"}
	b, err := lk.renderMarkdown([]byte(def.Markdown()))
	if err != nil {
		v.Problems = append(v.Problems, err.Error())
	} else {
		v.Effective = b.HTML
		v.Headings = b.Headings
	}
	v.Record = def.Record()
	if cells := s.tailoringCells(); cells != nil {
		for _, c := range cells {
			if c.Process == d.ID {
				v.Suspect = c.Suspect
			}
		}
	}
	return v
}

// tailoringCells is tailor.Matrix, computed once per build.
func (s *site) tailoringCells() []tailor.Cell {
	s.matrixOnce.Do(func() {
		ctx := check.NewContext(s.o.Repo, s.in.snap, s.o.Now)
		if s.o.Snapshots != nil {
			ctx.UseSnapshots(s.o.Snapshots)
		}
		ctx.InheritTemplates(s.o.Templates)
		cells, err := tailor.Matrix(ctx)
		if err != nil {
			s.matrixErr = err
			return
		}
		s.matrix = cells
	})
	return s.matrix
}

func (s *site) tailoringPage() *pageData {
	v := &tailoringView{Units: s.cfg.Units}
	cells := s.tailoringCells()
	if s.matrixErr != nil {
		v.Error = s.matrixErr.Error()
	}
	byStd := map[string][]tailor.Cell{}
	var order []string
	for _, c := range cells {
		if _, ok := byStd[c.Standard]; !ok {
			order = append(order, c.Standard)
		}
		byStd[c.Standard] = append(byStd[c.Standard], c)
	}
	for _, id := range order {
		sl, ok := s.pageLink(id)
		if !ok || s.byID[id].retired {
			continue // a standard this audience does not see, or retired
		}
		row := tailoringRow{Standard: sl}
		for _, c := range byStd[id] {
			cell := tailoringCell{State: string(tailor.NotTailored)}
			if pl, ok := s.pageLink(c.Process); ok && c.Process != "" {
				cell.State = string(c.State)
				cell.Process = &pl
				cell.Suspect = c.Suspect
				cell.Counts = fmt.Sprintf("%d suppressed, %d replaced, %d extended, %d added",
					c.Counts[tailor.Suppress], c.Counts[tailor.Replace], c.Counts[tailor.Extend], c.Counts[tailor.Add])
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	return &pageData{Title: "Tailoring matrix", Nav: "tailoring", Tailoring: v}
}
