package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rmm-pal/rmm/pdf"
)

// pdfScriptCmds are the testscript commands of the rmm pdf scripts.
var pdfScriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// nochromium: PATH without the folders that hold a browser rmm pdf
	// looks for (pdf.Names); the folder of rmm itself stays.
	"nochromium": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 0 || neg {
			ts.Fatalf("usage: nochromium")
		}
		var keep []string
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			holds := false
			for _, n := range pdf.Names {
				if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && !fi.IsDir() {
					holds = true
				}
			}
			if !holds {
				keep = append(keep, dir)
			}
		}
		ts.Setenv("PATH", strings.Join(keep, string(filepath.ListSeparator)))
	},
}
