package baseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

func readDoc(t *testing.T, dir, path string) *doc.Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := doc.Parse(path, data)
	return d
}

func edit(t *testing.T, dir, path, from, to string) {
	t.Helper()
	p := filepath.Join(dir, path)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), from) {
		t.Fatalf("%s has no %q", path, from)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), from, to, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// approvedAt finds the approved version of the policy among the commits
// of HEAD's history, and returns the subject of its commit.
func approvedAt(t *testing.T, dir string, a doc.Approval) (string, *doc.Document, bool) {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := r.Head()
	h, err := repo.LoadHistory(r.GitDir, head, "")
	if err != nil {
		t.Fatal(err)
	}
	const p = "policies/access.md"
	v, ok, err := ApprovedVersion(r.NewFileReader(), p, h.Of(r.FullPath(p)), a)
	if err != nil {
		t.Fatal(err)
	}
	return v.Commit.Subject, v.Doc, ok
}

func TestApprovedVersion(t *testing.T) {
	const p = "policies/access.md"
	dir := approvedRepo(t) // commits "policy", "approval"
	first := readDoc(t, dir, p).Approvals[0]
	edit(t, dir, p, "granted by need.", "granted by need and reviewed yearly.")
	gitIn(t, dir, "olga@example.org", "commit", "-q", "-am", "yearly review")
	approveFile(t, dir, p, doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-12-01T09:00:00Z"})
	gitIn(t, dir, "dana@example.org", "commit", "-q", "-am", "second approval")
	edit(t, dir, p, "reviewed yearly", "reviewed every quarter")
	gitIn(t, dir, "olga@example.org", "commit", "-q", "-am", "quarterly review")

	d := readDoc(t, dir, p)
	last, ok := LastApproval(d)
	if !ok || last.Date != "2026-12-01T09:00:00Z" {
		t.Fatalf("LastApproval = %+v, %v; want the second approval", last, ok)
	}
	if a, _ := LastApprovalBy(d, "DANA@example.org"); a != last {
		t.Errorf("LastApprovalBy = %+v, want %+v", a, last)
	}
	if _, ok := LastApprovalBy(d, "olga@example.org"); ok {
		t.Errorf("olga never approved")
	}

	// Each approval's text is found at the commit that recorded it,
	// though the newer versions still hold the approval.
	for _, c := range []struct {
		a    doc.Approval
		want string
	}{{first, "approval"}, {last, "second approval"}} {
		subject, v, ok := approvedAt(t, dir, c.a)
		if !ok || subject != c.want || v.Fingerprint != c.a.Fingerprint {
			t.Errorf("approval of %s: found in %q (ok %v), want %q", c.a.Date, subject, ok, c.want)
		}
	}

	// Approved in the working tree, not committed: the text is the
	// newest commit's, which carries the fingerprint.
	approveFile(t, dir, p, doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-12-05T09:00:00Z"})
	third, _ := LastApproval(readDoc(t, dir, p))
	if subject, _, ok := approvedAt(t, dir, third); !ok || subject != "quarterly review" {
		t.Errorf("uncommitted approval: found in %q (ok %v), want the commit of the text", subject, ok)
	}

	// An edit approved, then edited again before the commit: the
	// approved text was never committed. The approval recorded with the
	// text it approved is still found.
	gitIn(t, dir, "dana@example.org", "commit", "-q", "-am", "third approval")
	edit(t, dir, p, "every quarter", "every week")
	approveFile(t, dir, p, doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-12-06T09:00:00Z"})
	fourth, _ := LastApproval(readDoc(t, dir, p))
	edit(t, dir, p, "every week", "every month")
	gitIn(t, dir, "dana@example.org", "commit", "-q", "-am", "approved and edited")
	if subject, _, ok := approvedAt(t, dir, fourth); ok {
		t.Errorf("approved text never committed: found in %q", subject)
	}
	if subject, _, ok := approvedAt(t, dir, third); !ok || subject != "third approval" {
		t.Errorf("third approval: found in %q (ok %v), want the commit that recorded it", subject, ok)
	}
	// The older approvals are still found.
	if subject, _, ok := approvedAt(t, dir, last); !ok || subject != "second approval" {
		t.Errorf("second approval: found in %q (ok %v)", subject, ok)
	}
}
