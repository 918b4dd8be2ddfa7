package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
	"github.com/rmm-pal/rmm/repo"
)

func init() { register(newServeCmd) }

type serveOptions struct {
	Addr     string
	Audience string
	Out      string
}

func newServeCmd(e *env) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Preview the site: build, serve, rebuild on every change, reload open pages",
		Long: `Build the site of the working tree, serve it over HTTP, watch the repository
and rebuild on every change (documents, rmm.yaml, templates, and commits or
tags, which change history and baselines), reloading open pages. A failed
build is printed and shown on open pages; the last good site stays served.

The site is built into .git/rmm/serve/AUDIENCE (or -o DIR), never into _site.
-o DIR must be new, empty, or a site rmm wrote, as for 'rmm build'.
It listens on loopback unless --addr names another address: the preview
shows every document the audience may see to whoever reaches it. It answers
only requests addressed to this machine (on loopback: localhost, names under
.localhost, 127.0.0.1, [::1]), sends a Content-Security-Policy and
nosniff with every answer, and serves only the regular files the build wrote.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serveRun(ctx, e, opts, nil)
		},
	}
	addServeFlags(cmd, opts)
	cmd.Flags().StringVar(&opts.Audience, "audience", "internal", "publish documents up to this sensitivity: public, internal or restricted")
	cmd.Flags().StringVarP(&opts.Out, "output", "o", "", "build into `DIR` (default: .git/rmm/serve/AUDIENCE)")
	return cmd
}

func addServeFlags(cmd *cobra.Command, opts *serveOptions) {
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:4000", "listen on `HOST:PORT` (port 0 picks a free one)")
}

// serveRun serves the library found from e.dir until ctx ends, on ln when
// it is not nil (demo opens it before writing the example), else on
// opts.Addr.
func serveRun(ctx context.Context, e *env, opts *serveOptions, ln net.Listener) error {
	if !doc.Contains(doc.Sensitivities, opts.Audience) {
		return usagef("--audience %q is not one of %s", opts.Audience, strings.Join(doc.Sensitivities, ", "))
	}
	r, err := e.openRepo()
	if err != nil {
		return err
	}
	out, err := outputDir(e, r, opts.Out, filepath.Join(r.GitDir, "rmm", "serve", opts.Audience))
	if err != nil {
		return err
	}
	p, err := render.NewPipeline(render.PipelineOptions{
		Repo: r, Out: out, Audience: opts.Audience, Now: e.now,
		// The preview's folder is private: it is written in place (each
		// file renamed whole into it, nothing built beside), which is
		// enough for a preview; rmm build keeps its atomic swap.
		LiveReload: render.ReloadScript, InPlace: true, LenientHistory: true,
		// A document that stops loading keeps its last good page.
		KeepLastGood: true,
		// The page state is written once, when the preview stops.
		StateOnClose: true,
	})
	if err != nil {
		return pipelineErr(r, err)
	}
	defer p.Close() // the build state written before the process ends
	snap, err := p.Load()
	if err != nil {
		return pipelineErr(r, &render.PhaseError{Phase: render.PhaseLibrary, Err: err})
	}
	// The output folder is refused before the port is opened; the
	// pipeline asks again before every build.
	if err := p.CheckOutput(); err != nil {
		return pipelineErr(r, err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return internalf("cannot create the output folder: %v", err) // the guard vetted it
	}
	if ln == nil {
		if ln, err = listen(e, opts); err != nil {
			return err
		}
	}
	defer ln.Close()

	srv := render.NewServer(render.ServeOptions{
		Dir: out, Builder: p, Addr: opts.Addr,
		Root: r.Root, GitDir: r.GitDir,
		SkipDir: render.SkipOutput(r.Root, out, doc.DefaultOutput),
		OnBuild: func(ev render.BuildEvent) { printBuild(e, r, ev) },
		OnWatchError: func(err error) {
			fmt.Fprintf(e.stderr, "rmm: warning: watching for changes: %v\n", err)
		},
	})
	fmt.Fprintf(e.stdout, "Serving %s at %s (Ctrl+C to stop)\n", snap.Lib.Config.Organization, siteURL(ln.Addr()))
	if err := srv.Run(ctx, ln); err != nil {
		return internalf("%v", err)
	}
	fmt.Fprintln(e.stdout, "Stopped.")
	return nil
}

// listen opens opts.Addr, warning when it is not loopback.
func listen(e *env, opts *serveOptions) (net.Listener, error) {
	ln, err := render.Listen(opts.Addr)
	if err != nil {
		return nil, failf("stop the other server, or choose another port with --addr 127.0.0.1:PORT", "%v", err)
	}
	if !render.IsLoopback(opts.Addr) {
		fmt.Fprintf(e.stderr, "rmm: warning: listening on %s, not loopback: anyone who can reach this machine sees every %s document\n", opts.Addr, opts.Audience)
	}
	return ln, nil
}

// siteURL is the address to open in a browser: an unspecified host (all
// interfaces) is reached as localhost.
func siteURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// printBuild reports one build: a line on stdout, or the error on stderr.
func printBuild(e *env, r *repo.Repo, ev render.BuildEvent) {
	what := "Built"
	if ev.Changes != nil {
		what = "Rebuilt after " + describeChanges(r, ev.Changes) + ":"
	}
	if ev.Err != nil {
		var oe *render.OutputError
		if errors.As(ev.Err, &oe) {
			fmt.Fprintf(e.stderr, "rmm: %s\nrmm: hint: %s\n", oe, oe.Hint)
			return
		}
		fmt.Fprintf(e.stderr, "rmm: %s\nrmm: hint: the last good site is still served; fix the problem and save again\n", ev.Err)
		return
	}
	res := ev.Result
	early := ""
	switch n := len(ev.Reloaded); {
	case n == 1:
		early = fmt.Sprintf(" (the open page reloaded after %s)", ev.ReloadedAfter.Round(time.Millisecond))
	case n > 1:
		early = fmt.Sprintf(" (%d open pages reloaded from %s)", n, ev.ReloadedAfter.Round(time.Millisecond))
	}
	fmt.Fprintf(e.stdout, "%s %d pages, %d files written, in %s%s\n", what, res.Pages, res.Written, ev.Duration.Round(time.Millisecond), early)
	tracePhases(e, res)
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "rmm: warning: %s\n", w)
	}
	if rep := ev.ErrorReport(); rep != "" {
		fmt.Fprintf(e.stderr, "rmm: %s", rep)
	}
}

// describeChanges names the changed paths relative to the library root,
// at most three of them.
func describeChanges(r *repo.Repo, paths []string) string {
	var names []string
	for _, p := range paths {
		if rel, err := filepath.Rel(r.GitDir, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = "git " + filepath.ToSlash(rel) // a commit, a checkout, a tag
		} else if rel, err := filepath.Rel(r.Root, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = filepath.ToSlash(rel)
			if p == "." {
				p = "changes the system could not list" // events were dropped
			}
		}
		names = append(names, p)
	}
	if len(names) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
	}
	return strings.Join(names, ", ")
}
