package baseline

import (
	"testing"

	"github.com/rmm-pal/rmm/doc"
)

// EffectiveStatus never says approved when the approval does not hold,
// whatever kind the document is and whatever rmm.yaml lists.
func TestEffectiveStatus(t *testing.T) {
	cfg, _ := doc.ParseConfig([]byte("organization: X\nroles:\n  manager: [dana@example.org]\napprovals:\n  policy: [manager]\n"))
	mk := func(kind, status string, approvals ...doc.Approval) *doc.Document {
		src := "---\nid: X-1\nkind: " + kind + "\ntitle: T\nowner: olga@example.org\n"
		if status != "" {
			src += "status: " + status + "\n"
		}
		src += "---\n\nBody.\n"
		d, diags := doc.Parse("x.md", []byte(src))
		if d == nil {
			t.Fatal(diags)
		}
		for _, a := range approvals {
			if a.Fingerprint == "" {
				a.Fingerprint = d.Fingerprint
			}
			d.Approvals = append(d.Approvals, a)
		}
		return d
	}
	owner := doc.Approval{By: "olga@example.org", Role: "owner", Date: "2026-01-01T00:00:00Z"}
	staleOwner := owner
	staleOwner.Fingerprint = "0000"
	manager := doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-01-01T00:00:00Z"}
	staleManager := manager
	staleManager.Fingerprint = "0000"
	for _, tc := range []struct {
		name string
		d    *doc.Document
		want string
	}{
		{"review approved by its owner", mk("review", "approved", owner), "approved"},
		{"review edited after approval", mk("review", "approved", staleOwner), StatusChanged},
		{"an older stale approval of the same role does not matter", mk("review", "approved", staleOwner, owner), "approved"},
		{"every role carried must be current", mk("evaluation", "approved", owner, staleManager), StatusChanged},
		{"note approved by hand, no approval", mk("note", "approved"), StatusUnsigned},
		{"draft with stale approvals is a draft", mk("review", "draft", staleOwner), "draft"},
		{"policy needs the manager", mk("policy", "approved", owner), StatusUnsigned},
		{"policy: stale manager", mk("policy", "approved", owner, staleManager), StatusChanged},
		{"policy: extra roles carried are not needed", mk("policy", "approved", staleOwner, manager), "approved"},
		{"retired", mk("policy", "retired", staleManager), "retired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := EffectiveStatus(tc.d, cfg); got != tc.want {
				t.Errorf("EffectiveStatus = %q, want %q", got, tc.want)
			}
			if got := Approved(tc.d, cfg); got != (tc.want == "approved") {
				t.Errorf("Approved = %v", got)
			}
			var c *Control
			if got := c.Status(tc.d); got != EffectiveStatus(tc.d, nil) {
				t.Errorf("nil Control: %q", got)
			}
		})
	}
}
