package baseline

import (
	"errors"
	"strings"
	"testing"

	"github.com/rmm-pal/rmm/doc"
)

var testCfg = &doc.Config{
	Organization: "Example",
	Roles:        map[string][]string{"manager": {"dana@example.org"}, "auditor": {"erin@example.org"}},
	Approvals:    map[string][]string{"policy": {"manager"}, "plan": {"owner", "manager"}},
}

func parse(t *testing.T, text string) *doc.Document {
	t.Helper()
	d, diags := doc.Parse("policies/p.md", []byte(text))
	if d == nil {
		t.Fatalf("parse: %v", diags)
	}
	return d
}

const when = "2026-11-26T13:00:00+01:00" // written as 12:00 UTC

func TestApprovePreservesBytes(t *testing.T) {
	const body = "\n# Policy\n\nSome text.   \n\n<!-- keep -->\n"
	cases := []struct {
		name string
		in   string
		a    doc.Approval
		// want is the full expected output, with FP for the fingerprint.
		want string
	}{
		{
			name: "no approvals key, no status key",
			in:   "---\n# a comment\nid: POL-A\nkind: policy\ntitle: \"A: policy\"   # trailing comment\nowner: olga@example.org\n---" + body,
			a:    doc.Approval{By: "dana@example.org", Role: "manager", Date: when},
			want: "---\n# a comment\nid: POL-A\nkind: policy\ntitle: \"A: policy\"   # trailing comment\nowner: olga@example.org\nstatus: approved\napprovals:\n  - by: dana@example.org\n    role: manager\n    date: \"2026-11-26T12:00:00Z\"\n    fingerprint: FP\n---" + body,
		},
		{
			name: "status draft with comment, block approvals with a stale entry",
			in:   "---\nid: POL-A\nstatus: draft # until signed\nkind: policy\ntitle: A\nowner: olga@example.org\napprovals:\n    - by: dana@example.org\n      role: manager\n      date: \"2025-01-01T00:00:00Z\"\n      fingerprint: old\n# after the list\ntags: [x]\n---" + body,
			a:    doc.Approval{By: "dana@example.org", Role: "manager", Date: when, Meaning: "approved for use, with changes: none"},
			want: "---\nid: POL-A\nstatus: approved # until signed\nkind: policy\ntitle: A\nowner: olga@example.org\napprovals:\n    - by: dana@example.org\n      role: manager\n      date: \"2025-01-01T00:00:00Z\"\n      fingerprint: old\n    - by: dana@example.org\n      role: manager\n      date: \"2026-11-26T12:00:00Z\"\n      meaning: 'approved for use, with changes: none'\n      fingerprint: FP\n# after the list\ntags: [x]\n---" + body,
		},
		{
			name: "empty flow list, quoted status",
			in:   "---\nid: POL-A\nkind: policy\ntitle: A\nowner: olga@example.org\nstatus: 'review'\napprovals: [] # none yet\n---" + body,
			a:    doc.Approval{By: "dana@example.org", Role: "manager", Date: when},
			want: "---\nid: POL-A\nkind: policy\ntitle: A\nowner: olga@example.org\nstatus: 'approved'\napprovals: [{by: dana@example.org, role: manager, date: \"2026-11-26T12:00:00Z\", fingerprint: FP}] # none yet\n---" + body,
		},
		{
			name: "flow list with an entry spanning lines",
			in:   "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\napprovals: [{by: olga@example.org, role: owner,\n  date: \"2026-01-01T00:00:00Z\", fingerprint: \"x]y\"}]\n---" + body,
			a:    doc.Approval{By: "olga@example.org", Role: "owner", Date: when},
			want: "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\napprovals: [{by: olga@example.org, role: owner,\n  date: \"2026-01-01T00:00:00Z\", fingerprint: \"x]y\"}, {by: olga@example.org, role: owner, date: \"2026-11-26T12:00:00Z\", fingerprint: FP}]\n---" + body,
		},
		{
			name: "null approvals, plan still needs the manager",
			in:   "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\nstatus: draft\napprovals: ~ # later\nunit: ops\n---" + body,
			a:    doc.Approval{By: "olga@example.org", Role: "owner", Date: when},
			want: "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\nstatus: draft\napprovals: # later\n  - by: olga@example.org\n    role: owner\n    date: \"2026-11-26T12:00:00Z\"\n    fingerprint: FP\nunit: ops\n---" + body,
		},
		{
			name: "CRLF line endings",
			in:   "---\r\nid: POL-A\r\nkind: policy\r\ntitle: A\r\nowner: olga@example.org\r\nstatus: draft\r\n---\r\n\r\nBody.\r\n",
			a:    doc.Approval{By: "DANA@example.org", Role: "manager", Date: when},
			want: "---\r\nid: POL-A\r\nkind: policy\r\ntitle: A\r\nowner: olga@example.org\r\nstatus: approved\r\napprovals:\r\n  - by: DANA@example.org\r\n    role: manager\r\n    date: \"2026-11-26T12:00:00Z\"\r\n    fingerprint: FP\r\n---\r\n\r\nBody.\r\n",
		},
		{
			name: "block list at the key's indentation, stakeholder approval",
			in:   "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\nstakeholders:\n- {who: sam@example.org, role: CISO, involvement: approve}\napprovals:\n- by: olga@example.org\n  role: owner\n  date: \"2026-01-01T00:00:00Z\"\n  fingerprint: abc\n---" + body,
			a:    doc.Approval{By: "sam@example.org", Role: "stakeholder", Date: when},
			want: "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\nstakeholders:\n- {who: sam@example.org, role: CISO, involvement: approve}\napprovals:\n- by: olga@example.org\n  role: owner\n  date: \"2026-01-01T00:00:00Z\"\n  fingerprint: abc\n- by: sam@example.org\n  role: stakeholder\n  date: \"2026-11-26T12:00:00Z\"\n  fingerprint: FP\n---" + body,
		},
		{
			name: "byte order mark, no trailing newline after the body",
			in:   "\ufeff---\nid: POL-A\nkind: policy\ntitle: Ä policy\nowner: olga@example.org\n---\nNo newline",
			a:    doc.Approval{By: "dana@example.org", Role: "manager", Date: when},
			want: "\ufeff---\nid: POL-A\nkind: policy\ntitle: Ä policy\nowner: olga@example.org\nstatus: approved\napprovals:\n  - by: dana@example.org\n    role: manager\n    date: \"2026-11-26T12:00:00Z\"\n    fingerprint: FP\n---\nNo newline",
		},
		{
			name: "retired stays retired",
			in:   "---\nid: POL-A\nkind: policy\ntitle: A\nowner: olga@example.org\nstatus: retired\n---" + body,
			a:    doc.Approval{By: "dana@example.org", Role: "manager", Date: when},
			want: "---\nid: POL-A\nkind: policy\ntitle: A\nowner: olga@example.org\nstatus: retired\napprovals:\n  - by: dana@example.org\n    role: manager\n    date: \"2026-11-26T12:00:00Z\"\n    fingerprint: FP\n---" + body,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := parse(t, c.in)
			out, err := Approve(d, testCfg, c.a)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(c.want, "FP", d.Fingerprint)
			if string(out) != want {
				t.Errorf("got:\n%s\nwant:\n%s", out, want)
			}
			nd := parse(t, string(out))
			if nd.Fingerprint != d.Fingerprint {
				t.Errorf("fingerprint changed")
			}
		})
	}
}

func TestApproveStatusFlipsWhenAllRolesApproved(t *testing.T) {
	in := "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\nstatus: review\n---\nBody\n"
	d := parse(t, in)
	out, err := Approve(d, testCfg, doc.Approval{By: "olga@example.org", Role: "owner", Date: when})
	if err != nil {
		t.Fatal(err)
	}
	d = parse(t, string(out))
	if d.Status != "review" || len(Missing(d, testCfg)) != 1 {
		t.Fatalf("after the owner: status %q, missing %v", d.Status, Missing(d, testCfg))
	}
	out, err = Approve(d, testCfg, doc.Approval{By: "dana@example.org", Role: "manager", Date: when})
	if err != nil {
		t.Fatal(err)
	}
	d = parse(t, string(out))
	if d.Status != "approved" || len(Missing(d, testCfg)) != 0 {
		t.Fatalf("after the manager: status %q, missing %v", d.Status, Missing(d, testCfg))
	}
	// Editing the body makes both approvals stale.
	edited := strings.Replace(string(out), "Body", "Body changed", 1)
	d = parse(t, edited)
	if m := Missing(d, testCfg); strings.Join(m, ",") != "owner,manager" {
		t.Fatalf("after an edit, missing %v", m)
	}
}

func TestApproveRefusesWrongRole(t *testing.T) {
	in := "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\nstakeholders:\n  - {who: cal@example.org, role: CISO, involvement: consult}\n---\nBody\n"
	d := parse(t, in)
	for _, a := range []doc.Approval{
		{By: "erin@example.org", Role: "manager", Date: when},     // holds auditor only
		{By: "dana@example.org", Role: "owner", Date: when},       // not the owner
		{By: "cal@example.org", Role: "stakeholder", Date: when},  // consult, not approve
		{By: "olga@example.org", Role: "nosuchrole", Date: when},  // unknown role
		{By: "dana@example.org", Role: "manager", Date: "Monday"}, // bad date
	} {
		out, err := Approve(d, testCfg, a)
		if err == nil {
			t.Errorf("%s as %s: accepted, wrote\n%s", a.By, a.Role, out)
			continue
		}
		if a.Date == when && !errors.Is(err, ErrRole) {
			t.Errorf("%s as %s: %v, want ErrRole", a.By, a.Role, err)
		}
	}
	_, err := Approve(d, testCfg, doc.Approval{By: "erin@example.org", Role: "manager", Date: when})
	if err == nil || !strings.Contains(err.Error(), "erin@example.org does not hold the role manager for PLAN-A (policies/p.md); they hold the roles auditor") {
		t.Errorf("message: %v", err)
	}
}

func TestApproveNoFrontMatter(t *testing.T) {
	d := parse(t, "# Just a note\n")
	if _, err := Approve(d, testCfg, doc.Approval{By: "dana@example.org", Role: "manager", Date: when}); err == nil {
		t.Fatal("approved a note without front matter")
	}
}

// A stakeholder with involvement approve is a required approver (SPEC 1
// and 9): the document becomes approved only once each of them has a
// current approval, in any role; consult and inform stakeholders are not
// asked. check, approve, status and the site all read it through Missing,
// Unmet and EffectiveStatus.
func TestApprovingStakeholdersAreRequired(t *testing.T) {
	in := "---\nid: PLAN-A\nkind: plan\ntitle: A\nowner: olga@example.org\nstakeholders:\n" +
		"  - {who: sam@example.org, role: CISO, involvement: approve}\n" +
		"  - {who: dana@example.org, role: COO, involvement: approve}\n" +
		"  - {who: cal@example.org, role: auditor, involvement: consult}\n---\nBody\n"
	text := in
	step := func(by, role string) *doc.Document {
		t.Helper()
		d := parse(t, text)
		out, err := Approve(d, testCfg, doc.Approval{By: by, Role: role, Date: when})
		if err != nil {
			t.Fatalf("%s as %s: %v", by, role, err)
		}
		text = string(out)
		return parse(t, text)
	}
	if got := strings.Join(RequiredRoles(parse(t, in), testCfg), ","); got != "owner,manager,stakeholder" {
		t.Fatalf("required roles %s", got)
	}
	d := step("olga@example.org", "owner")
	if got := strings.Join(Labels(d, Missing(d, testCfg)), "; "); got != "manager; stakeholder (sam@example.org, dana@example.org)" {
		t.Errorf("after the owner: missing %s", got)
	}
	// Dana approves once, as manager: that is her agreement as a
	// stakeholder too.
	d = step("dana@example.org", "manager")
	if got := strings.Join(Labels(d, Missing(d, testCfg)), "; "); got != "stakeholder (sam@example.org)" || d.Status == "approved" {
		t.Errorf("after the manager: missing %s, status %q", got, d.Status)
	}
	if r := DefaultRole(d, testCfg, "sam@example.org"); r != RoleStakeholder {
		t.Errorf("Sam's default role is %q", r)
	}
	if r := DefaultRole(d, testCfg, "dana@example.org"); r != "" {
		t.Errorf("Dana's default role is %q, she has approved", r)
	}
	// Status approved by hand without Sam: not approved for anyone.
	forced := parse(t, strings.Replace(text, "owner: olga@example.org\n", "owner: olga@example.org\nstatus: approved\n", 1))
	if st := EffectiveStatus(forced, testCfg); st != StatusUnsigned {
		t.Errorf("approved without Sam: %q", st)
	}
	if u := Unmet(forced, testCfg); strings.Join(u, ",") != "stakeholder" {
		t.Errorf("unmet %v", u)
	}
	if msg, _ := approvalProblem(forced, testCfg); !strings.Contains(msg, "without an approval as stakeholder (sam@example.org)") {
		t.Errorf("check says %q", msg)
	}
	d = step("sam@example.org", "stakeholder")
	if len(Missing(d, testCfg)) != 0 || d.Status != "approved" || !Approved(d, testCfg) {
		t.Errorf("after Sam: missing %v, status %q", Missing(d, testCfg), d.Status)
	}
	// An edit makes Sam's agreement stale like any approval.
	edited := parse(t, strings.Replace(text, "Body", "Body, edited", 1))
	if st := EffectiveStatus(edited, testCfg); st != StatusChanged {
		t.Errorf("edited: %q", st)
	}
}
