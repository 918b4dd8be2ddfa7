package check

import (
	"io/fs"

	"github.com/rmm-pal/rmm/doc"
)

// measureData reports a measure's data that the site could not chart: a
// CSV file that does not parse, or a row (of the CSV or of the body's
// first table) whose value is not a finite number, each at its file and
// line. doc.MeasureData reads the data exactly as the site does.
func measureData(c *Context, d *doc.Document, csvPath string) []doc.Diagnostic {
	var b []byte
	if csvPath != "" {
		if c.Snap == nil || c.Snap.FS == nil {
			return nil
		}
		var err error
		if b, err = fs.ReadFile(c.Snap.FS, csvPath); err != nil {
			return nil // the existence rule reports a missing file
		}
	}
	_, ds := doc.MeasureData(d, csvPath, b)
	return ds
}
