package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

func init() { register(newBuildCmd) }

type buildOptions struct {
	Output   string
	At       string
	Audience string
	Strict   bool
}

func newBuildCmd(e *env) *cobra.Command {
	opts := &buildOptions{}
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Publish the library as a static website (the process asset library)",
		Long: `Write the process asset library as a static website: a page per document
with its metadata, approvals, baselines, revision history and backlinks;
indexes by kind, process area, unit and status; lessons learned; baselines;
the tailoring matrix; generic practice coverage; measures as charts; and a
search that runs in the browser. Every link is relative: the site works from
any folder, URL path or file://.

Check errors are printed as warnings and the site is built anyway, unless
--strict is given. The previous site is replaced atomically.

Every site carries a .rmm-site file listing its files. rmm builds only into
a folder that does not exist, is empty, or is a site it wrote and holds
nothing else; never into the library's root, a folder above it, .git or a
folder holding files git tracks.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return buildRun(cmd.Context(), e, opts) },
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the site to `DIR` (default _site under the library's root)")
	cmd.Flags().StringVar(&opts.At, "at", "", "publish the library at a revision (commit, branch, baseline/NAME) instead of the working tree")
	cmd.Flags().StringVar(&opts.Audience, "audience", "internal", "publish for `LEVEL`: public, internal or restricted documents")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "refuse to build when check finds an error")
	return cmd
}

func buildRun(ctx context.Context, e *env, opts *buildOptions) error {
	if !doc.Contains(doc.Sensitivities, opts.Audience) {
		return usagef("--audience %q: use public, internal or restricted", opts.Audience)
	}
	if os.Getenv("GOGC") == "" {
		// A build holds the whole library while it makes thousands of
		// short-lived pages: collecting a little more often keeps its peak
		// memory near the library's size for a few percent more CPU.
		debug.SetGCPercent(60)
	}
	r, err := e.openRepo()
	if err != nil {
		return err
	}
	out, err := outputDir(e, r, opts.Output, filepath.Join(r.Root, doc.DefaultOutput))
	if err != nil {
		return err
	}
	p, err := render.NewPipeline(render.PipelineOptions{
		Repo: r, Rev: opts.At, Out: out, Audience: opts.Audience, Strict: opts.Strict, Now: e.now,
		OnCheck: func(diags []doc.Diagnostic) { printDiags(e, diags, opts.Strict) },
	})
	if err != nil {
		return pipelineErr(r, err)
	}
	defer p.Close()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	res, err := p.Build(ctx)
	if err != nil {
		return pipelineErr(r, err)
	}
	tracePhases(e, res)
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "rmm: warning: %s\n", w)
	}
	shown := out
	if rel, err := filepath.Rel(r.Root, out); err == nil && !strings.HasPrefix(rel, "..") {
		shown = filepath.ToSlash(rel)
	}
	fmt.Fprintf(e.stdout, "built %d pages in %s (%d files, %d changed)\n", res.Pages, shown, res.Files, res.Written)
	fmt.Fprintf(e.stdout, "open %s in a browser\n", fileURL(filepath.Join(out, "index.html")))
	return nil
}

// outputDir is -o DIR made absolute from -C, or def when it is "".
func outputDir(e *env, r *repo.Repo, dir, def string) (string, error) {
	if dir == "" {
		return def, nil
	}
	if !filepath.IsAbs(dir) {
		base, err := filepath.Abs(e.dir)
		if err != nil {
			return "", internalf("%v", err)
		}
		dir = filepath.Join(base, dir)
	}
	return filepath.Clean(dir), nil
}

// printDiags prints what check found before the site is built: the
// errors (every diagnostic with --strict), then a line counting them.
func printDiags(e *env, diags []doc.Diagnostic, strict bool) {
	errs := 0
	for _, d := range diags {
		if d.Severity == doc.Error {
			errs++
		}
		if d.Severity == doc.Error || strict {
			fmt.Fprintln(e.stderr, d.String())
		}
	}
	switch {
	case strict:
	case errs > 0:
		fmt.Fprintf(e.stderr, "rmm: warning: check found %s; building the site anyway\n", buildCount(errs, "error"))
	case len(diags) > 0:
		fmt.Fprintf(e.stderr, "rmm: check found %s: 'rmm check' lists them, so does the site's Checks page\n", buildCount(len(diags), "warning"))
	}
}

// pipelineErr turns an error of render's pipeline into rmm's exit codes
// and hints.
func pipelineErr(r *repo.Repo, err error) error {
	var pe *render.PhaseError
	var se *render.StrictError
	switch {
	case errors.Is(err, repo.ErrEmpty):
		return failf("commit rmm.yaml and your documents first: git add -A && git commit", "%s: the repository has no commits yet", r.Root)
	case outputErr(err) != nil:
		return outputErr(err)
	case errors.As(err, &se):
		return failf("fix them (rmm check), or build without --strict", "check found %s; the site was not built", buildCount(se.Errors, "error"))
	case errors.Is(err, context.Canceled):
		return failf("", "build interrupted; the previous site is unchanged")
	case errors.As(err, &pe) && pe.Phase == render.PhaseHistory:
		return &exitError{code: exitUsage, msg: noteErr("read history: %v", pe.Err), hint: "the repository is damaged: 'git fsck' lists what is wrong"}
	case errors.As(err, &pe) && pe.Phase == render.PhaseLibrary && errors.Is(err, repo.ErrNoRev):
		return failf("name a commit, a branch or a tag such as baseline/NAME", "%v", pe.Err)
	case errors.As(err, &pe) && pe.Phase == render.PhaseLibrary:
		return failf("", "%v", pe.Err)
	}
	return internalf("%v", err)
}

// fileURL is the file:// URL of the absolute path p, escaped, on any
// system (C:\x becomes file:///C:/x).
func fileURL(p string) string {
	s := filepath.ToSlash(p)
	if !strings.HasPrefix(s, "/") {
		s = "/" + s
	}
	return (&url.URL{Scheme: "file", Path: s}).String()
}

// outputErr turns render's refusal of an output folder into exit 1 with
// its hint; any other error (nil included) gives nil.
func outputErr(err error) error {
	var oe *render.OutputError
	if errors.As(err, &oe) {
		return failf(oe.Hint, "%s", oe.Error())
	}
	return nil
}

// buildCount spells "1 error", "2 errors".
func buildCount(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// tracePhases prints the phase timings of a build when RMM_TRACE is set,
// for benchmarks (bench/build.sh, serve profiles); never in tests.
func tracePhases(e *env, res *render.Result) {
	if os.Getenv("RMM_TRACE") == "" {
		return
	}
	fmt.Fprint(e.stderr, "rmm: trace:")
	for _, p := range res.Phases {
		if p.Phase != render.PhaseGuard {
			fmt.Fprintf(e.stderr, " %s %.3fs", p.Phase, p.Duration.Seconds())
		}
	}
	fmt.Fprintln(e.stderr)
}
