package main

import (
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
	testscript.Run(t, scriptParams())
}
