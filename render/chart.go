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

// readData reads a measure's data file, beside the document. A file the
// audience may not see (a hidden document links it or names it as data,
// or it sits in a folder of hidden documents; see audience.go) is
// refused, whatever the path.
func readData(s *site, d *doc.Document) (string, []byte, error) {
	p := path.Join(path.Dir(d.Path), d.Data)
	if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(d.Data) {
		return "", nil, fmt.Errorf("data %s is outside the repository", d.Data)
	}
	if !s.lib.Files[p] {
		return "", nil, fmt.Errorf("data %s does not exist", d.Data)
	}
	if !s.fileShown(p) {
		return "", nil, fmt.Errorf("data %s is not published for this audience", d.Data)
	}
	b, err := fs.ReadFile(s.in.snap.FS, p)
	if err != nil {
		return "", nil, fmt.Errorf("data %s cannot be read", d.Data)
	}
	return p, b, nil
}

// scale is a chart's value axis: the values at its bottom and top, and
// the round values between them where grid lines and labels go.
type scale struct {
	lo, hi float64   // the axis, lo < hi, both finite
	step   float64   // the distance between two ticks
	ticks  []float64 // ascending, within [lo, hi]
}

// maxTicks bounds the labels of a value axis.
const maxTicks = 12

// niceStep is the round step (1, 2 or 5 times a power of ten) at or above
// raw; 0 when there is none among finite numbers.
func niceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 0
	}
	e := math.Floor(math.Log10(raw))
	for _, m := range []float64{1, 2, 5, 10} {
		if s := m * math.Pow10(int(e)); s >= raw && !math.IsInf(s, 0) {
			return s
		}
	}
	return 0
}

// chartScale finds the value axis for values; NaN and infinities are
// left out. Ticks are counted, never stepped to: the i-th tick is
// (k+i)*step for integer k, so huge magnitudes (where adding a step
// changes nothing) and huge ranges (where hi-lo overflows) stay bounded.
// Differences are taken on halves so that -MaxFloat64..MaxFloat64 does
// not overflow.
func chartScale(values []float64) scale {
	lo, hi, seen := 0.0, 0.0, false
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if !seen {
			lo, hi, seen = v, v, true
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo > 0 && lo < hi/2 {
		lo = 0
	}
	if sc, ok := niceScale(lo, hi); ok {
		return sc
	}
	// Equal values, or a range too small to split (denormals, or below
	// the spacing of floats at that magnitude): widen it around them.
	pad := math.Max(math.Abs(lo), math.Abs(hi)) / 10
	if !(pad >= 1e-300) {
		pad = 1
	}
	wlo, whi := math.Max(lo-pad, -math.MaxFloat64), math.Min(hi+pad, math.MaxFloat64)
	if sc, ok := niceScale(wlo, whi); ok {
		return sc
	}
	// Nothing round fits (cannot happen for finite numbers, but the
	// chart must not depend on it): an axis with its two ends only.
	if !(wlo < whi) {
		wlo, whi = -1, 1
	}
	return scale{lo: wlo, hi: whi, step: whi/2 - wlo/2, ticks: []float64{wlo, whi}}
}

// niceScale puts round ticks on [lo, hi] about a quarter of the range
// apart; ok is false when the range cannot be split into distinct finite
// ticks.
func niceScale(lo, hi float64) (scale, bool) {
	if !(lo < hi) {
		return scale{}, false
	}
	step := niceStep(hi/4 - lo/4)
	if step == 0 {
		return scale{}, false
	}
	k0, k1 := math.Floor(lo/step), math.Ceil(hi/step)
	if k1-k0 < 2 {
		k1 = k0 + 2
	}
	if !(k1-k0 <= maxTicks) {
		return scale{}, false
	}
	// The round ends may not exist (beyond MaxFloat64), or miss the data
	// by a rounding of lo/step: the axis then ends at the data, and only
	// finite ticks inside it are drawn.
	sc := scale{lo: math.Min(k0*step, lo), hi: math.Max(k1*step, hi), step: step}
	if math.IsInf(sc.lo, 0) {
		sc.lo = lo
	}
	if math.IsInf(sc.hi, 0) {
		sc.hi = hi
	}
	// An int counts the ticks: at magnitudes past 2^53, k0+1 == k0.
	for i := 0; i <= int(k1-k0); i++ {
		v := (k0 + float64(i)) * step
		if math.IsInf(v, 0) || v < sc.lo || v > sc.hi {
			continue
		}
		if n := len(sc.ticks); n > 0 && sc.ticks[n-1] == v {
			continue // below the spacing of floats: one label, not two
		}
		sc.ticks = append(sc.ticks, v)
	}
	if len(sc.ticks) < 2 {
		return scale{}, false
	}
	return sc, true
}

// pos maps v in [lo, hi] to a fraction of the axis from its top (0) to its
// bottom (1), on halves so that the difference cannot overflow.
func (sc scale) pos(v float64) float64 {
	f := (sc.hi/2 - v/2) / (sc.hi/2 - sc.lo/2)
	if math.IsNaN(f) {
		return 0.5
	}
	return math.Max(-0.05, math.Min(1.05, f))
}

// tickLabel writes a tick's value with as many digits as the step needs,
// in exponent form when the number is large or the step tiny.
func tickLabel(v, step float64) string {
	if v == 0 {
		return "0"
	}
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	if math.Abs(v) < 1e9 && dec <= 6 {
		return strconv.FormatFloat(v, 'f', dec, 64)
	}
	sig := int(math.Floor(math.Log10(math.Abs(v)))-math.Floor(math.Log10(step))) + 1
	sig = max(1, min(sig, 17))
	return strconv.FormatFloat(v, 'g', sig, 64)
}

// num writes a coordinate, to a tenth.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

func chartSVG(pts []point, target *float64, unit, direction string) template.HTML {
	const w, h = 640.0, 260.0
	const left, right, top, bottom = 56.0, 24.0, 16.0, 40.0
	if target != nil && (math.IsNaN(*target) || math.IsInf(*target, 0)) {
		target = nil
	}
	values := make([]float64, 0, len(pts)+1)
	for _, p := range pts {
		values = append(values, p.Value)
	}
	if target != nil {
		values = append(values, *target)
	}
	sc := chartScale(values)
	x := func(i int) float64 {
		if len(pts) == 1 {
			return left + (w-left-right)/2
		}
		return left + float64(i)*(w-left-right)/float64(len(pts)-1)
	}
	y := func(v float64) float64 { return top + sc.pos(v)*(h-top-bottom) }
	esc := template.HTMLEscapeString
	var b strings.Builder
	label := "Measure values"
	if unit != "" {
		label += " in " + unit
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, int(w), int(h), esc(label))
	// Axes and grid, at round values.
	for _, v := range sc.ticks {
		yy := y(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(left), num(yy), num(w-right), num(yy))
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`, num(left-6), num(yy+4), esc(tickLabel(v, sc.step)))
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
		fmt.Fprintf(&b, `<text class="target-label" x="%s" y="%s" text-anchor="end">target %s</text>`, num(w-right), num(ty-5), esc(strconv.FormatFloat(*target, 'g', -1, 64)))
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
