package tailor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// gitRepo is a real git repository in a temporary folder.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T, files map[string]string) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	g := &gitRepo{t: t, dir: t.TempDir()}
	g.git("init", "-q", "-b", "main")
	g.write(files)
	return g
}

func (g *gitRepo) write(files map[string]string) {
	g.t.Helper()
	for name, content := range files {
		p := filepath.Join(g.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			g.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			g.t.Fatal(err)
		}
	}
}

func (g *gitRepo) git(args ...string) string {
	g.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = g.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+g.dir,
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.org")
	out, err := cmd.CombinedOutput()
	if err != nil {
		g.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (g *gitRepo) commit(msg string) string {
	g.git("add", "-A")
	g.git("commit", "-q", "-m", msg)
	return g.git("rev-parse", "HEAD")
}

func (g *gitRepo) context() *check.Context {
	g.t.Helper()
	r, err := repo.Open(g.dir)
	if err != nil {
		g.t.Fatal(err)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		g.t.Fatal(err)
	}
	return check.NewContext(r, snap, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
}

const matrixStd = stdFront + `## Scope {#scope}

Any incident.

## Roles {#roles}

### Commander {#commander}

Leads.

## Triage {#triage}

Decide quickly.

## Contain {#contain .required}

Stop the harm.
`

func proc(id, unit, base, ops string) string {
	return "---\nid: " + id + "\nkind: process\ntitle: " + id + "\nowner: a@example.org\ntailors: STD\nunit: " + unit + "\nbase: " + base + "\n---\n" + ops
}

// TestMatrixSuspects: a change to a section makes exactly the processes
// that target it suspect (a change to a subsection counts for its parent),
// and moving base clears it.
func TestMatrixSuspects(t *testing.T) {
	g := newGitRepo(t, map[string]string{
		"rmm.yaml":               "organization: T\nunits: [ops, eng, sec]\n",
		"standards/std.md":       matrixStd,
		"standards/other.md":     "---\nid: OTHER\nkind: standard\ntitle: Other\nowner: a@example.org\n---\n\n## A {#a}\n\nA.\n",
		"processes/ops/p.md":     proc("OPS", "ops", "TODO", "## Triage {#triage .replace}\n\nRationale: NOC.\n\nNOC.\n"),
		"processes/eng/p.md":     proc("ENG", "eng", "TODO", "## Roles {#roles .extend}\n\nRationale: deputy.\n\nDeputy.\n\n## Extra {#extra .add after=scope}\n\nRationale: x.\n\nX.\n"),
		"processes/eng/other.md": "---\nid: OTHER-ENG\nkind: process\ntitle: O\nowner: a@example.org\ntailors: OTHER\nunit: eng\nbase: TODO\n---\n",
	})
	base := g.commit("library")
	g.write(map[string]string{
		"processes/ops/p.md":     proc("OPS", "ops", base, "## Triage {#triage .replace}\n\nRationale: NOC.\n\nNOC.\n"),
		"processes/eng/p.md":     proc("ENG", "eng", base, "## Roles {#roles .extend}\n\nRationale: deputy.\n\nDeputy.\n\n## Extra {#extra .add after=scope}\n\nRationale: x.\n\nX.\n"),
		"processes/eng/other.md": "---\nid: OTHER-ENG\nkind: process\ntitle: O\nowner: a@example.org\ntailors: OTHER\nunit: eng\nbase: " + base + "\n---\n",
	})
	g.commit("bases")

	states := func() string {
		cells, err := Matrix(g.context())
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cells {
			s := c.Standard + "/" + c.Unit + "=" + string(c.State)
			if len(c.Suspect) > 0 {
				s += "(" + strings.Join(c.Suspect, ",") + ")"
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	if got, want := states(), "OTHER/ops=not tailored OTHER/eng=current OTHER/sec=not tailored STD/ops=current STD/eng=current STD/sec=not tailored"; got != want {
		t.Fatalf("before any change:\n got %s\nwant %s", got, want)
	}

	// A subsection of roles changes: ENG targets roles, OPS does not.
	g.write(map[string]string{"standards/std.md": strings.Replace(matrixStd, "Leads.", "Leads and decides.", 1)})
	g.commit("commander decides")
	if got, want := states(), "OTHER/ops=not tailored OTHER/eng=current OTHER/sec=not tailored STD/ops=current STD/eng=suspect(roles) STD/sec=not tailored"; got != want {
		t.Fatalf("after changing roles:\n got %s\nwant %s", got, want)
	}
	ds := check.Run(g.context(), Rules())
	if len(ds) != 1 || ds[0].Path != "processes/eng/p.md" || ds[0].Line != 10 || ds[0].Rule != "suspect" || ds[0].Severity != doc.Warning {
		t.Fatalf("diagnostics: %v", ds)
	}

	// The section an .add follows changes: ENG again, at the add's line.
	g.write(map[string]string{"standards/std.md": strings.Replace(strings.Replace(matrixStd, "Leads.", "Leads and decides.", 1), "Any incident.", "Any incident or event.", 1)})
	ds = check.Run(g.context(), Rules())
	var lines []string
	for _, d := range ds {
		lines = append(lines, d.String())
	}
	if len(ds) != 2 || ds[1].Line != 16 || !strings.Contains(ds[1].Message, `"scope"`) {
		t.Fatalf("diagnostics:\n%s", strings.Join(lines, "\n"))
	}
	g.git("checkout", "-q", "standards/std.md")

	// Moving base clears it.
	head := g.git("rev-parse", "HEAD")
	g.write(map[string]string{"processes/eng/p.md": proc("ENG", "eng", head, "## Roles {#roles .extend}\n\nRationale: deputy.\n\nDeputy.\n\n## Extra {#extra .add after=scope}\n\nRationale: x.\n\nX.\n")})
	if got, want := states(), "OTHER/ops=not tailored OTHER/eng=current OTHER/sec=not tailored STD/ops=current STD/eng=current STD/sec=not tailored"; got != want {
		t.Fatalf("after moving base:\n got %s\nwant %s", got, want)
	}

	// A required section nobody targets changes: every process of STD is
	// suspect; OTHER's is not.
	g.write(map[string]string{"standards/std.md": strings.Replace(strings.Replace(matrixStd, "Leads.", "Leads and decides.", 1), "Stop the harm.", "Stop all harm.", 1)})
	if got, want := states(), "OTHER/ops=not tailored OTHER/eng=current OTHER/sec=not tailored STD/ops=suspect(contain) STD/eng=suspect(contain) STD/sec=not tailored"; got != want {
		t.Fatalf("after changing a required section:\n got %s\nwant %s", got, want)
	}
	// Formatting alone (trailing spaces, CRLF) is no change.
	g.write(map[string]string{"standards/std.md": strings.ReplaceAll(strings.Replace(matrixStd, "Leads.", "Leads and decides.", 1), "\n", "  \r\n")})
	if got, want := states(), "OTHER/ops=not tailored OTHER/eng=current OTHER/sec=not tailored STD/ops=current STD/eng=current STD/sec=not tailored"; got != want {
		t.Fatalf("after reformatting:\n got %s\nwant %s", got, want)
	}
}
