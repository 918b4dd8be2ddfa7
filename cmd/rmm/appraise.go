package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/appraise"
	"github.com/rmm-pal/rmm/check"
)

func init() { register(newAppraiseCmd) }

type appraiseOptions struct {
	JSON bool
	At   string
}

func newAppraiseCmd(e *env) *cobra.Command {
	opts := &appraiseOptions{}
	cmd := &cobra.Command{
		Use:   "appraise",
		Short: "Show, per process area, the evidence of each generic practice and the capability level",
		Long: `For every process area with documents, list each generic practice of
CERT-RMM (GG1.GP1 to GG3.GP2) with the documents that evidence it, why a
practice is not met, and the capability level reached: 0 incomplete, 1
performed (GG1 met), 2 managed (GG1 and every GG2 practice met), 3 defined
(and GG3 met). Evidence must say something (no placeholder section), be
current (RMM_NOW pins the clock) and be independent. The rule for each
practice is printed with --json and listed in the README, with the
training gaps and deviations of measures the rules look at.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return appraiseRun(e, opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the appraisal as JSON")
	cmd.Flags().StringVar(&opts.At, "at", "", "appraise the library at a revision")
	return cmd
}

func appraiseRun(e *env, opts *appraiseOptions) error {
	r, snap, err := e.load(opts.At)
	if err != nil {
		return err
	}
	if _, err := e.history(r, snap.Commit); err != nil {
		return err
	}
	res := appraise.Appraise(check.NewContext(r, snap, e.now()), appraise.Options{})
	if opts.JSON {
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	if len(res.Areas) == 0 {
		fmt.Fprintln(e.stdout, "No document names a process_area yet: nothing to appraise.")
		return nil
	}
	for i, a := range res.Areas {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s %s: capability level %d (%s)\n", a.Code, a.Name, a.Level, a.LevelName)
		fmt.Fprintf(e.stdout, "  %s\n", a.Explanation)
		for _, p := range a.Practices {
			mark := "  no "
			if p.Met {
				mark = "  yes"
			}
			docs := strings.Join(p.Docs, ", ")
			if docs == "" {
				docs = "-"
			}
			fmt.Fprintf(e.stdout, "%s %-8s %-42s %s\n", mark, p.Practice, p.Name, docs)
			if !p.Met {
				for _, w := range p.Why {
					fmt.Fprintf(e.stdout, "               why: %s\n", w)
				}
			}
			for _, n := range p.Notes {
				fmt.Fprintf(e.stdout, "               note: %s\n", n)
			}
		}
	}
	return nil
}
