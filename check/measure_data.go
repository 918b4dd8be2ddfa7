package check

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"

	"github.com/rmm-pal/rmm/doc"
)

// measureData reports a measure's data that the site could not chart: a
// CSV file that does not parse, or a row (of the CSV or of the body's
// first table) whose value is not a finite number. Each error names the
// file and line of the row. The columns are found as the site finds them:
// the header's `date` and `value`, else the first two.
func measureData(c *Context, d *doc.Document, csvPath string) []doc.Diagnostic {
	if csvPath != "" {
		if c.Snap == nil || c.Snap.FS == nil {
			return nil
		}
		b, err := fs.ReadFile(c.Snap.FS, csvPath)
		if err != nil {
			return nil // the existence rule reports a missing file
		}
		return csvData(csvPath, b)
	}
	return tableData(d)
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

func badValue(s string) bool {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err != nil || math.IsNaN(f) || math.IsInf(f, 0)
}

func csvData(p string, b []byte) []doc.Diagnostic {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	vi := -1
	var ds []doc.Diagnostic
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
				err = pe.Err
			}
			return append(ds, doc.Errorf(p, line, "measure", "data is not valid CSV: %v", err))
		}
		if vi < 0 {
			_, vi = dataColumns(rec)
			continue
		}
		if len(rec) <= vi {
			continue
		}
		if badValue(rec[vi]) {
			line, _ := r.FieldPos(vi)
			ds = append(ds, doc.Errorf(p, line, "measure", "value %q is not a number", rec[vi]))
		}
	}
	return ds
}

func tableData(d *doc.Document) []doc.Diagnostic {
	root := doc.ParseMarkdown(d.Body)
	var tbl *extast.Table
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := n.(*extast.Table); ok && entering {
			tbl = t
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if tbl == nil {
		return nil
	}
	vi := -1
	var ds []doc.Diagnostic
	for row := tbl.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []ast.Node
		var rec []string
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			cells = append(cells, cell)
			rec = append(rec, doc.PlainText(cell, d.Body))
		}
		if vi < 0 {
			_, vi = dataColumns(rec)
			continue
		}
		if len(rec) <= vi || !badValue(rec[vi]) {
			continue
		}
		line := d.BodyLine
		if off := firstOffset(cells[vi]); off >= 0 {
			line += bytes.Count(d.Body[:off], []byte("\n"))
		} else if off := firstOffset(row); off >= 0 {
			line += bytes.Count(d.Body[:off], []byte("\n"))
		}
		ds = append(ds, doc.Errorf(d.Path, line, "measure", "value %q in the data table is not a number", rec[vi]))
	}
	return ds
}

// firstOffset is the body offset of the first text under n, or -1.
func firstOffset(n ast.Node) int {
	off := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return off
}
