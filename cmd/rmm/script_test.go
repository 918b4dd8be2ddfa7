package main

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

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
			// damagepacked REV:PATH: changes one byte, in place, of the
			// pack entry of that blob (the repository must hold it in one
			// pack, as git gc leaves it).
			"damagepacked": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: damagepacked REV:PATH")
				}
				git := func(stdin io.Reader, args ...string) string {
					cmd := exec.Command("git", args...)
					cmd.Dir, cmd.Stdin = ts.MkAbs("."), stdin
					out, err := cmd.Output()
					ts.Check(err)
					return strings.TrimSpace(string(out))
				}
				blob := git(nil, "rev-parse", args[0])
				idxs, _ := filepath.Glob(ts.MkAbs(".git/objects/pack/pack-*.idx"))
				if len(idxs) != 1 {
					ts.Fatalf("want one pack, have %v", idxs)
				}
				idx, err := os.Open(idxs[0])
				ts.Check(err)
				defer idx.Close()
				off := int64(-1)
				for _, line := range strings.Split(git(idx, "show-index"), "\n") {
					if f := strings.Fields(line); len(f) >= 2 && f[1] == blob {
						off, err = strconv.ParseInt(f[0], 10, 64)
						ts.Check(err)
					}
				}
				if off < 0 {
					ts.Fatalf("%s is not in the pack", blob)
				}
				pack := strings.TrimSuffix(idxs[0], ".idx") + ".pack"
				b, err := os.ReadFile(pack)
				ts.Check(err)
				b[off+4] ^= 0x55
				ts.Check(os.Chmod(pack, 0o644))
				ts.Check(os.WriteFile(pack, b, 0o644))
			},
			// damageloose REV:PATH: rewrites that blob's loose object file
			// in place with a sound zlib stream of other bytes (the blob
			// must be loose, as before git gc).
			"damageloose": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: damageloose REV:PATH")
				}
				p := looseObject(ts, args[0])
				var z bytes.Buffer
				w := zlib.NewWriter(&z)
				body := "Damaged in place.\n"
				fmt.Fprintf(w, "blob %d\x00%s", len(body), body)
				ts.Check(w.Close())
				ts.Check(os.WriteFile(p, z.Bytes(), 0o644))
			},
			// fifoloose REV:PATH: puts a named pipe in place of that blob's
			// loose object file (reading it would wait for a writer).
			"fifoloose": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: fifoloose REV:PATH")
				}
				p := looseObject(ts, args[0])
				ts.Check(os.Remove(p))
				ts.Check(exec.Command("mkfifo", p).Run())
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

// looseObject is the loose object file of the blob at rev:path in the
// script's repository, made writable.
func looseObject(ts *testscript.TestScript, revPath string) string {
	cmd := exec.Command("git", "rev-parse", revPath)
	cmd.Dir = ts.MkAbs(".")
	out, err := cmd.Output()
	ts.Check(err)
	blob := strings.TrimSpace(string(out))
	p := ts.MkAbs(filepath.Join(".git", "objects", blob[:2], blob[2:]))
	if _, err := os.Stat(p); err != nil {
		ts.Fatalf("%s is not loose: %v", blob, err)
	}
	ts.Check(os.Chmod(p, 0o644))
	return p
}
