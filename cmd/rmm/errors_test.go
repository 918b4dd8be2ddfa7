package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// errorSites is the file the rmm processes of the testscripts append the
// call site of every failf and usagef they return to (RMM_ERROR_SITES).
var errorSites string

// checkErrorSites fails the test binary when a full run of TestScripts
// left a failf or usagef call of this package unreached: every error and
// refusal a user can meet has a testscript (issue 8). Internal failures
// use internalf and are exempt. It returns the exit code to use.
func checkErrorSites(code int) int {
	run := flag.Lookup("test.run").Value.String()
	if code != 0 || run != "" || errorSites == "" {
		return code
	}
	if os.Getenv("RMM_SKIP_ERROR_SITES") != "" {
		return code
	}
	data, err := os.ReadFile(errorSites)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error sites: %v\n", err)
		return 1
	}
	reached := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		reached[l] = true
	}
	sites, err := errorCallSites(".")
	if err != nil {
		fmt.Fprintf(os.Stderr, "error sites: %v\n", err)
		return 1
	}
	var missing []string
	for _, s := range sites {
		ok := false
		for l := s.from; l <= s.to && !ok; l++ {
			ok = reached[fmt.Sprintf("%s:%d", s.file, l)]
		}
		if !ok {
			missing = append(missing, fmt.Sprintf("%s:%d: %s", s.file, s.from, s.text))
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		fmt.Fprintf(os.Stderr, "FAIL: %d errors a user can meet are reached by no testscript or test (write one, or use internalf for an internal failure):\n  %s\n", len(missing), strings.Join(missing, "\n  "))
		return 1
	}
	fmt.Fprintf(os.Stderr, "every one of %d failf and usagef calls is reached by a testscript or test\n", len(sites))
	return code
}

type errorSite struct {
	file     string
	from, to int
	text     string
}

// errorCallSites lists the failf and usagef calls of the package in dir,
// with the lines each spans.
func errorCallSites(dir string) ([]errorSite, error) {
	fset := token.NewFileSet()
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []errorSite
	for _, p := range matches {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok || (id.Name != "failf" && id.Name != "usagef" && id.Name != "noteErr") {
				return true
			}
			text := ""
			for _, a := range call.Args {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					text = lit.Value // the format (failf's hint comes first)
				}
			}
			out = append(out, errorSite{
				file: filepath.Base(p),
				from: fset.Position(call.Pos()).Line,
				to:   fset.Position(call.End()).Line,
				text: text,
			})
			return true
		})
	}
	return out, nil
}
