package main

import (
	"maps"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"rmm": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs cmd/rmm/testdata/script/*.txtar: each holds a small
// repository, the commands a user types and what rmm must answer.
func TestScripts(t *testing.T) {
	p := scriptParams()
	maps.Copy(p.Cmds, serveScriptCmds)
	testscript.Run(t, p)
}
