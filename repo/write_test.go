package repo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// CommitAll stages the library's files, never a nested repository's: git
// would add such a folder as a gitlink, go-git's add stages its files.
func TestCommitAllLeavesNestedRepositories(t *testing.T) {
	for _, prefix := range []string{"", "pal"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			hr := newHRepo(t)
			root := filepath.Join(hr.dir, prefix)
			if prefix != "" {
				hr.write("outside.md", "# outside\n")
				hr.commit("outside")
			}
			for p, text := range map[string]string{
				"rmm.yaml":               "organization: Example\n",
				"policies/p.md":          "# P\n",
				"nested/a.md":            "# not ours\n",
				"deep/er/repo/x.md":      "# not ours either\n",
				"deep/keep.md":           "# ours\n",
				"deep/er/repo/sub/y.txt": "not ours\n",
			} {
				hr.write(filepath.ToSlash(filepath.Join(prefix, p)), text)
			}
			for _, d := range []string{"nested", "deep/er/repo"} {
				hr.git("-C", filepath.Join(root, filepath.FromSlash(d)), "init", "-q")
			}
			r, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			who := Signature{Name: "Ada", Email: "ada@example.org", When: time.Unix(1700000000, 0).UTC()}
			if _, err := r.CommitAll("start", who, who); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(hr.git("ls-tree", "-r", "--name-only", "HEAD")), "\n") {
				got = append(got, strings.TrimPrefix(l, prefix+"/"))
			}
			want := []string{"deep/keep.md", "policies/p.md", "rmm.yaml"}
			if prefix != "" {
				want = []string{"deep/keep.md", "outside.md", "policies/p.md", "rmm.yaml"}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("committed %q, want %q", got, want)
			}
			if _, err := os.Stat(filepath.Join(root, "nested", "a.md")); err != nil {
				t.Errorf("the nested repository's file: %v", err)
			}
		})
	}
}

func TestCommitAllRefusesBadSignatures(t *testing.T) {
	hr := newHRepo(t)
	hr.write("rmm.yaml", "organization: Example\n")
	r, err := Open(hr.dir)
	if err != nil {
		t.Fatal(err)
	}
	good := Signature{Name: "Ada", Email: "ada@example.org", When: time.Unix(1700000000, 0).UTC()}
	bad := Signature{Name: "A <b>", Email: "a@x", When: good.When}
	if _, err := r.CommitAll("m", bad, good); err == nil || !strings.Contains(err.Error(), "author") {
		t.Errorf("bad author: %v", err)
	}
	if _, err := r.CommitAll("m", good, bad); err == nil || !strings.Contains(err.Error(), "committer") {
		t.Errorf("bad committer: %v", err)
	}
	if _, _, err := r.Head(); err != ErrEmpty {
		t.Errorf("a commit was written: %v", err)
	}
}
