// Package example writes the sample organization of `rmm init --example`.
// It replays templates/example/steps.yaml: each step copies an overlay
// folder into the working tree, records approvals with rmm's own approve
// logic (baseline.Approve), commits as the step's author on the step's
// date, and may cut a baseline with baseline.Create, so the example's
// history, approvals and baselines are made exactly as a user's would be.
//
// In overlay files, the text "@STEP" (a step's folder name, e.g.
// "@01-foundation") is replaced by that step's commit hash: defined
// processes use it for `base`.
package example

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/rmm-pal/rmm/baseline"
	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/rules"
	"github.com/rmm-pal/rmm/templates"
)

// Step is one entry of steps.yaml.
type Step struct {
	Dir     string   `yaml:"dir"`
	Author  string   `yaml:"author"`
	Date    string   `yaml:"date"`
	Message string   `yaml:"message"`
	Remove  []string `yaml:"remove"`
	Approve []struct {
		ID      string `yaml:"id"`
		By      string `yaml:"by"`
		Role    string `yaml:"role"`
		Meaning string `yaml:"meaning"`
	} `yaml:"approve"`
	Baseline *struct {
		Name    string `yaml:"name"`
		Message string `yaml:"message"`
		Tagger  string `yaml:"tagger"`
	} `yaml:"baseline"`
}

// Result counts what Write made.
type Result struct{ Documents, Commits, Baselines int }

// Steps reads steps.yaml.
func Steps() ([]Step, error) {
	data, err := fs.ReadFile(templates.Example, "steps.yaml")
	if err != nil {
		return nil, err
	}
	var f struct {
		Steps []Step `yaml:"steps"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("steps.yaml: %w", err)
	}
	return f.Steps, nil
}

// Write fills r's working tree with the example and commits it, step by
// step, cutting its baselines through baseline.Create with every rule
// (rules.All), as `rmm baseline create` does.
func Write(r *repo.Repo) (Result, error) {
	var res Result
	steps, err := Steps()
	if err != nil {
		return res, err
	}
	commits := map[string]string{}
	names := map[string]string{} // email -> name, from authors and taggers
	for _, st := range steps {
		for _, who := range []string{st.Author, tagger(st)} {
			if sig, err := repo.ParseSignature(who); err == nil {
				names[sig.Email] = sig.Name
			}
		}
	}
	for _, st := range steps {
		when, err := time.Parse(time.RFC3339, st.Date)
		if err != nil {
			return res, fmt.Errorf("step %s: date: %w", st.Dir, err)
		}
		author, err := repo.ParseSignature(st.Author)
		if err != nil {
			return res, fmt.Errorf("step %s: %w", st.Dir, err)
		}
		author.When = when
		if err := copyOverlay(r.Root, st.Dir, commits); err != nil {
			return res, fmt.Errorf("step %s: %w", st.Dir, err)
		}
		for _, p := range st.Remove {
			if err := os.Remove(filepath.Join(r.Root, filepath.FromSlash(p))); err != nil {
				return res, fmt.Errorf("step %s: %w", st.Dir, err)
			}
		}
		if err := awaitApproval(r, st); err != nil {
			return res, fmt.Errorf("step %s: %w", st.Dir, err)
		}
		h, err := r.CommitAll(st.Message, author, author)
		if err != nil {
			return res, fmt.Errorf("step %s: %w", st.Dir, err)
		}
		res.Commits++
		// Each approver records their own approvals in a commit of their
		// own, so that git's record of who wrote an approval matches who
		// the file says approved (what baseline verify checks).
		for i, g := range groupApprovals(st) {
			signer := repo.Signature{Name: names[g.by], Email: g.by, When: when.Add(time.Duration(i+1) * 10 * time.Minute)}
			if signer.Name == "" {
				signer.Name = g.by
			}
			if err := approve(r, g.items, signer.When); err != nil {
				return res, fmt.Errorf("step %s: %w", st.Dir, err)
			}
			if h, err = r.CommitAll(g.message(signer.Name), signer, signer); err != nil {
				return res, fmt.Errorf("step %s: %w", st.Dir, err)
			}
			res.Commits++
		}
		commits[st.Dir] = h
		if b := st.Baseline; b != nil {
			tagger, err := repo.ParseSignature(b.Tagger)
			if err != nil {
				return res, fmt.Errorf("step %s: baseline tagger: %w", st.Dir, err)
			}
			tagger.When = when.Add(time.Hour)
			snap, err := r.Load("", doc.LoadOptions{})
			if err != nil {
				return res, err
			}
			ctx := check.NewContext(r, snap, when)
			if _, err := baseline.Create(r, ctx, rules.All(), b.Name, b.Message, tagger); err != nil {
				return res, fmt.Errorf("step %s: baseline %s: %w", st.Dir, b.Name, err)
			}
			res.Baselines++
		}
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		return res, err
	}
	res.Documents = len(snap.Lib.Docs)
	return res, nil
}

// copyOverlay copies templates/example/DIR into root, replacing "@STEP"
// placeholders with the commits made so far.
func copyOverlay(root, dir string, commits map[string]string) error {
	sub, err := fs.Sub(templates.Example, dir)
	if err != nil {
		return err
	}
	// Longest names first, so that "@01-a" never eats into "@01-ab".
	names := make([]string, 0, len(commits))
	for k := range commits {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return fs.WalkDir(sub, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		s := string(data)
		for _, n := range names {
			s = strings.ReplaceAll(s, "@"+n, commits[n])
		}
		dst := filepath.Join(root, filepath.FromSlash(p))
		if old, err := os.ReadFile(dst); err == nil && strings.HasSuffix(p, ".md") {
			s = keepApprovals(p, old, s)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, []byte(s), 0o644)
	})
}

// approve records approvals with baseline.Approve.
func approve(r *repo.Repo, items []approval, when time.Time) error {
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		return err
	}
	cfg := snap.Lib.Config
	tpl := check.NewTemplates(snap.FS)
	for _, a := range items {
		d := snap.Lib.ByID[a.ID]
		if d == nil {
			return fmt.Errorf("approve %s: no such document", a.ID)
		}
		// As rmm approve does: a placeholder is no content to approve.
		if ps := tpl.Placeholders(d); len(ps) > 0 {
			return fmt.Errorf("approve %s: section %q %s", a.ID, ps[0].Section, ps[0].Describe())
		}
		data, err := baseline.Approve(d, cfg, doc.Approval{
			By: a.By, Role: a.Role, Date: when.UTC().Format(time.RFC3339), Meaning: a.Meaning, Fingerprint: d.Fingerprint,
		})
		if err != nil {
			return fmt.Errorf("approve %s by %s as %s: %w", a.ID, a.By, a.Role, err)
		}
		if err := os.WriteFile(filepath.Join(r.Root, filepath.FromSlash(d.Path)), data, 0o644); err != nil {
			return err
		}
		nd, diags := doc.Parse(d.Path, data)
		if nd == nil {
			return fmt.Errorf("approve %s: %v", a.ID, diags)
		}
		snap.Lib.ByID[a.ID] = nd
	}
	return nil
}

type approval struct{ ID, By, Role, Meaning string }

type approvalGroup struct {
	by    string
	items []approval
}

func (g approvalGroup) message(name string) string {
	ids := make([]string, len(g.items))
	var body strings.Builder
	for i, a := range g.items {
		ids[i] = a.ID
		fmt.Fprintf(&body, "- %s as %s", a.ID, a.Role)
		if a.Meaning != "" {
			fmt.Fprintf(&body, ": %s", a.Meaning)
		}
		body.WriteByte('\n')
	}
	subject := "Approve " + strings.Join(ids, ", ")
	if len(ids) > 3 {
		subject = fmt.Sprintf("Approve %s and %d more", strings.Join(ids[:3], ", "), len(ids)-3)
	}
	return fmt.Sprintf("%s\n\nApprovals recorded by %s with rmm approve:\n\n%s", subject, name, body.String())
}

// groupApprovals splits a step's approvals by approver, in order of first
// appearance.
func groupApprovals(st Step) []approvalGroup {
	var out []approvalGroup
	at := map[string]int{}
	for _, a := range st.Approve {
		i, ok := at[a.By]
		if !ok {
			i = len(out)
			at[a.By] = i
			out = append(out, approvalGroup{by: a.By})
		}
		out[i].items = append(out[i].items, approval{a.ID, a.By, a.Role, a.Meaning})
	}
	return out
}

// awaitApproval sets documents that the step approves to `status: review`
// in the content commit: they become approved only when their approvals
// are recorded, so no commit of the example claims an approval it lacks.
func awaitApproval(r *repo.Repo, st Step) error {
	if len(st.Approve) == 0 {
		return nil
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		return err
	}
	for _, a := range st.Approve {
		d := snap.Lib.ByID[a.ID]
		if d == nil || d.Status != "approved" {
			continue
		}
		lines := strings.SplitAfter(string(d.Raw), "\n")
		l := d.Lines["status"] - 1
		lines[l] = strings.Replace(lines[l], "approved", "review", 1)
		if err := os.WriteFile(filepath.Join(r.Root, filepath.FromSlash(d.Path)), []byte(strings.Join(lines, "")), 0o644); err != nil {
			return err
		}
		d.Status = "review"
	}
	return nil
}

func tagger(st Step) string {
	if st.Baseline != nil {
		return st.Baseline.Tagger
	}
	return ""
}

// keepApprovals carries the approvals of the file an overlay replaces into
// the new text, as an author editing the file would leave them: they now
// carry an old fingerprint, so the site shows them as stale beside the
// fresh ones the step records.
func keepApprovals(p string, old []byte, text string) string {
	od, _ := doc.Parse(p, old)
	nd, _ := doc.Parse(p, []byte(text))
	if od == nil || nd == nil || len(od.Approvals) == 0 || !nd.HasFrontMatter {
		return text
	}
	if _, ok := nd.Lines["approvals"]; ok {
		return text
	}
	oldLines := strings.SplitAfter(string(old), "\n")
	start := od.Lines["approvals"] - 1
	end := od.FrontEnd - 1
	for k, l := range od.Lines {
		if k != "approvals" && l-1 > start && l-1 < end {
			end = l - 1
		}
	}
	block := strings.Join(oldLines[start:end], "")
	newLines := strings.SplitAfter(text, "\n")
	close := nd.FrontEnd - 1
	return strings.Join(newLines[:close], "") + block + strings.Join(newLines[close:], "")
}
