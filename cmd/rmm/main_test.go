package main

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(errorSitesM{m}, map[string]func(){
		"rmm": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// errorSitesM runs the tests with RMM_ERROR_SITES set for the scripts,
// then checks that they reached every failf and usagef (errors_test.go).
type errorSitesM struct{ m *testing.M }

func (e errorSitesM) Run() int {
	dir, err := os.MkdirTemp("", "rmm-error-sites-")
	if err != nil {
		return e.m.Run()
	}
	defer os.RemoveAll(dir)
	errorSites = filepath.Join(dir, "sites")
	// Go tests of this package that call a verb directly count too.
	os.Setenv("RMM_ERROR_SITES", errorSites)
	return checkErrorSites(e.m.Run())
}

// TestScripts runs cmd/rmm/testdata/script/*.txtar: each holds a small
// repository, the commands a user types and what rmm must answer.
func TestScripts(t *testing.T) {
	p := scriptParams()
	maps.Copy(p.Cmds, serveScriptCmds)
	maps.Copy(p.Cmds, pdfScriptCmds)
	testscript.Run(t, p)
}
