package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A document whose content changes between the moment rmm approve reads
// it and the moment it writes is refused with exit 1 and left as the
// other writer made it: an approval never carries a fingerprint the
// approver did not see.
func TestApproveRefusesContentChangedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=T", "-c", "user.email=t@example.org"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	os.WriteFile(filepath.Join(dir, "rmm.yaml"), []byte("organization: T\nroles:\n  manager: [t@example.org]\napprovals:\n  policy: [manager]\n"), 0o644)
	pol := filepath.Join(dir, "pol.md")
	os.WriteFile(pol, []byte("---\nid: POL\nkind: policy\ntitle: P\nowner: t@example.org\n---\n\nText.\n"), 0o644)
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "start")

	edited := []byte("---\nid: POL\nkind: policy\ntitle: P\nowner: t@example.org\n---\n\nText changed by someone else.\n")
	testHookBeforeRecord = func() { os.WriteFile(pol, edited, 0o644) }
	defer func() { testHookBeforeRecord = nil }()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, dir: dir, now: func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }}
	err := approveRun(e, &approveOptions{IDs: []string{"POL"}, By: "t@example.org", Role: "manager"})
	var xe *exitError
	if !errors.As(err, &xe) || xe.code != exitFailed || !strings.Contains(xe.msg, "changed while rmm was approving it") {
		t.Fatalf("approve: %v", err)
	}
	if got, _ := os.ReadFile(pol); !bytes.Equal(got, edited) {
		t.Fatalf("the document was changed:\n%s", got)
	}
}
