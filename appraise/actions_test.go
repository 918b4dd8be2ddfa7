package appraise

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

func git(t *testing.T, dir, email string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=" + email, "-c", "user.email=" + email, "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_DATE=2026-10-01T12:00:00Z", "GIT_COMMITTER_DATE=2026-10-01T12:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func commit(t *testing.T, dir, email, file, text string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, email, "add", "-A")
	git(t, dir, email, "commit", "-q", "-m", "change "+file)
	return git(t, dir, email, "rev-parse", "HEAD")
}

// A closed action carries the commit that closed it: the first of the
// commits that show it closed, found by comparing the document's versions
// at the commits that changed it; one closed in the working tree only has
// none yet; one reopened and closed again, the later closing.
func TestActionsClosedIn(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "a@example.org", "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "rmm.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	review := func(a, b, c string) string {
		return "---\nid: MR-1\nkind: review\ntitle: R\nowner: dana@example.org\n---\n\n## Actions\n\n" +
			"- [" + a + "] Buy pagers (@alice@example.org, due 2026-10-31)\n" +
			"- [" + b + "] Train the rota (@bob@example.org, due 2026-11-15)\n" +
			"- [" + c + "] Write the runbook (@carol@example.org, due 2026-12-31)\n"
	}
	commit(t, dir, "dana@example.org", "r.md", review(" ", " ", " "))
	closedA := commit(t, dir, "alice@example.org", "r.md", review("x", " ", " "))
	commit(t, dir, "bob@example.org", "r.md", review("x", "x", " "))
	commit(t, dir, "dana@example.org", "other.md", "# Other\n\nText.\n")
	commit(t, dir, "bob@example.org", "r.md", review("x", " ", " "))
	closedB := commit(t, dir, "erin@example.org", "r.md", review("x", "x", " "))
	// Carol closes hers in the working tree, not committed yet.
	if err := os.WriteFile(filepath.Join(dir, "r.md"), []byte(review("x", "x", "x")), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acts, err := Actions(check.NewContext(r, snap, now))
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 3 {
		t.Fatalf("actions %+v", acts)
	}
	for i, want := range []struct{ in, by string }{{closedA, "alice@example.org"}, {closedB, "erin@example.org"}, {"", ""}} {
		a := acts[i]
		if !a.Done || a.ClosedIn != want.in || a.ClosedBy != want.by || (want.in != "" && a.ClosedOn != "2026-10-01") {
			t.Errorf("action %d (%s): closed in %q by %q on %q, want %q by %q", i, a.Text, a.ClosedIn, a.ClosedBy, a.ClosedOn, want.in, want.by)
		}
		if a.Document != "MR-1" || a.Path != "r.md" || a.Line != 10+i {
			t.Errorf("action %d source %s %s:%d", i, a.Document, a.Path, a.Line)
		}
	}
	// Asked again (rmm serve asks on every rebuild), the old versions
	// already read are not read again, and the answer is the same.
	again, err := Actions(check.NewContext(r, snap, now))
	if err != nil || !reflect.DeepEqual(again, acts) {
		t.Errorf("asked again: %+v, %v; want %+v", again, err, acts)
	}
	// At HEAD, Carol's action is open and overdue is judged by the clock.
	at, _ := r.Load("HEAD", doc.LoadOptions{})
	acts, _ = Actions(check.NewContext(r, at, now))
	if acts[2].Done || acts[2].Overdue || !acts[0].Done || acts[0].ClosedIn != closedA {
		t.Errorf("at HEAD: %+v", acts)
	}
	late := check.NewContext(r, at, now.AddDate(0, 2, 0))
	acts, _ = Actions(late)
	if !acts[2].Overdue {
		t.Errorf("in January, Carol's action is not overdue: %+v", acts[2])
	}
}
