package baseline

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

func openLib(t *testing.T, dir string) (*repo.Repo, *repo.Snapshot) {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r, snap
}

// ApproveDocs is rmm approve's whole policy: who approves, as which role,
// all or none, and what changed since the approver's last approval.
func TestApproveDocs(t *testing.T) {
	dir := gitRepo(t)
	pol := filepath.Join(dir, "policies", "access.md")
	before, _ := os.ReadFile(pol)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

	// Refusals change no file: a person without the role, an email that
	// is not one, a document that does not exist (all or none).
	for _, req := range []ApproveRequest{
		{IDs: []string{"AM-POL"}, By: "olga@example.org", Role: "manager"},
		{IDs: []string{"AM-POL"}, By: "dana@example.org, olga@example.org"},
		{IDs: []string{"AM-POL", "AM-NOPE"}, By: "dana@example.org"},
	} {
		r, snap := openLib(t, dir)
		req.Now = now
		_, err := ApproveDocs(r, snap, req)
		var rf *Refusal
		if !errors.As(err, &rf) || rf.Hint == "" {
			t.Errorf("%+v: want a refusal with a hint, got %v", req, err)
		}
		if after, _ := os.ReadFile(pol); !bytes.Equal(before, after) {
			t.Fatalf("%+v: a refused approval changed the file", req)
		}
	}

	r, snap := openLib(t, dir)
	done, err := ApproveDocs(r, snap, ApproveRequest{IDs: []string{"AM-POL"}, By: "dana@example.org", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || !done[0].Written || done[0].Approval.Role != "manager" || len(done[0].Left) != 0 {
		t.Fatalf("approval: %+v", done)
	}
	if done[0].Since != "first approval by dana@example.org" {
		t.Errorf("summary %q", done[0].Since)
	}
	d := readDoc(t, dir, "policies/access.md")
	if d.Status != "approved" || len(d.Approvals) != 1 {
		t.Errorf("after approval: status %s, %d approvals", d.Status, len(d.Approvals))
	}

	// Committed, edited and approved again: the summary names the change.
	gitIn(t, dir, "olga@example.org", "commit", "-q", "-am", "approved")
	edit(t, dir, "policies/access.md", "granted by need", "granted by need and reviewed yearly")
	gitIn(t, dir, "olga@example.org", "commit", "-q", "-am", "yearly")
	r, snap = openLib(t, dir)
	done, err = ApproveDocs(r, snap, ApproveRequest{IDs: []string{"AM-POL"}, By: "dana@example.org", Now: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if s := done[0].Since; !strings.HasPrefix(s, "changed since dana@example.org's approval as manager of 2026-11-26 (") || !strings.Contains(s, "rmm diff AM-POL") {
		t.Errorf("summary of a second approval: %q", s)
	}
}
