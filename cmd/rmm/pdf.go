package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/pdf"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

func init() { register(newPDFCmd) }

type pdfOptions struct {
	IDs      []string
	Baseline string
	Output   string
	At       string
	Audience string
}

func newPDFCmd(e *env) *cobra.Command {
	opts := &pdfOptions{}
	cmd := &cobra.Command{
		Use:   "pdf ID... | --baseline NAME",
		Short: "Print documents, or a whole baseline, as controlled copies in PDF",
		Long: `Write a controlled copy of each document as a PDF file, DIR/ID.pdf, or with
--baseline NAME one PDF of the whole baseline, DIR/baseline-NAME.pdf: the
baseline's manifest on its first page (tag, commit, root hash, every
document with its fingerprint and approvers), then every controlled document
of the baseline as it was at the baseline's commit.

A copy prints the document's page of the site through the site's print
style: first its controlled-copy block (id, title, status, fingerprint, the
latest baseline holding it, its approvals, current or stale, and "Printed
DATE: uncontrolled when printed"), then the document, with no navigation or
contents box. Every page is headed with the document's id, status and short
fingerprint, "Uncontrolled when printed", the time of printing and "Page X
of Y".

rmm prints through headless Chromium: $RMM_CHROMIUM when set, else chromium,
chromium-browser or google-chrome on PATH; without one it refuses.

DIR is _pdf under the library's root unless -o names another folder; it is
created when missing. rmm lists the files it writes there in DIR/.rmm-pdf,
with their SHA-256, and replaces only those, and only while they hold what
rmm wrote: a PDF rmm did not write, or that was changed since (signed,
annotated), is never replaced.

--audience works as for rmm build: a document above the audience is not
printed, and a baseline's copy leaves such documents out (its manifest too);
the default, internal, leaves restricted documents out.`,
		Example: `  rmm pdf IMC-PLAN
  rmm pdf IMC-PLAN IMC-POL --at baseline/2026-q1 -o copies
  rmm pdf --baseline 2026-q2`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			return pdfRun(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Baseline, "baseline", "", "print baseline `NAME` as one PDF, its manifest first")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the PDF files into `DIR` (default _pdf under the library's root)")
	cmd.Flags().StringVar(&opts.At, "at", "", "print the documents as they were at a revision (commit, branch, baseline/NAME)")
	cmd.Flags().StringVar(&opts.Audience, "audience", "internal", "print for `LEVEL`: public, internal or restricted documents")
	return cmd
}

// pdfJob is one PDF to print: a page of the site built into a temporary
// folder, and the file it becomes.
type pdfJob struct {
	page, file string
}

func pdfRun(ctx context.Context, e *env, opts *pdfOptions) error {
	if err := pdfUsage(opts); err != nil {
		return err
	}
	// What to print: the library at a revision, and the pages.
	w, err := pdfWhat(e, opts)
	if err != nil {
		return err
	}
	// Where: refused before any work, and again when writing.
	dir, err := outputDir(e, w.r, opts.Output, filepath.Join(w.r.Root, pdf.DefaultOutput))
	if err != nil {
		return err
	}
	out := pdf.Output{Dir: dir}
	var names []string
	for _, j := range w.jobs {
		names = append(names, j.file)
	}
	if err := out.Check(names); err != nil {
		return pdfOutputErr(err)
	}
	// How: Chromium.
	exe, err := pdf.Find()
	if errors.Is(err, pdf.ErrNoChromium) {
		return failf("", "rmm pdf needs Chromium: install it (apt-get install chromium) or set %s", pdf.EnvVar)
	}
	if err != nil {
		return failf(fmt.Sprintf("set %s to the path of Chromium, or unset it to use chromium from PATH", pdf.EnvVar), "%v", err)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	files, pages, err := pdfPrint(ctx, e, opts, w, exe)
	if err != nil {
		return err
	}
	if err := out.Write(files); err != nil {
		return pdfOutputErr(err)
	}
	shown := dir
	if rel, err := filepath.Rel(w.r.Root, dir); err == nil && !strings.HasPrefix(rel, "..") {
		shown = rel
	}
	for i, f := range files {
		fmt.Fprintf(e.stdout, "wrote %s (%s)\n", filepath.ToSlash(filepath.Join(shown, f.Name)), buildCount(pages[i], "page"))
	}
	return nil
}

// pdfUsage refuses flags that do not go together.
func pdfUsage(opts *pdfOptions) error {
	switch {
	case len(opts.IDs) == 0 && opts.Baseline == "":
		return usagef("name the documents to print, or a baseline with --baseline NAME")
	case len(opts.IDs) > 0 && opts.Baseline != "":
		return usagef("name documents or --baseline, not both")
	case opts.Baseline != "" && opts.At != "":
		return usagef("--at does not go with --baseline: a baseline is printed as it was at its own commit")
	case !doc.Contains(doc.Sensitivities, opts.Audience):
		return usagef("--audience %q: use public, internal or restricted", opts.Audience)
	}
	return nil
}

// pdfTarget is what rmm pdf prints: the library at a revision, and the
// pages that become PDF files.
type pdfTarget struct {
	r     *repo.Repo
	snap  *repo.Snapshot
	rev   string
	bname string // the baseline printed, or ""
	jobs  []pdfJob
}

func pdfWhat(e *env, opts *pdfOptions) (*pdfTarget, error) {
	w := &pdfTarget{rev: opts.At, bname: strings.TrimPrefix(opts.Baseline, baseline.TagPrefix)}
	var err error
	if w.bname == "" {
		if w.r, w.snap, err = e.load(w.rev); err != nil {
			return nil, err
		}
		w.jobs, err = pdfDocJobs(w.snap.Lib, opts)
		return w, err
	}
	if err := baseline.CheckName(w.bname); err != nil {
		return nil, usagef("--baseline: %v", err)
	}
	if w.r, err = e.openRepo(); err != nil {
		return nil, err
	}
	m, err := readBaseline(e, w.r, w.bname)
	if err != nil {
		return nil, err
	}
	w.rev = m.Target
	if w.r, w.snap, err = e.load(w.rev); err != nil {
		return nil, err
	}
	w.jobs = []pdfJob{{page: render.PrintPath(m.Name), file: "baseline-" + m.Name + ".pdf"}}
	return w, nil
}

// pdfDocJobs are the pages of the documents opts names, each once.
func pdfDocJobs(lib *doc.Library, opts *pdfOptions) ([]pdfJob, error) {
	var jobs []pdfJob
	seen := map[string]bool{}
	for _, id := range opts.IDs {
		d := lib.ByID[id]
		if d == nil {
			return nil, failf(pdfIDHint(lib, id), "no document has the id %s", id)
		}
		if !render.Visible(d, lib.Config, opts.Audience) {
			sens := d.Sensitivity
			if sens == "" {
				sens = lib.Config.Sensitivity()
			}
			return nil, failf(fmt.Sprintf("print it with --audience %s, if whoever gets the PDF may read it", sens),
				"%s is %s: not printed for audience %s", id, sens, opts.Audience)
		}
		if !seen[id] {
			seen[id] = true
			jobs = append(jobs, pdfJob{page: "doc/" + id + ".html", file: id + ".pdf"})
		}
	}
	return jobs, nil
}

// pdfPrint starts the browser, builds the pages into a temporary folder
// and prints them.
func pdfPrint(ctx context.Context, e *env, opts *pdfOptions, w *pdfTarget, exe string) ([]pdf.File, []int, error) {
	b, err := pdf.Start(ctx, exe)
	if err != nil {
		return nil, nil, failf(fmt.Sprintf("check that %s is Chromium and starts headless, or set %s to one that does", exe, pdf.EnvVar), "cannot start the browser: %v", err)
	}
	defer b.Close()
	tmp, err := os.MkdirTemp("", "rmm-pdf-")
	if err != nil {
		return nil, nil, internalf("%v", err)
	}
	defer os.RemoveAll(tmp)
	site := filepath.Join(tmp, "site")
	p, err := render.NewPipeline(render.PipelineOptions{
		Repo: w.r, Rev: w.rev, Out: site, Audience: opts.Audience, Now: e.now,
		Snapshot: w.snap, PrintBaseline: w.bname, Scratch: true,
	})
	if err != nil {
		return nil, nil, internalf("%v", err) // load read the library already
	}
	defer p.Close()
	if _, err := p.Build(ctx); err != nil {
		var pe *render.PhaseError
		if errors.As(err, &pe) && pe.Phase == render.PhaseHistory {
			return nil, nil, pipelineErr(w.r, err)
		}
		return nil, nil, internalf("%v", err)
	}
	printed := e.now().Format("2006-01-02 15:04 -07:00")
	var files []pdf.File
	var pages []int
	for _, j := range w.jobs {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		pr, err := b.Print(pctx, fileURL(filepath.Join(site, filepath.FromSlash(j.page))), printed)
		cancel()
		if err != nil {
			return nil, nil, internalf("%s: %v", j.file, err)
		}
		files = append(files, pdf.File{Name: j.file, Data: pr.PDF})
		pages = append(pages, pdf.Pages(pr.PDF))
	}
	return files, pages, nil
}

// pdfOutputErr turns a refusal of the output folder into exit 1 with its
// hint; any other error is a failure of the disk.
func pdfOutputErr(err error) error {
	var re *pdf.RefusedError
	if errors.As(err, &re) {
		return failf(re.Hint, "%s", re.Error())
	}
	return internalf("%v", err)
}

// pdfIDHint proposes ids close to a mistyped one.
func pdfIDHint(lib *doc.Library, id string) string {
	up := strings.ToUpper(id)
	if lib.ByID[up] != nil {
		return "did you mean " + up + "?"
	}
	var near []string
	for k := range lib.ByID {
		if up != "" && strings.Contains(k, up) {
			near = append(near, k)
		}
	}
	sort.Strings(near)
	if len(near) > 0 && len(near) <= 3 {
		return "did you mean " + strings.Join(near, " or ") + "?"
	}
	return "name documents by their ids, e.g. rmm pdf IMC-PLAN"
}
