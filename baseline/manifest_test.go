package baseline

import (
	"reflect"
	"strings"
	"testing"
)

const (
	hexCommit = "4a4f7cb26ad8d1c4b1b4e1a0e6d1a7c2d7f3e9b1"
	hexBlob   = "0e2785a6c1f0b2d3e4f5a6b7c8d9e0f1a2b3c4d5"
	hexFP     = "2f5ea55d6245b4b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4"
	hexRoot   = "320c1023ae58b4b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4"
)

func TestParseMessageVersions(t *testing.T) {
	entry := "AM-POL policies/access%20policy.md " + hexBlob + " " + hexFP + " manager=dana@example.org,owner=olga@example.org\n"
	v1 := "First baseline\n\nrmm-baseline: 1\ncommit: " + hexCommit + "\n" + entry + "root: " + hexRoot + "\n"
	v2 := "Second\nbaseline\n\nrmm-baseline: 2\ncommit: " + hexCommit + "\nprevious: baseline/Q1\n" + entry + "root: " + hexRoot + "\n"
	first := "\n\nrmm-baseline: 2\ncommit: " + hexCommit + "\nprevious: -\nroot: " + hexRoot + "\n"

	m, err := ParseMessage(v1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 1 || m.Previous != "" || m.Summary != "First baseline" || len(m.Documents) != 1 {
		t.Errorf("v1: %+v", m)
	}
	if e := m.Documents[0]; e.Path != "policies/access policy.md" || len(e.Approvers) != 2 || e.Approvers[1] != (Approver{Role: "owner", By: "olga@example.org"}) {
		t.Errorf("v1 entry: %+v", e)
	}
	if got := m.Message(); got != v1 {
		t.Errorf("a version 1 manifest is written back as version 1:\n%s\nwant\n%s", got, v1)
	}

	m, err = ParseMessage(strings.ReplaceAll(v2, "\n", "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 2 || m.Previous != "baseline/Q1" || m.Summary != "Second\nbaseline" || m.Commit != hexCommit || m.Root != hexRoot {
		t.Errorf("v2: %+v", m)
	}
	if got := m.Message(); got != v2 {
		t.Errorf("v2 written back:\n%s\nwant\n%s", got, v2)
	}

	m, err = ParseMessage(first)
	if err != nil {
		t.Fatal(err)
	}
	if m.Previous != "-" || len(m.Documents) != 0 || m.Summary != "" {
		t.Errorf("first: %+v", m)
	}

	// A new manifest (Version 0) is written as the current version, with
	// "previous: -" when it names none.
	nm := &Manifest{Summary: "x", Commit: hexCommit, Root: hexRoot}
	if got := nm.Message(); !strings.Contains(got, "\n\nrmm-baseline: 2\ncommit: "+hexCommit+"\nprevious: -\nroot: ") {
		t.Errorf("new manifest:\n%s", got)
	}
}

func TestParseMessageRefuses(t *testing.T) {
	head2 := "s\n\nrmm-baseline: 2\ncommit: " + hexCommit + "\n"
	entry := "AM-POL p.md " + hexBlob + " " + hexFP + " -\n"
	root := "root: " + hexRoot + "\n"
	for _, tc := range []struct{ name, msg, want string }{
		{"no manifest", "hello\n", "holds no manifest"},
		{"newer version", "s\n\nrmm-baseline: 3\ncommit: " + hexCommit + "\n" + root, `manifest line 3: manifest version "3" is not one this rmm reads`},
		{"v2 without previous", head2 + entry + root, `manifest line 5: want "previous: baseline/NAME"`},
		{"v2 previous not a baseline", head2 + "previous: Q1\n" + root, `previous "Q1" is not "-" or baseline/NAME`},
		{"v2 previous with a bad name", head2 + "previous: baseline/../x\n" + root, `previous "baseline/../x"`},
		{"v1 with a previous line", "s\n\nrmm-baseline: 1\ncommit: " + hexCommit + "\nprevious: -\n" + root, "manifest line 5: want \"ID PATH BLOB FINGERPRINT APPROVERS\", got 2 fields"},
		{"commit not second", "s\n\nrmm-baseline: 2\nprevious: -\ncommit: " + hexCommit + "\n" + root, `want "commit: HASH" after the version line`},
		{"two commits", head2 + "previous: -\ncommit: " + hexCommit + "\n" + root, "got 2 fields"},
		{"cut short", head2, "ends before its header is complete"},
		{"no root", head2 + "previous: -\n" + entry, "no root line"},
		{"root not a hash", head2 + "previous: -\nroot: abc\n", `root "abc" is not a 64-digit hash`},
		{"text after root", head2 + "previous: -\n" + root + "more\n", "text after the root line"},
		{"bad escape", head2 + "previous: -\nAM-POL p%zz.md " + hexBlob + " " + hexFP + " -\n" + root, "bad escape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMessage(tc.msg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// checkRoundTrip is FuzzManifest's property: a message ParseMessage
// accepts reads back the same after Message.
func checkRoundTrip(t *testing.T, msg string) {
	m, err := ParseMessage(msg)
	if err != nil {
		return
	}
	out := m.Message()
	m2, err := ParseMessage(out)
	if err != nil {
		t.Fatalf("ParseMessage(Message()) fails: %v\nmessage:\n%q\nwritten:\n%q", err, msg, out)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Fatalf("round trip differs:\n%#v\n%#v\nmessage %q\nwritten %q", m, m2, msg, out)
	}
	if out2 := m2.Message(); out2 != out {
		t.Fatalf("Message is not stable:\n%q\n%q", out, out2)
	}
}

func FuzzManifest(f *testing.F) {
	entry := "AM-POL policies/access%20policy.md " + hexBlob + " " + hexFP + " manager=dana@example.org,owner=olga@example.org\n"
	f.Add("First baseline\n\nrmm-baseline: 1\ncommit: " + hexCommit + "\n" + entry + "root: " + hexRoot + "\n")
	f.Add("Second\n\nrmm-baseline: 2\ncommit: " + hexCommit + "\nprevious: baseline/Q1\n" + entry + "root: " + hexRoot + "\n")
	f.Add("rmm-baseline: 2\r\ncommit: " + hexCommit + "\r\nprevious: -\r\nroot: " + hexRoot + "\r\n")
	f.Add("x\r\r\n\nrmm-baseline: 2\ncommit: " + hexCommit + "\nprevious: -\nA%25 p%0A " + hexBlob + " " + hexFP + " r%3D=b%2C\nroot: " + hexRoot)
	f.Add("hello\n")
	f.Fuzz(func(t *testing.T, msg string) {
		checkRoundTrip(t, msg)
	})
}

// Entry finds every id of a manifest, in ID order or not (one edited by
// hand), and nil for an id it does not hold.
func TestManifestEntry(t *testing.T) {
	line := func(id string) string { return id + " p/" + id + ".md " + hexBlob + " " + hexFP + " -\n" }
	for _, ids := range [][]string{{"A", "B", "C", "D"}, {"D", "B", "A", "C"}, {"B", "B", "A"}} {
		msg := "s\n\nrmm-baseline: 2\ncommit: " + hexCommit + "\nprevious: -\n"
		for _, id := range ids {
			msg += line(id)
		}
		m, err := ParseMessage(msg + "root: " + hexRoot + "\n")
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if e := m.Entry(id); e == nil || e.ID != id {
				t.Errorf("%v: Entry(%s) = %v", ids, id, e)
			}
		}
		for _, id := range []string{"", "AA", "E", "0"} {
			if e := m.Entry(id); e != nil {
				t.Errorf("%v: Entry(%q) = %v", ids, id, e)
			}
		}
	}
}
