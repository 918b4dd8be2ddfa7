package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/appraise"
	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
)

func init() { register(newStatusCmd) }

type statusOptions struct{ JSON bool }

func newStatusCmd(e *env) *cobra.Command {
	opts := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Summarise the library: documents by kind and status, stale approvals, reviews due, suspect tailorings, actions, deviations, training gaps, stakeholders, changes since the latest baseline",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return statusRun(e, opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the summary as JSON")
	return cmd
}

// closedShown is how many closed actions the text lists, newest first.
const closedShown = 10

func statusRun(e *env, opts *statusOptions) error {
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	if _, err := e.history(r, ""); err != nil {
		return err
	}
	rep, err := appraise.NewStatus(check.NewContext(r, snap, e.now()))
	if err != nil {
		return internalf("read history: %v", err) // e.history read it already
	}
	if opts.JSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	printStatus(e, snap.Lib, rep)
	return nil
}

func printStatus(e *env, lib *doc.Library, rep *appraise.Status) {
	w := e.stdout
	fmt.Fprintf(w, "%s: %d documents\n", lib.Config.Organization, len(lib.Docs))
	kinds := make([]string, 0, len(rep.Documents))
	for k := range rep.Documents {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		var parts []string
		sts := make([]string, 0, len(rep.Documents[k]))
		for s := range rep.Documents[k] {
			sts = append(sts, s)
		}
		sort.Strings(sts)
		for _, s := range sts {
			parts = append(parts, fmt.Sprintf("%d %s", rep.Documents[k][s], s))
		}
		fmt.Fprintf(w, "  %-11s %s\n", k, strings.Join(parts, ", "))
	}
	section := func(title string, n int) bool {
		fmt.Fprintf(w, "\n%s: %d\n", title, n)
		return n > 0
	}
	if section("Changed after approval", len(rep.StaleApprovals)) {
		for _, s := range rep.StaleApprovals {
			fmt.Fprintf(w, "  %s (%s): approve again as %s\n", s.ID, s.Path, strings.Join(baseline.Labels(lib.ByPath[s.Path], s.Roles), ", "))
		}
	}
	if section("Reviews due within 30 days or overdue", len(rep.ReviewsDue)) {
		for _, r := range rep.ReviewsDue {
			state := "due"
			if r.Overdue {
				state = "overdue"
			}
			fmt.Fprintf(w, "  %s (%s): %s %s\n", r.ID, r.Path, state, r.Due)
		}
	}
	if section("Suspect tailorings", len(rep.Suspect)) {
		for _, c := range rep.Suspect {
			if c.Problem != "" {
				fmt.Fprintf(w, "  %s tailors %s for %s: %s\n", c.Process, c.Standard, c.Unit, c.Problem)
				continue
			}
			fmt.Fprintf(w, "  %s tailors %s for %s: sections changed since base: %s\n", c.Process, c.Standard, c.Unit, strings.Join(c.Suspect, ", "))
		}
	}
	fmt.Fprintf(w, "\nOpen actions: %d, overdue: %d\n", rep.Actions.Open, len(rep.Actions.Overdue))
	for _, a := range rep.Actions.Items {
		due := "no due date"
		if a.Due != "" {
			due = "due " + a.Due
		}
		if a.Overdue {
			due += ", overdue"
		}
		owner := "no owner"
		if a.Owner != "" {
			owner = "@" + a.Owner
		}
		fmt.Fprintf(w, "  %s:%d: %s (%s): %s\n", a.Path, a.Line, due, owner, a.Text)
	}
	if section("Closed actions", len(rep.Actions.Closed)) {
		closed := append([]appraise.Action(nil), rep.Actions.Closed...)
		sort.SliceStable(closed, func(i, j int) bool { return closed[i].ClosedOn > closed[j].ClosedOn })
		for i, a := range closed {
			if i == closedShown {
				fmt.Fprintf(w, "  and %d more (rmm status --json lists them)\n", len(closed)-closedShown)
				break
			}
			when := "closed, not committed yet"
			if a.ClosedIn != "" {
				when = fmt.Sprintf("closed in %s on %s by %s", shortHash(a.ClosedIn), a.ClosedOn, a.ClosedBy)
			}
			fmt.Fprintf(w, "  %s:%d: %s: %s\n", a.Path, a.Line, when, a.Text)
		}
	}
	if section("Deviations of measures", len(rep.Deviations)) {
		for _, v := range rep.Deviations {
			answer := "no corrective action"
			if len(v.Corrective) > 0 {
				var refs []string
				for _, c := range v.Corrective {
					refs = append(refs, fmt.Sprintf("%s:%d", c.Path, c.Line))
				}
				answer = "corrective action: " + strings.Join(refs, ", ")
			}
			fmt.Fprintf(w, "  %s (%s): %s; %s\n", v.Measure, v.Path, v.Describe(), answer)
		}
	}
	if section("Training gaps", len(rep.TrainingGaps)) {
		for _, g := range rep.TrainingGaps {
			fmt.Fprintf(w, "  %s: %s (%s) since %s, %d days (%s)\n", g.Person, g.Document, g.Path, g.Since, g.Days, strings.Join(g.Because, ", "))
		}
	}
	var told []appraise.Involvement
	for _, s := range rep.Stakeholders {
		if s.Involvement != "approve" {
			told = append(told, s)
		}
	}
	if section("Stakeholders to consult or inform", len(told)) {
		for _, s := range told {
			role := ""
			if s.Role != "" {
				role = " (" + s.Role + ")"
			}
			fmt.Fprintf(w, "  %s: %s%s, %s\n", s.Document, s.Who, role, s.Involvement)
		}
	}
	if d := rep.SinceBaseline; d != nil {
		fmt.Fprintf(w, "\nSince %s: %d added, %d removed, %d changed, %d unchanged\n", d.From, len(d.Added), len(d.Removed), len(d.Changed), d.Unchanged)
		for _, c := range d.Changed {
			fmt.Fprintf(w, "  changed %s (%s)\n", c.ID, c.Path)
		}
		for _, a := range d.Added {
			fmt.Fprintf(w, "  added   %s (%s)\n", a.ID, a.Path)
		}
		for _, a := range d.Removed {
			fmt.Fprintf(w, "  removed %s (%s)\n", a.ID, a.Path)
		}
	} else {
		fmt.Fprintln(w, "\nNo baseline yet: cut one with 'rmm baseline create NAME'.")
	}
}
