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
	"time"

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
	if _, _, err := r.Head(); errors.Is(err, repo.ErrEmpty) {
		return failf("commit rmm.yaml and your documents first: git add -A && git commit", "%s: the repository has no commits yet", r.Root)
	}
	out := filepath.Join(r.Root, doc.DefaultOutput)
	if opts.Output != "" {
		out = opts.Output
		if !filepath.IsAbs(out) {
			base, err := filepath.Abs(e.dir)
			if err != nil {
				return internalf("%v", err)
			}
			out = filepath.Join(base, out)
		}
		out = filepath.Clean(out)
	}
	// Refused before anything is loaded; render.Build asks again before
	// it writes.
	if err := render.CheckOutput(r, out); err != nil {
		if oe := outputErr(err); oe != nil {
			return oe
		}
		return internalf("%v", err)
	}
	// An output folder inside the library is never read as documents.
	outRel := ""
	if rel, err := filepath.Rel(r.Root, out); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		outRel = filepath.ToSlash(rel)
	}

	t0 := time.Now()
	// The history pass first, before the library is in memory: its peak
	// and the library's do not add up.
	var hist *repo.History
	rev := opts.At
	if rev == "" {
		rev = "HEAD"
	}
	if commit, err := r.Resolve(rev); err == nil {
		if hist, err = e.history(r, commit); err != nil {
			return err
		}
	}
	tHist := time.Since(t0)
	t0 = time.Now()
	snap, err := r.Load(opts.At, doc.LoadOptions{Output: outRel})
	if errors.Is(err, repo.ErrNoRev) {
		return failf("name a commit, a branch or a tag such as baseline/NAME", "%v", err)
	}
	if err != nil {
		return failf("", "%v", err)
	}
	tLoad := time.Since(t0)
	t0 = time.Now()
	diags := e.runChecks(r, snap)
	tCheck := time.Since(t0)
	errs := 0
	for _, d := range diags {
		if d.Severity == doc.Error {
			errs++
		}
	}
	for _, d := range diags {
		if d.Severity == doc.Error || opts.Strict {
			fmt.Fprintln(e.stderr, d.String())
		}
	}
	if opts.Strict && errs > 0 {
		return failf("fix them (rmm check), or build without --strict", "check found %s; the site was not built", buildCount(errs, "error"))
	}
	if errs > 0 {
		fmt.Fprintf(e.stderr, "rmm: warning: check found %s; building the site anyway\n", buildCount(errs, "error"))
	} else if warns := len(diags); warns > 0 && !opts.Strict {
		fmt.Fprintf(e.stderr, "rmm: check found %s: 'rmm check' lists them, so does the site's Checks page\n", buildCount(warns, "warning"))
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	res, err := render.Build(ctx, render.Options{
		Repo: r, Rev: opts.At, Out: out, Audience: opts.Audience, Strict: opts.Strict,
		Now: e.now(), Diags: diags, Snapshot: snap, History: hist,
	})
	if errors.Is(err, context.Canceled) {
		return failf("", "build interrupted; the previous site is unchanged")
	}
	if err != nil {
		if oe := outputErr(err); oe != nil {
			return oe
		}
		return internalf("%v", err)
	}
	if os.Getenv("RMM_TRACE") != "" {
		// Phase timings for benchmarks (bench/build.sh); never in tests.
		fmt.Fprintf(e.stderr, "rmm: trace: history %.3fs library %.3fs check %.3fs", tHist.Seconds(), tLoad.Seconds(), tCheck.Seconds())
		for _, p := range res.Phases {
			fmt.Fprintf(e.stderr, " %s %.3fs", p.Phase, p.Duration.Seconds())
		}
		fmt.Fprintln(e.stderr)
	}
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
