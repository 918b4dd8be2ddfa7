package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/rules"
)

func init() { register(newBaselineCmd) }

func newBaselineCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Create, list, show, compare and verify formal baselines (git tags baseline/NAME)",
		Long: `A baseline is an annotated git tag baseline/NAME on a commit whose message
holds a manifest: the commit, and for each controlled document its id, path,
git blob, fingerprint and approvers, and a root hash over the sorted
"id fingerprint" lines. Baselines never move.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newBaselineCreateCmd(e), newBaselineListCmd(e), newBaselineShowCmd(e),
		newBaselineDiffCmd(e), newBaselineVerifyCmd(e))
	return cmd
}

// printJSON prints v indented, without escaping <, > and & (the output is
// read by scripts and people, not embedded in HTML).
func printJSON(e *env, v any) {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

type baselineCreateOptions struct {
	Name    string
	Message string
	Tagger  string
	JSON    bool
}

func newBaselineCreateCmd(e *env) *cobra.Command {
	opts := &baselineCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create NAME [-m MSG] [--tagger \"Name <email>\"]",
		Short: "Cut the baseline NAME on HEAD",
		Long: `Create the annotated tag baseline/NAME on HEAD with the manifest of every
controlled document, naming the latest baseline behind HEAD as its previous.
Refused (exit 1, every reason listed) unless the working
tree has no uncommitted change to a document or rmm.yaml, 'rmm check' finds no
error, every controlled document that is not retired is approved with current
approvals of its required roles, and no baseline NAME exists. A detached HEAD
is accepted: the baseline names the commit. Every blob of HEAD's documents
is read from git's object store: a missing one is a refusal too. The tagger
(--tagger, else git's user.name and user.email) and the summary are checked
as git fsck checks a tag. Approvals committed by someone other than the
approver are reported as warnings.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return baselineCreateRun(e, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Message, "message", "m", "", "the baseline's summary (default: \"Baseline NAME: N controlled documents\")")
	cmd.Flags().StringVar(&opts.Tagger, "tagger", "", "who cuts the baseline, \"Name <email>\" (default: git's user)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the manifest as JSON")
	return cmd
}

func baselineCreateRun(e *env, opts *baselineCreateOptions) error {
	if err := baseline.CheckName(opts.Name); err != nil {
		return usagef("%v", err)
	}
	if err := baseline.CheckSummary(opts.Message); err != nil {
		return usagef("--message: %v", err)
	}
	var tagger repo.Signature
	if opts.Tagger != "" {
		// git fsck's rules: a tag it refuses could not be pushed to a
		// remote that runs it.
		name, email, err := doc.ParseIdent(opts.Tagger)
		if err != nil {
			return &exitError{code: exitUsage, msg: fmt.Sprintf("--tagger: %v", err),
				hint: "--tagger takes \"Name <email>\", e.g. --tagger \"Dana Ortiz <dana@example.org>\""}
		}
		tagger = repo.Signature{Name: name, Email: email}
	}
	r, snap, err := e.load("")
	if err != nil {
		return err
	}
	if opts.Tagger == "" {
		var ok bool
		tagger, ok = r.Identity()
		if !ok {
			return failf("set it with 'git config user.email you@example.org', or pass --tagger \"Name <email>\"", "who cuts the baseline? git has no user.email")
		}
		if err := tagger.Check(); err != nil {
			return failf("fix it with 'git config user.name \"Your Name\"' and 'git config user.email you@example.org', or pass --tagger \"Name <email>\"",
				"git's identity %q cannot sign a baseline: %v", tagger.String(), err)
		}
	}
	tagger.When = e.now()
	if err := tagger.Check(); err != nil {
		return usagef("%v", err) // the clock: RMM_NOW before 1970
	}
	ctx := check.NewContext(r, snap, e.now())
	m, err := baseline.Create(r, ctx, rules.All(), opts.Name, opts.Message, tagger)
	var refused *baseline.RefusedError
	if errors.As(err, &refused) {
		if _, terr := r.ReadTag(baseline.TagPrefix + opts.Name); terr == nil {
			// Running it again can never succeed: baselines never move.
			return failf("choose another name ('rmm baseline list' shows the names taken)", "%v", err)
		}
		return failf("fix these, commit, and run 'rmm baseline create "+opts.Name+"' again", "%v", err)
	}
	if err != nil {
		// Create has refused everything a user's input or repository can
		// cause (and the name, summary and tagger were checked above):
		// what is left is writing the tag failing (disk, permissions) or
		// a bug.
		return internalf("%v", err)
	}
	if _, branch, err := r.Head(); err == nil && branch == "" {
		fmt.Fprintf(e.stderr, "rmm: note: HEAD is detached; %s names commit %s\n", m.Tag, m.Commit)
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(e.stderr, "rmm: warning: %s\n", w)
	}
	if opts.JSON {
		printJSON(e, m)
		return nil
	}
	fmt.Fprintf(e.stdout, "created %s on %s: %d controlled documents, root %s\n", m.Tag, m.Commit[:12], len(m.Documents), m.Root[:12])
	return nil
}

type baselineListOptions struct{ JSON bool }

func newBaselineListCmd(e *env) *cobra.Command {
	opts := &baselineListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List baselines, oldest first",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return baselineListRun(e, opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON array of {name, tag, commit, date, tagger, summary, documents, error}")
	return cmd
}

func baselineListRun(e *env, opts *baselineListOptions) error {
	r, err := e.openRepo()
	if err != nil {
		return err
	}
	list, err := baseline.List(r)
	if err != nil {
		// List reports every tag it cannot read in the list itself; it
		// fails only when the ref folder or packed-refs cannot be read
		// from disk at all.
		return internalf("%v", err)
	}
	if opts.JSON {
		if list == nil {
			list = []baseline.Summary{}
		}
		printJSON(e, list)
		return nil
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, "no baselines yet (create one with 'rmm baseline create NAME')")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDATE\tCOMMIT\tDOCUMENTS\tSUMMARY")
	for _, s := range list {
		if s.Error != "" {
			fmt.Fprintf(tw, "%s\t-\t%s\t-\tunreadable: %s\n", s.Name, shortHash(s.Commit), s.Error)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Name, s.Date, shortHash(s.Commit), s.Documents, s.Summary)
	}
	return tw.Flush()
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

type baselineShowOptions struct {
	Name string
	JSON bool
}

func newBaselineShowCmd(e *env) *cobra.Command {
	opts := &baselineShowOptions{}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a baseline's manifest",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return baselineShowRun(e, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the manifest as JSON")
	return cmd
}

// readBaseline reads baseline NAME, or fails with a hint naming the ones
// that exist.
func readBaseline(e *env, r *repo.Repo, name string) (*baseline.Manifest, error) {
	m, err := baseline.Show(r, name)
	if errors.Is(err, repo.ErrNoTag) {
		return nil, failf(baselineNames(r), "no baseline %s", strings.TrimPrefix(name, baseline.TagPrefix))
	}
	if err != nil {
		return nil, damagedBaseline(name, err)
	}
	return m, nil
}

// damagedBaseline refuses a baseline/NAME tag that holds no manifest rmm
// can read: a lightweight or hand-made tag, an edited message, a tag whose
// object is missing.
func damagedBaseline(name string, err error) error {
	return failf("run 'rmm baseline verify "+strings.TrimPrefix(name, baseline.TagPrefix)+"'", "%v", err)
}

func baselineNames(r *repo.Repo) string {
	list, _ := baseline.List(r)
	if len(list) == 0 {
		return "there are no baselines yet"
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Name)
	}
	return "baselines: " + strings.Join(names, ", ")
}

func baselineShowRun(e *env, opts *baselineShowOptions) error {
	r, err := e.openRepo()
	if err != nil {
		return err
	}
	m, err := readBaseline(e, r, opts.Name)
	if err != nil {
		return err
	}
	if opts.JSON {
		printJSON(e, m)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s\n%s\ncommit: %s\n", m.Tag, m.Summary, m.Commit)
	if m.Previous != "" {
		fmt.Fprintf(e.stdout, "previous: %s\n", m.Previous)
	}
	fmt.Fprintf(e.stdout, "tagger: %s <%s>\ndate:   %s\nroot:   %s\n\n", m.Tagger.Name, m.Tagger.Email, m.Date, m.Root)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPATH\tBLOB\tFINGERPRINT\tAPPROVERS")
	for _, d := range m.Documents {
		var as []string
		for _, a := range d.Approvers {
			as = append(as, a.By+" ("+a.Role+")")
		}
		approvers := "-"
		if len(as) > 0 {
			approvers = strings.Join(as, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Path, shortHash(d.Blob), shortHash(d.Fingerprint), approvers)
	}
	return tw.Flush()
}

type baselineDiffOptions struct {
	From, To string
	JSON     bool
}

func newBaselineDiffCmd(e *env) *cobra.Command {
	opts := &baselineDiffOptions{}
	cmd := &cobra.Command{
		Use:   "diff A [B]",
		Short: "Compare baseline A with baseline B (default: the working tree)",
		Long: `Compare the controlled documents of baseline A with those of baseline B, or
of the working tree. Documents are matched by id, so a moved file is a change
of path. A and B may also be any git revision. Lists added, removed and changed
documents (with the front matter keys and section ids that changed), documents
that left baseline control (still there, but their kind or control changed),
and counts the unchanged ones.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.From = args[0]
			if len(args) > 1 {
				opts.To = args[1]
			}
			return baselineDiffRun(e, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print {from, to, added, removed, changed, unchanged} as JSON")
	return cmd
}

// loadSide reads a baseline (NAME or baseline/NAME) or, failing that, any
// revision; "" is the working tree.
func loadSide(e *env, r *repo.Repo, name string) (string, *doc.Library, error) {
	label, snap, err := loadSnapshot(e, r, name)
	if err != nil {
		return "", nil, err
	}
	return label, snap.Lib, nil
}

// loadSnapshot is loadSide with the snapshot (its commit, "" for the
// working tree).
func loadSnapshot(e *env, r *repo.Repo, name string) (string, *repo.Snapshot, error) {
	if name == "" {
		snap, err := r.Load("", doc.LoadOptions{})
		if err != nil {
			return "", nil, failf("", "%v", err)
		}
		return "working tree", snap, nil
	}
	label, rev := name, name
	bname := strings.TrimPrefix(name, baseline.TagPrefix)
	m, err := baseline.Show(r, bname)
	switch {
	case baseline.CheckName(bname) != nil || errors.Is(err, repo.ErrNoTag):
		// Not a baseline: any revision.
		if _, err := r.Resolve(name); err != nil {
			return "", nil, failf(baselineNames(r), "no baseline or revision %s", name)
		}
	case err != nil:
		return "", nil, damagedBaseline(name, err)
	default:
		label, rev = m.Tag, m.Target
	}
	snap, err := r.Load(rev, doc.LoadOptions{})
	if err != nil {
		return "", nil, failf("", "%s: %v", name, err)
	}
	return label, snap, nil
}

func baselineDiffRun(e *env, opts *baselineDiffOptions) error {
	r, err := e.openRepo()
	if err != nil {
		return err
	}
	fromLabel, from, err := loadSide(e, r, opts.From)
	if err != nil {
		return err
	}
	toLabel, to, err := loadSide(e, r, opts.To)
	if err != nil {
		return err
	}
	d := baseline.Compare(from, to)
	d.From, d.To = fromLabel, toLabel
	if opts.JSON {
		printJSON(e, d)
		return nil
	}
	left := ""
	if len(d.LeftControl) > 0 {
		left = fmt.Sprintf(", %d left control", len(d.LeftControl))
	}
	fmt.Fprintf(e.stdout, "%s -> %s: %d added, %d removed%s, %d changed, %d unchanged\n", d.From, d.To, len(d.Added), len(d.Removed), left, len(d.Changed), d.Unchanged)
	for _, a := range d.Added {
		fmt.Fprintf(e.stdout, "added    %s %s\n", a.ID, a.Path)
	}
	for _, a := range d.Removed {
		fmt.Fprintf(e.stdout, "removed  %s %s\n", a.ID, a.Path)
	}
	for _, a := range d.LeftControl {
		how := ""
		if len(a.Changes) > 0 {
			how = ": " + strings.Join(a.Changes, ", ")
		}
		fmt.Fprintf(e.stdout, "left control %s %s%s (no longer under baseline control)\n", a.ID, a.Path, how)
	}
	for _, c := range d.Changed {
		var parts []string
		if c.OldPath != "" {
			parts = append(parts, "moved from "+c.OldPath)
		}
		if len(c.Keys) > 0 {
			parts = append(parts, "keys: "+strings.Join(c.Keys, ", "))
		}
		if len(c.Sections) > 0 {
			var ss []string
			for _, s := range c.Sections {
				ss = append(ss, s.ID+" ("+s.Change+")")
			}
			parts = append(parts, "sections: "+strings.Join(ss, ", "))
		}
		if !c.Fingerprint {
			parts = append(parts, "fingerprint unchanged")
		}
		fmt.Fprintf(e.stdout, "changed  %s %s: %s\n", c.ID, c.Path, strings.Join(parts, "; "))
	}
	return nil
}

type baselineVerifyOptions struct {
	Name string
	JSON bool
}

func newBaselineVerifyCmd(e *env) *cobra.Command {
	opts := &baselineVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [NAME]",
		Short: "Recompute baselines' manifests from git and report tampering",
		Long: `Recompute the manifest of baseline NAME (default: every baseline) from the
tagged commit. Exit 1 when a tag points at another commit than its manifest
names, the manifest was edited (root hash, or entries that do not match the
commit's blobs and fingerprints), an object is missing, or the baselines are
out of order: a manifest's previous baseline is missing, newer than it, or not
behind its commit, or a baseline was deleted and cut again after one that
names it as previous. Approvals committed by someone other than the approver
are reported as warnings.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			return baselineVerifyRun(e, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON array of {name, tag, ok, commit, target, documents, problems, warnings}")
	return cmd
}

func baselineVerifyRun(e *env, opts *baselineVerifyOptions) error {
	r, err := e.openRepo()
	if err != nil {
		return err
	}
	var names []string
	if opts.Name != "" {
		names = []string{strings.TrimPrefix(opts.Name, baseline.TagPrefix)}
	} else {
		list, err := baseline.List(r)
		if err != nil {
			// As in list: only a ref store that cannot be read from disk.
			return internalf("%v", err)
		}
		for _, s := range list {
			names = append(names, s.Name)
		}
	}
	reports := []*baseline.Report{}
	failed := 0
	for _, n := range names {
		rep, err := baseline.Verify(r, n)
		if errors.Is(err, repo.ErrNoTag) {
			return failf(baselineNames(r), "no baseline %s", n)
		}
		if err != nil {
			// Verify reports everything a tag or repository can do wrong as
			// a problem of its report; only ErrNoTag comes back as an error.
			return internalf("%v", err)
		}
		if !rep.OK {
			failed++
		}
		reports = append(reports, rep)
	}
	if opts.JSON {
		printJSON(e, reports)
	} else {
		if len(reports) == 0 {
			fmt.Fprintln(e.stderr, "no baselines to verify")
		}
		for _, rep := range reports {
			if rep.OK {
				fmt.Fprintf(e.stdout, "%s: ok (%d documents, commit %s)\n", rep.Tag, rep.Documents, shortHash(rep.Commit))
			} else {
				fmt.Fprintf(e.stdout, "%s: FAILED\n", rep.Tag)
			}
			for _, p := range rep.Problems {
				fmt.Fprintf(e.stdout, "  %s\n", p)
			}
			for _, w := range rep.Warnings {
				fmt.Fprintf(e.stdout, "  warning: %s\n", w)
			}
		}
	}
	if failed > 0 {
		if opts.JSON {
			return errSilentFail
		}
		return failf("", "%d of %d baselines failed verification", failed, len(reports))
	}
	return nil
}
