package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/store"
	"github.com/rmm-pal/rmm/templates"
)

func init() { register(newNewCmd) }

type newOptions struct {
	Kind, Title string
	ID          string
	Area        string
	Unit        string
	Owner       string
}

func newNewCmd(e *env) *cobra.Command {
	opts := &newOptions{}
	cmd := &cobra.Command{
		Use:   "new KIND TITLE",
		Short: "Write a new document from its kind's template and print its path",
		Long: `Write a new document of KIND (` + strings.Join(doc.Kinds, ", ") + `) from the
kind's template (.rmm/templates/KIND.md in the repository, else rmm's own) and
print its path. The id is made from --area and the title unless --id is given.`,
		Args:      cobra.ExactArgs(2),
		ValidArgs: doc.Kinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kind, opts.Title = args[0], args[1]
			return newRun(e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.ID, "id", "", "the document's id (default: from --area and the title)")
	cmd.Flags().StringVar(&opts.Area, "area", "", "process area code, e.g. IMC")
	cmd.Flags().StringVar(&opts.Unit, "unit", "", "organizational unit (one of rmm.yaml units)")
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "owner's email (default: git's user.email)")
	return cmd
}

var kindFolders = map[string]string{
	"policy": "policies", "plan": "plans", "process": "processes", "standard": "standards",
	"evaluation": "evaluations", "review": "reviews", "measure": "measures", "lesson": "lessons",
	"proposal": "proposals", "training": "training", "note": "notes",
}

func newRun(e *env, opts *newOptions) error {
	if !doc.Contains(doc.Kinds, opts.Kind) {
		return usagef("unknown kind %q: use one of %s", opts.Kind, strings.Join(doc.Kinds, ", "))
	}
	if strings.TrimSpace(opts.Title) == "" {
		return usagef("the title is empty")
	}
	if strings.ContainsAny(opts.Title, "\r\n") {
		return usagef("the title must be one line")
	}
	if opts.Area != "" && !doc.Contains(doc.ProcessAreas, opts.Area) {
		return usagef("unknown process area %q: use one of %s", opts.Area, strings.Join(doc.ProcessAreas, " "))
	}
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	cfg := snap.Lib.Config
	if opts.Unit != "" && !doc.Contains(cfg.Units, opts.Unit) {
		return usagef("unknown unit %q: rmm.yaml units are %s", opts.Unit, strings.Join(cfg.Units, ", "))
	}
	id := opts.ID
	if id == "" && !strings.ContainsFunc(opts.Title, func(r rune) bool {
		return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		return usagef("cannot make an id from the title %q (it has no letter A-Z or digit): pass --id, e.g. --id IMC-PLAN", opts.Title)
	}
	if id == "" {
		id = doc.IDFromPath(opts.Title)
		if opts.Area != "" {
			id = opts.Area + "-" + id
		}
		base := id
		for i := 2; snap.Lib.ByID[id] != nil; i++ {
			id = fmt.Sprintf("%s-%d", base, i)
		}
	}
	if !doc.IDPattern.MatchString(id) {
		return usagef("id %q must be upper case words joined by '-', like IMC-PLAN", id)
	}
	if d := snap.Lib.ByID[id]; d != nil {
		return failf("choose another --id", "id %s is taken by %s", id, d.Path)
	}
	owner := opts.Owner
	if owner == "" {
		who, ok := r.Identity()
		if !ok {
			return failf("pass --owner EMAIL, or "+identityHint, "who owns the new %s? git has no user.email", opts.Kind)
		}
		owner = who.Email
	}
	if err := doc.CheckEmail(owner); err != nil {
		return usagef("owner: %v", err)
	}
	rel := filepath.Join(kindFolders[opts.Kind], doc.Slug(opts.Title)+".md")
	if opts.Kind == "process" && opts.Unit != "" {
		rel = filepath.Join(kindFolders[opts.Kind], opts.Unit, doc.Slug(opts.Title)+".md")
	}
	dst := filepath.Join(r.Root, rel)
	if sub := r.InSubmodule(filepath.ToSlash(rel)); sub != "" {
		return failf("a submodule's files belong to another repository; write the document elsewhere (--id and a title for another folder)", "%s would be inside %s, a git submodule", filepath.ToSlash(rel), sub)
	}
	tmpl, err := kindTemplate(r.Root, opts.Kind)
	if err != nil {
		return err
	}
	now := e.now().UTC()
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, map[string]string{
		"ID": id, "Title": opts.Title, "Owner": owner, "Area": opts.Area, "Unit": opts.Unit,
		"Status": statusFor(opts.Kind), "Date": now.Format("2006-01-02"), "Due": now.AddDate(0, 1, 0).Format("2006-01-02"),
	})
	if err != nil {
		return failf("fix the template, or remove it to use rmm's own", "%s: %v", templateName(r.Root, opts.Kind), err)
	}
	// A template of the repository's own may write front matter that does
	// not read back as meant (a title with ": " in an unquoted value):
	// refuse rather than write a broken document.
	nd, diags := doc.Parse(filepath.ToSlash(rel), buf.Bytes())
	if nd == nil || doc.HasErrors(diags) || nd.HasFrontMatter && (nd.ID != id || nd.Owner != "" && nd.Owner != owner) {
		what := "it does not read back as the document asked for"
		for _, d := range diags {
			if d.Severity == doc.Error {
				what = d.String()
				break
			}
		}
		return failf("quote the template's values, e.g. title: {{printf \"%q\" .Title}}", "%s writes a document rmm cannot use: %s", templateName(r.Root, opts.Kind), what)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return failf("", "cannot create %s: %v", filepath.ToSlash(filepath.Dir(rel)), unwrapPath(err))
	}
	if err := store.WriteNew(dst, buf.Bytes(), 0o644); errors.Is(err, fs.ErrExist) {
		return failf("choose another title", "%s exists already", rel)
	} else if err != nil {
		return internalf("%v", err)
	}
	fmt.Fprintln(e.stdout, filepath.ToSlash(rel))
	return nil
}

func statusFor(kind string) string {
	if kind == "proposal" {
		return "proposed"
	}
	return "draft"
}

// templateName names the template kindTemplate reads, for messages.
func templateName(root, kind string) string {
	if _, err := os.Stat(filepath.Join(root, ".rmm", "templates", kind+".md")); err == nil {
		return ".rmm/templates/" + kind + ".md"
	}
	return "the built-in " + kind + " template"
}

// kindTemplate reads .rmm/templates/KIND.md, else the embedded default.
func kindTemplate(root, kind string) (*template.Template, error) {
	data, err := os.ReadFile(filepath.Join(root, ".rmm", "templates", kind+".md"))
	src := ".rmm/templates/" + kind + ".md"
	if err != nil {
		data, err = fs.ReadFile(templates.Kinds, kind+".md")
		src = "built-in " + kind + " template"
		if err != nil {
			return nil, internalf("no template for %s", kind)
		}
	}
	t, err := template.New(kind).Option("missingkey=zero").Parse(string(data))
	if err != nil {
		return nil, failf("", "%s: %v", src, err)
	}
	return t, nil
}
