package render

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/repo"
)

// With RemoveOldLater (rmm serve), the new site is in place when Build
// returns, and the previous one goes away afterwards, leaving nothing
// beside the output folder.
func TestRemoveOldLater(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("rmm.yaml", "organization: X\n")
	write("notes/a.md", "# Note A\n\nFirst text.\n")
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-q", "-m", "notes"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "site")
	if _, err := Build(context.Background(), Options{Repo: r, Out: out, RemoveOldLater: true}); err != nil {
		t.Fatal(err)
	}
	write("notes/a.md", "# Note A\n\nSecond text.\n")
	if _, err := Build(context.Background(), Options{Repo: r, Out: out, RemoveOldLater: true}); err != nil {
		t.Fatal(err)
	}
	// A clean build of the same tree gives the same files.
	clean := filepath.Join(t.TempDir(), "clean")
	if _, err := Build(context.Background(), Options{Repo: r, Out: clean}); err != nil {
		t.Fatal(err)
	}
	got, want := readTree(t, out), readTree(t, clean)
	if len(got) != len(want) {
		t.Fatalf("%d files, a clean build has %d", len(got), len(want))
	}
	for p, b := range want {
		if !bytes.Equal(got[p], b) {
			t.Errorf("%s differs from a clean build's", p)
		}
	}
	found := false
	for p, b := range got {
		if strings.HasPrefix(p, "doc/") && bytes.Contains(b, []byte("Second text.")) {
			found = true
		}
	}
	if !found {
		t.Error("no page shows the edit")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ents, err := os.ReadDir(parent)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) == 1 && ents[0].Name() == "site" {
			break
		}
		if time.Now().After(deadline) {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Fatalf("beside the site after 10s: %v", names)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
