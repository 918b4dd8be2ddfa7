package render

import (
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/rmm-pal/rmm/doc"
)

// A measure's data is the CSV file named by `data:` (beside the document)
// or else the first Markdown table of its body; either has the columns
// date and value (found by header name, else the first two columns). The
// chart is inline SVG: the values as a line with points, the target as a
// dashed line, dates on the x axis. Everything in the SVG is numbers or
// escaped text.

type point = doc.Point

func (s *site) measure(d *doc.Document, v *docView) {
	mv := &measureView{Unit: d.MeasureUnit, Direction: d.Direction}
	if d.Target != nil {
		mv.Target = strconv.FormatFloat(*d.Target, 'f', -1, 64)
	}
	v.Measure = mv
	var csvPath string
	var b []byte
	if d.Data != "" {
		var err error
		if csvPath, b, err = readData(s, d); err != nil {
			v.ChartNote = "No chart: " + err.Error()
			return
		}
	}
	pts, diags := doc.MeasureData(d, csvPath, b)
	if len(diags) > 0 {
		v.ChartNote = fmt.Sprintf("No chart: line %d: %s", diags[0].Line, diags[0].Message)
		return
	}
	if len(pts) == 0 {
		v.ChartNote = "No data yet."
		return
	}
	mv.Points = len(pts)
	mv.Latest = strconv.FormatFloat(pts[len(pts)-1].Value, 'f', -1, 64)
	v.Chart = chartSVG(pts, d.Target, d.MeasureUnit, d.Direction)
}

// readData reads a measure's data file, beside the document.
func readData(s *site, d *doc.Document) (string, []byte, error) {
	p := path.Join(path.Dir(d.Path), d.Data)
	if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(d.Data) {
		return "", nil, fmt.Errorf("data %s is outside the repository", d.Data)
	}
	b, err := fs.ReadFile(s.in.snap.FS, p)
	return p, b, err
}

func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func chartSVG(pts []point, target *float64, unit, direction string) template.HTML {
	const w, h = 640.0, 260.0
	const left, right, top, bottom = 56.0, 24.0, 16.0, 40.0
	lo, hi := pts[0].Value, pts[0].Value
	for _, p := range pts {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	if target != nil {
		lo, hi = math.Min(lo, *target), math.Max(hi, *target)
	}
	if lo > 0 && lo < hi/2 {
		lo = 0
	}
	if hi == lo {
		hi, lo = hi+1, lo-1
	}
	step := niceStep((hi - lo) / 4)
	lo = math.Floor(lo/step) * step
	hi = math.Ceil(hi/step) * step
	if hi-lo < step*2 {
		hi += step
	}
	x := func(i int) float64 {
		if len(pts) == 1 {
			return left + (w-left-right)/2
		}
		return left + float64(i)*(w-left-right)/float64(len(pts)-1)
	}
	y := func(v float64) float64 { return top + (hi-v)*(h-top-bottom)/(hi-lo) }
	esc := template.HTMLEscapeString
	var b strings.Builder
	label := "Measure values"
	if unit != "" {
		label += " in " + unit
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, int(w), int(h), esc(label))
	// Axes and grid, at round values.
	for v := lo; v <= hi+step/2; v += step {
		yy := y(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(left), num(yy), num(w-right), num(yy))
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`, num(left-6), num(yy+4), esc(num(v)))
	}
	every := max(1, (len(pts)+5)/6)
	for i := 0; i < len(pts); i += every {
		anchor := "middle"
		if i == 0 && len(pts) > 1 {
			anchor = "start"
		} else if i == len(pts)-1 && len(pts) > 1 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="%s">%s</text>`, num(x(i)), num(h-bottom+18), anchor, esc(pts[i].Date))
	}
	if target != nil {
		ty := y(*target)
		fmt.Fprintf(&b, `<line class="target" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(left), num(ty), num(w-right), num(ty))
		fmt.Fprintf(&b, `<text class="target-label" x="%s" y="%s" text-anchor="end">target %s</text>`, num(w-right), num(ty-5), esc(num(*target)))
	}
	var line strings.Builder
	for i, p := range pts {
		if i > 0 {
			line.WriteByte(' ')
		}
		fmt.Fprintf(&line, "%s,%s", num(x(i)), num(y(p.Value)))
	}
	fmt.Fprintf(&b, `<polyline class="series" points="%s"/>`, line.String())
	for i, p := range pts {
		cls := "pt"
		if target != nil {
			if (direction == "down" && p.Value > *target) || (direction != "down" && p.Value < *target) {
				cls = "pt miss"
			}
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%s" cy="%s" r="3.5"><title>%s: %s</title></circle>`, cls, num(x(i)), num(y(p.Value)), esc(p.Date), esc(strconv.FormatFloat(p.Value, 'f', -1, 64)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
