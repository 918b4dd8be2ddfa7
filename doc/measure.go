package doc

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
)

// Point is one row of a measure's data.
type Point struct {
	Date  string
	Value float64
	Line  int // line of the row in its file
}

// MeasureData reads a measure's data: the CSV file named by `data:` (its
// path and bytes given; csvPath "" for none), else the first Markdown
// table of the body. Columns are found by the header's `date` and `value`,
// else the first two. It returns the rows it could read, and a diagnostic
// naming the file and line of each row it could not (a value that is not a
// finite number) or of CSV that does not parse. `rmm check` reports the
// diagnostics; the site charts the points.
func MeasureData(d *Document, csvPath string, csvBytes []byte) ([]Point, []Diagnostic) {
	if csvPath != "" {
		return csvPoints(csvPath, csvBytes)
	}
	// The table is read once per document: check and the site both ask,
	// and rmm serve reuses unchanged documents across rebuilds.
	t := d.table
	if t == nil { // a Document made by hand, not by Parse
		return tablePoints(d)
	}
	t.once.Do(func() { t.pts, t.diags = tablePoints(d) })
	return t.pts, t.diags
}

// tableData memoises the data table of a measure's body.
type tableData struct {
	once  sync.Once
	pts   []Point
	diags []Diagnostic
}

func dataColumns(header []string) (int, int) {
	di, vi := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "date":
			di = i
		case "value":
			vi = i
		}
	}
	if di < 0 || vi < 0 {
		return 0, 1
	}
	return di, vi
}

func dataValue(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func csvPoints(p string, b []byte) ([]Point, []Diagnostic) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	di, vi := -1, -1
	var pts []Point
	var ds []Diagnostic
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line, err = pe.Line, pe.Err
			}
			return pts, append(ds, Errorf(p, line, "measure", "data is not valid CSV: %v", err))
		}
		if vi < 0 {
			di, vi = dataColumns(rec)
			continue
		}
		if len(rec) <= max(di, vi) {
			continue
		}
		line, _ := r.FieldPos(vi)
		f, ok := dataValue(rec[vi])
		if !ok {
			ds = append(ds, Errorf(p, line, "measure", "value %q is not a number", rec[vi]))
			continue
		}
		pts = append(pts, Point{Date: strings.TrimSpace(rec[di]), Value: f, Line: line})
	}
	return pts, ds
}

func tablePoints(d *Document) ([]Point, []Diagnostic) {
	root := ParseMarkdown(d.Body)
	var tbl *extast.Table
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := n.(*extast.Table); ok && entering {
			tbl = t
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if tbl == nil {
		return nil, nil
	}
	di, vi := -1, -1
	var pts []Point
	var ds []Diagnostic
	for row := tbl.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []ast.Node
		var rec []string
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			cells = append(cells, cell)
			rec = append(rec, plainText(cell, d.Body))
		}
		if vi < 0 {
			di, vi = dataColumns(rec)
			continue
		}
		if len(rec) <= max(di, vi) {
			continue
		}
		line := d.BodyLine + bytes.Count(d.Body[:firstOffset(row)], []byte("\n"))
		f, ok := dataValue(rec[vi])
		if !ok {
			ds = append(ds, Errorf(d.Path, line, "measure", "value %q in the data table is not a number", rec[vi]))
			continue
		}
		pts = append(pts, Point{Date: strings.TrimSpace(rec[di]), Value: f, Line: line})
	}
	return pts, ds
}
