package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/example"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

func init() { register(newInitCmd) }

type initOptions struct {
	Dir          string
	Example      bool
	Organization string
}

func newInitCmd(e *env) *cobra.Command {
	opts := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Start a library: rmm.yaml, folders, .gitignore, git init",
		Long: `Start a process asset library in DIR (default: the current folder): write
rmm.yaml, a folder per kind of document and .gitignore, run git init when DIR
is not in a repository yet, and commit the scaffold with git's identity.
--example adds a whole sample organization, committed in several commits by
several authors, with approvals, tailorings and baselines.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			return initRun(e, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Example, "example", false, "add the sample organization (Example Corp) with its history")
	cmd.Flags().StringVar(&opts.Organization, "org", "", "organization name for rmm.yaml (default: the folder's name)")
	return cmd
}

var scaffoldFolders = []string{"policies", "plans", "standards", "processes", "evaluations", "reviews", "measures", "lessons", "proposals", "training"}

func initRun(e *env, opts *initOptions) error {
	dir := opts.Dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(e.dir, dir)
	}
	if _, err := os.Stat(filepath.Join(dir, doc.ConfigFile)); err == nil {
		return failf("", "%s already holds rmm.yaml: it is a library already", dir)
	}
	if opts.Example {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return failf("name a folder rmm can create", "cannot create %s: %v", dir, unwrapPath(err))
		}
		entries, _ := os.ReadDir(dir)
		for _, en := range entries {
			if en.Name() != ".git" {
				return failf("use a new folder for the example", "%s is not empty: the example needs a folder of its own", dir)
			}
		}
		r, err := repo.Init(dir)
		if err != nil {
			return internalf("%v", err)
		}
		res, err := example.Write(r)
		if err != nil {
			return internalf("write the example: %v", err)
		}
		fmt.Fprintf(e.stdout, "Created the example library in %s: %d documents, %d commits, %d baselines\n", r.Root, res.Documents, res.Commits, res.Baselines)
		return nil
	}
	// The first commit and every document's owner need a git identity:
	// refuse before writing anything rather than leave a library that
	// cannot be committed (the example brings its own authors).
	who, ok := repo.IdentityAt(existingParent(dir))
	if !ok {
		return failf(identityHint, "rmm init commits the new library as you, and git has no user.email")
	}
	if err := doc.CheckEmail(who.Email); err != nil {
		return failf(identityHint, "git's user.email: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failf("name a folder rmm can create", "cannot create %s: %v", dir, unwrapPath(err))
	}
	org := opts.Organization
	if org == "" {
		abs, _ := filepath.Abs(dir)
		org = filepath.Base(abs)
	}
	cfg := fmt.Sprintf(`# rmm library configuration: see 'rmm --help' and the README.
organization: %q
title: Process Asset Library
units: []                 # organizational units that tailor standard processes
roles:                    # who holds which role (emails)
  manager: []
approvals:                # roles that must approve each kind; owner = the document's owner
  policy: [manager]
  plan: [owner, manager]
  standard: [manager]
  process: [owner]
default_sensitivity: internal
ignore: ["drafts/**"]
`, org)
	files := map[string]string{doc.ConfigFile: cfg, ".gitignore": doc.DefaultOutput + "/\n_pdf/\n"}
	for _, f := range scaffoldFolders {
		files[filepath.Join(f, ".gitkeep")] = ""
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return internalf("%v", err)
		}
		if err := store.WriteNew(p, []byte(content), 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
			return internalf("%v", err) // a file that is there already is kept as it is
		}
	}
	r, err := repo.Init(dir)
	if err != nil {
		return internalf("%v", err)
	}
	fmt.Fprintf(e.stdout, "Initialized a process asset library in %s\n", r.Root)
	if _, _, err := r.Head(); !errors.Is(err, repo.ErrEmpty) {
		fmt.Fprintln(e.stderr, "rmm: hint: the repository has commits already; commit the new files yourself")
		return nil
	}
	h, err := r.CommitAll("Start the process asset library\n\nScaffold written by rmm init.", who, who)
	if err != nil {
		return internalf("%v", err)
	}
	fmt.Fprintf(e.stdout, "Committed the scaffold as %s\n", h[:12])
	return nil
}

// identityHint tells how to give git (and so rmm) an identity.
const identityHint = `tell git who you are: git config --global user.name "Your Name" && git config --global user.email you@example.org`

// existingParent is dir, or its nearest ancestor that exists.
func existingParent(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			return dir
		}
		dir = up
	}
}

// unwrapPath drops the operation and path of a *fs.PathError, which the
// message around it names already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
