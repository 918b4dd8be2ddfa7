package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rmm history gives git's list for a document, by id and by path, in a
// library that is a subfolder of its repository, across a branch, a merge
// and a rename.
func TestHistoryMatchesGit(t *testing.T) {
	top := t.TempDir()
	lib := filepath.Join(top, "pal")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = top
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.org",
			"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_NOSYSTEM=1", "HOME="+top)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(lib, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	policy := func(text string) string {
		return "---\nid: IMC-POL\nkind: policy\ntitle: Policy\nowner: a@example.org\n---\n\n" + text + "\n"
	}
	git("init", "-q", "-b", "main")
	write("rmm.yaml", "organization: X\n")
	write("policies/p.md", policy("one"))
	write("README.md", "outside\n")
	git("add", "-A")
	git("commit", "-q", "-m", "start")
	git("checkout", "-q", "-b", "side")
	write("policies/p.md", policy("two on a branch"))
	git("commit", "-q", "-am", "edit on a branch")
	git("checkout", "-q", "main")
	write("notes/n.md", "# Note\n")
	git("add", "-A")
	git("commit", "-q", "-m", "a note on main")
	git("merge", "-q", "--no-ff", "-m", "merge side", "side")
	git("mv", "pal/policies/p.md", "pal/policies/policy.md")
	git("commit", "-q", "-m", "rename the policy")
	write("policies/policy.md", policy("three"))
	git("commit", "-q", "-am", "edit after the rename")

	want := strings.Fields(git("log", "--no-merges", "--full-history", "--format=%H", "--", "pal/policies/policy.md"))
	if len(want) != 2 {
		t.Fatalf("git lists %d commits, the test expects 2", len(want))
	}
	for _, args := range [][]string{
		{"-C", lib, "history", "IMC-POL", "--json"},
		{"-C", lib, "history", "policies/policy.md", "--json"},
		{"-C", filepath.Join(lib, "policies"), "history", "policy.md", "--json"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(args, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("rmm %v: exit %d: %s", args, code, stderr.String())
		}
		var got []historyJSON
		if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
			t.Fatalf("rmm %v: %v\n%s", args, err, stdout.String())
		}
		var hashes []string
		for _, c := range got {
			hashes = append(hashes, c.Hash)
		}
		if strings.Join(hashes, " ") != strings.Join(want, " ") {
			t.Errorf("rmm %v: %v, git: %v", args, hashes, want)
		}
	}
	// The site's history table is the same list.
	var bout, berr bytes.Buffer
	if code := Main([]string{"-C", lib, "build"}, nil, &bout, &berr); code != 0 {
		t.Fatalf("build: exit %d: %s", code, berr.String())
	}
	page, err := os.ReadFile(filepath.Join(lib, "_site", "doc", "IMC-POL.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range want {
		if !strings.Contains(string(page), h) {
			t.Errorf("the page's history lacks %s", h)
		}
	}
	if strings.Contains(string(page), "a note on main") {
		t.Error("the page's history lists a commit that did not change the policy")
	}

	// The old path has its own list, as with git.
	wantOld := strings.Fields(git("log", "--no-merges", "--full-history", "--format=%H", "--", "pal/policies/p.md"))
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"-C", lib, "history", "policies/p.md", "--json"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("history of the old path: exit %d: %s", code, stderr.String())
	}
	var got []historyJSON
	_ = json.Unmarshal(stdout.Bytes(), &got)
	if len(got) != len(wantOld) || len(got) == 0 || got[0].Hash != wantOld[0] {
		t.Errorf("old path: %d commits, git %d", len(got), len(wantOld))
	}
}
