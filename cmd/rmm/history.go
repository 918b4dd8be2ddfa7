package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func init() { register(newHistoryCmd) }

type historyOptions struct {
	Target string
	JSON   bool
}

func newHistoryCmd(e *env) *cobra.Command {
	opts := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history ID|PATH",
		Short: "List the commits that changed a document",
		Long: `List the commits that changed a document, newest first: hash, date, author
and subject. The list is the one git gives with
git log --no-merges --full-history -- PATH. A document is named by its id or
its path. In a shallow clone the history is incomplete, and rmm says so.

--json prints an array of {hash, author, email, date, subject}; date is
RFC 3339.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Target = args[0]
			return historyRun(e, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the commits as JSON")
	return cmd
}

type historyJSON struct {
	Hash    string `json:"hash"`
	Author  string `json:"author"`
	Email   string `json:"email"`
	Date    string `json:"date"`
	Subject string `json:"subject"`
}

func historyRun(e *env, opts *historyOptions) error {
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	// An id of the working tree, else a path (from the current folder, or
	// from the library's root).
	p := ""
	if d := snap.Lib.ByID[opts.Target]; d != nil {
		p = d.Path
	} else {
		p, err = docPathArg(e, r.Root, opts.Target)
		if err != nil {
			return err
		}
	}
	h, err := e.history(r, "")
	if err != nil {
		return err
	}
	gp := p
	if r.Prefix != "" {
		gp = path.Join(r.Prefix, p)
	}
	commits := h.Of(gp)
	if len(commits) == 0 && snap.Lib.ByPath[p] == nil {
		return failf("name a document by its id or its path, e.g. rmm history IMC-PLAN", "%s: no document with that id or path, now or in the history", opts.Target)
	}
	if h.Incomplete() {
		fmt.Fprintln(e.stderr, "rmm: warning: this repository is a shallow clone: the history is incomplete (git fetch --unshallow completes it)")
	}
	if opts.JSON {
		out := make([]historyJSON, 0, len(commits))
		for _, c := range commits {
			out = append(out, historyJSON{Hash: c.Hash, Author: c.Author, Email: c.Email, Date: c.Date.Format(time.RFC3339), Subject: c.Subject})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	for _, c := range commits {
		fmt.Fprintf(e.stdout, "%s %s %s  %s\n", c.Hash[:min(10, len(c.Hash))], c.Date.Format("2006-01-02"), c.Author, c.Subject)
	}
	if len(commits) == 0 {
		fmt.Fprintf(e.stderr, "%s has not been committed yet\n", p)
	}
	return nil
}

// docPathArg turns a path argument into a path from the library's root:
// relative to the current folder (-C) when it names a file there, else
// taken from the root.
func docPathArg(e *env, root, arg string) (string, error) {
	cands := []string{}
	if base, err := filepath.Abs(e.dir); err == nil {
		cands = append(cands, filepath.Join(base, arg))
	}
	cands = append(cands, filepath.Join(root, arg))
	for i, c := range cands {
		rel, err := filepath.Rel(root, c)
		inside := err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
		last := i == len(cands)-1
		if !inside && last {
			break
		}
		if !inside {
			continue
		}
		if _, err := os.Stat(c); err == nil || last {
			return filepath.ToSlash(rel), nil
		}
	}
	return "", failf("name a document of the library by its id or its path", "%s is outside the library (%s)", arg, root)
}
