package baseline

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/check"
	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// signed returns text with an approval by by as role appended, carrying
// the text's fingerprint.
func signed(t *testing.T, text, by, role string) string {
	t.Helper()
	d := parse(t, text)
	out, err := Approve(d, testCfg, doc.Approval{By: by, Role: role, Date: when})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func reviewDiags(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	files["rmm.yaml"] = "organization: Example\nroles:\n  manager: [dana@example.org]\n"
	for name, text := range files {
		write(t, dir, name, text)
	}
	lib, err := doc.Load(os.DirFS(dir), doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var out []string
	for _, d := range reviewDue(check.NewContext(nil, &repo.Snapshot{Lib: lib}, now)) {
		out = append(out, d.String())
	}
	return out
}

// Only a management review resets a document's review clock: approved,
// and signed by a holder of the manager role. A draft review, or one that
// nobody of management signed, is not one (issue 10).
func TestManagementReviewResetsOverdue(t *testing.T) {
	pol := "---\nid: POL\nkind: policy\ntitle: P\nowner: o@example.org\nreview_every: 6mo\napprovals:\n  - {by: d@example.org, role: manager, date: 2025-01-05, fingerprint: x}\n---\n"
	rev := func(date string) string {
		return "---\nid: R\nkind: review\ntitle: R\nowner: olga@example.org\ncovers: [POL]\ndate: " + date + "\n---\n## Attendees\nDana.\n"
	}
	overdue := "p.md:6: warning: review overdue since 2025-07-05 (review_every 6mo, last approved or reviewed 2025-01-05) [review-due]"
	for _, tc := range []struct {
		name, review string
		want         string
	}{
		{"draft review", rev("2026-10-01"), overdue},
		{"approved by its owner, no manager", signed(t, rev("2026-10-01"), "olga@example.org", "owner"), overdue},
		{"signed by the manager", signed(t, signed(t, rev("2026-10-01"), "olga@example.org", "owner"), "dana@example.org", "manager"), ""},
		{"edited after the manager signed", strings.Replace(signed(t, rev("2026-10-01"), "dana@example.org", "manager"), "Dana.", "Dana, Sam.", 1), overdue},
		{"signed, but in May", signed(t, rev("2026-05-01"), "dana@example.org", "manager"),
			"p.md:6: warning: review overdue since 2026-11-01 (review_every 6mo, last approved or reviewed 2026-05-01) [review-due]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(reviewDiags(t, map[string]string{"p.md": pol, "r.md": tc.review}), "\n")
			if got != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}
