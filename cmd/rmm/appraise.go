package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/appraise"
	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/repo"
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
CERT-RMM (GG1.GP1 to GG3.GP2) with the documents that evidence it, and the
capability level reached: 0 incomplete, 1 performed (GG1 met), 2 managed
(GG1 and every GG2 practice met), 3 defined (and GG3 met). The rule for
each practice is printed with --json and listed in the README.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return appraiseRun(e, opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the appraisal as JSON")
	cmd.Flags().StringVar(&opts.At, "at", "", "appraise the library at a revision")
	return cmd
}

// inLatestBaseline tells whether the latest baseline holds a document.
func inLatestBaseline(r *repo.Repo) func(string) bool {
	m := baseline.Latest(r)
	if m == nil {
		return nil
	}
	return func(id string) bool { return m.Entry(id) != nil }
}

func appraiseRun(e *env, opts *appraiseOptions) error {
	r, snap, err := e.load(opts.At)
	if err != nil {
		return err
	}
	areas := appraise.Appraise(snap.Lib, inLatestBaseline(r))
	if opts.JSON {
		type rule struct {
			Practice string `json:"practice"`
			Name     string `json:"name"`
			Goal     int    `json:"goal"`
			Rule     string `json:"rule"`
		}
		out := struct {
			Areas []appraise.Area `json:"process_areas"`
			Rules []rule          `json:"rules"`
		}{Areas: areas}
		if out.Areas == nil {
			out.Areas = []appraise.Area{}
		}
		for _, p := range appraise.Practices {
			out.Rules = append(out.Rules, rule{p.ID, p.Name, p.Goal, p.Rule})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	if len(areas) == 0 {
		fmt.Fprintln(e.stdout, "No document names a process_area yet: nothing to appraise.")
		return nil
	}
	levels := []string{"incomplete", "performed", "managed", "defined"}
	for i, a := range areas {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s %s: capability level %d (%s)\n", a.Code, a.Name, a.Level, levels[a.Level])
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
		}
	}
	return nil
}
