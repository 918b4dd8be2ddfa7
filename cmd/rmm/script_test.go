package main

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptParams sets up every script with a git identity of its own (HOME
// is the script's work folder), a fixed clock, and a few commands that
// txtar cannot express.
func scriptParams() testscript.Params {
	return testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("RMM_NOW", "2026-11-26T12:00:00Z")
			if errorSites != "" {
				env.Setenv("RMM_ERROR_SITES", errorSites)
			}
			gitconfig := "[user]\n\tname = Test User\n\temail = test@example.org\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
			return os.WriteFile(filepath.Join(env.WorkDir, ".gitconfig"), []byte(gitconfig), 0o644)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// bigfile FILE MiB: a Markdown file of that many MiB.
			"bigfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: bigfile FILE MiB")
				}
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				b := make([]byte, n<<20+1)
				for i := range b {
					b[i] = 'a'
				}
				copy(b, "---\nid: BIG\nkind: note\ntitle: Big\n---\n")
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
			},
			// badutf8 FILE: appends a line holding an invalid UTF-8 byte
			// (0xff) to the file.
			"badutf8": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: badutf8 FILE")
				}
				p := ts.MkAbs(args[0])
				b, err := os.ReadFile(p)
				ts.Check(err)
				b = append(b, "bad byte: \xff here\n"...)
				ts.Check(os.WriteFile(p, b, 0o644))
			},
		},
	}
}
