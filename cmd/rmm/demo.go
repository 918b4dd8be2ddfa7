package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
)

func init() { register(newDemoCmd) }

type demoOptions struct {
	Dir string
	serveOptions
}

func newDemoCmd(e *env) *cobra.Command {
	opts := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo [DIR]",
		Short: "Create the example library and preview its site: the quickest look at rmm",
		Long: `Create the sample organization of 'rmm init --example' in DIR (default: a
new temporary folder), then serve its site as 'rmm serve' does and print the
address to open. Edit a document under DIR and the open page reloads.
DIR must be new or empty, and is kept; a temporary folder is removed when
the demo stops.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return demoRun(ctx, e, opts)
		},
	}
	addServeFlags(cmd, &opts.serveOptions)
	return cmd
}

func demoRun(ctx context.Context, e *env, opts *demoOptions) error {
	dir := opts.Dir
	if dir != "" {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(e.dir, dir)
		}
		entries, err := os.ReadDir(dir)
		switch {
		case err == nil && len(entries) > 0:
			return failf("name a new folder, or leave DIR out for a temporary one", "%s is not empty: the demo needs a folder of its own", dir)
		case err != nil && !os.IsNotExist(err):
			return failf("name a new folder, or leave DIR out for a temporary one", "cannot use %s for the demo: %v", dir, err)
		}
	}
	so := opts.serveOptions
	so.Audience = "internal"
	// The port first: a taken port is known before the example is written.
	ln, err := listen(e, &so)
	if err != nil {
		return err
	}
	defer ln.Close()
	if dir == "" {
		if dir, err = os.MkdirTemp("", "rmm-demo-"); err != nil {
			return internalf("%v", err)
		}
		// A folder the demo made is the demo's: it goes when the demo
		// ends, however it ends (Ctrl+C, SIGTERM, an error).
		tmp := dir
		defer func() {
			if err := os.RemoveAll(tmp); err != nil {
				fmt.Fprintf(e.stderr, "rmm: warning: cannot remove the demo's folder: %v\n", err)
				return
			}
			fmt.Fprintf(e.stdout, "Removed %s.\n", tmp)
		}()
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if err := initRun(e, &initOptions{Dir: dir, Example: true}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Edit the documents in %s and the open page reloads.\n", dir)
	se := *e
	se.dir = dir
	return serveRun(ctx, &se, &so, ln)
}
