package render

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkScale fails unless sc is a usable axis for values: finite ends
// around every value, between 2 and maxTicks+1 distinct ascending ticks
// inside it.
func checkScale(t *testing.T, values []float64, sc scale) {
	t.Helper()
	if math.IsNaN(sc.lo) || math.IsInf(sc.lo, 0) || math.IsNaN(sc.hi) || math.IsInf(sc.hi, 0) || !(sc.lo < sc.hi) {
		t.Fatalf("%v: axis %g..%g", values, sc.lo, sc.hi)
	}
	for _, v := range values {
		if v < sc.lo || v > sc.hi {
			t.Fatalf("%v: %g is outside the axis %g..%g", values, v, sc.lo, sc.hi)
		}
	}
	if n := len(sc.ticks); n < 2 || n > maxTicks+1 {
		t.Fatalf("%v: %d ticks %v", values, n, sc.ticks)
	}
	for i, v := range sc.ticks {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < sc.lo || v > sc.hi {
			t.Fatalf("%v: tick %g outside the axis %g..%g", values, v, sc.lo, sc.hi)
		}
		if i > 0 && !(sc.ticks[i-1] < v) {
			t.Fatalf("%v: ticks %v are not ascending", values, sc.ticks)
		}
	}
	if !(sc.step > 0) || math.IsInf(sc.step, 0) {
		t.Fatalf("%v: step %g", values, sc.step)
	}
}

// checkSVG fails unless svg is well-formed XML whose coordinates are
// finite numbers near the chart's view box.
func checkSVG(t *testing.T, svg string) {
	t.Helper()
	if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
		t.Fatalf("the chart holds NaN or Inf: %s", svg)
	}
	dec := xml.NewDecoder(strings.NewReader(svg))
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			for _, a := range e.Attr {
				switch a.Name.Local {
				case "x", "y", "x1", "y1", "x2", "y2", "cx", "cy":
					f, err := strconv.ParseFloat(a.Value, 64)
					if err != nil || f < -50 || f > 700 {
						t.Fatalf("%s=%q is not a coordinate in the view box", a.Name.Local, a.Value)
					}
				case "points":
					for _, pt := range strings.Fields(a.Value) {
						for _, c := range strings.Split(pt, ",") {
							if f, err := strconv.ParseFloat(c, 64); err != nil || f < -50 || f > 700 {
								t.Fatalf("points %q: %q is not a coordinate in the view box", a.Value, c)
							}
						}
					}
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		t.Fatalf("the chart's elements are not closed: %s", svg)
	}
}

// chartOf draws values (and target) as a measure's chart, failing when
// that takes more than a few seconds (the tick loop once never ended).
func chartOf(t *testing.T, values []float64, target *float64) (scale, string) {
	t.Helper()
	type result struct {
		sc  scale
		svg string
	}
	done := make(chan result, 1)
	go func() {
		pts := make([]point, len(values))
		for i, v := range values {
			pts[i] = point{Date: "2026-01-" + strconv.Itoa(i%28+1), Value: v}
		}
		all := append([]float64(nil), values...)
		if target != nil {
			all = append(all, *target)
		}
		done <- result{chartScale(all), string(chartSVG(pts, target, "h", "down"))}
	}()
	select {
	case r := <-done:
		return r.sc, r.svg
	case <-time.After(5 * time.Second):
		t.Fatalf("charting %v (target %v) did not end", values, target)
	}
	return scale{}, ""
}

func TestChartScale(t *testing.T) {
	big := math.MaxFloat64
	for _, tc := range []struct {
		name   string
		values []float64
		target *float64
	}{
		{"two equal past 2^53, no target", []float64{1e17, 1e17}, nil},
		{"one point", []float64{42}, nil},
		{"zero", []float64{0, 0}, nil},
		{"whole range", []float64{-1e308, 1e308}, nil},
		{"both ends of float64", []float64{-big, big}, nil},
		{"the largest float", []float64{big, big}, nil},
		{"tiny range", []float64{1, 1 + 1e-15}, nil},
		{"tiny range at a huge magnitude", []float64{1e17, 1e17 + 16}, nil},
		{"negative", []float64{-7.5, -3, -12}, nil},
		{"denormals", []float64{5e-324, 1e-323}, nil},
		{"a target far away", []float64{1, 2}, ptr(1e300)},
		{"usual", []float64{11.5, 9, 7.5}, ptr(8)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, svg := chartOf(t, tc.values, tc.target)
			all := append([]float64(nil), tc.values...)
			if tc.target != nil {
				all = append(all, *tc.target)
			}
			checkScale(t, all, sc)
			checkSVG(t, svg)
		})
	}
	// Ordinary data keeps the axis the stepping loop drew.
	sc := chartScale([]float64{11.5, 9, 7.5, 8})
	if sc.lo != 7 || sc.hi != 12 || len(sc.ticks) != 6 || sc.step != 1 {
		t.Errorf("11.5, 9, 7.5 against 8: axis %g..%g ticks %v, want 7..12 by 1", sc.lo, sc.hi, sc.ticks)
	}
	sc = chartScale([]float64{1, 4, 3})
	if sc.lo != 0 || sc.hi != 4 || len(sc.ticks) != 5 {
		t.Errorf("1, 4 against 3: axis %g..%g ticks %v, want 0..4 by 1", sc.lo, sc.hi, sc.ticks)
	}
}

func ptr(f float64) *float64 { return &f }

// FuzzChartScale draws charts of up to 20 points taken from three values,
// with or without a target: drawing ends, the axis holds every value with
// a bounded number of ticks inside it, and the SVG is well-formed.
func FuzzChartScale(f *testing.F) {
	f.Add(1e17, 1e17, 1e17, 0.0, uint8(2), false)
	f.Add(-1e308, 1e308, 0.0, 0.0, uint8(2), false)
	f.Add(11.5, 9.0, 7.5, 8.0, uint8(3), true)
	f.Fuzz(func(t *testing.T, a, b, c, target float64, n uint8, hasTarget bool) {
		finite := func(v float64) float64 {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0 // doc.MeasureData keeps finite values only
			}
			return v
		}
		abc := []float64{finite(a), finite(b), finite(c)}
		values := make([]float64, int(n)%20+1)
		for i := range values {
			values[i] = abc[i%3]
		}
		var tp *float64
		if hasTarget {
			tp = &target // any number: a YAML target can be .inf or .nan
		}
		sc, svg := chartOf(t, values, tp)
		all := values
		if tp != nil && !math.IsNaN(target) && !math.IsInf(target, 0) {
			all = append(append([]float64(nil), values...), target)
		}
		checkScale(t, all, sc)
		checkSVG(t, svg)
	})
}
