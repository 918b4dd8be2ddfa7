package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rmm-pal/rmm/repo"
)

// A build interrupted in the middle of writing pages leaves the previous
// site whole and byte for byte as it was, and no temporary folder.
func TestInterruptedBuildKeepsSite(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"rmm.yaml": "organization: X\n"}
	for i := 0; i < 40; i++ {
		files[fmt.Sprintf("notes/n%02d.md", i)] = fmt.Sprintf("# Note %d\n\nText %d.\n", i, i)
	}
	for p, s := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
	if _, err := Build(context.Background(), Options{Repo: r, Out: out}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, out)

	// Every note changes, then the build is cancelled after a few pages.
	for i := 0; i < 40; i++ {
		p := filepath.Join(dir, fmt.Sprintf("notes/n%02d.md", i))
		if err := os.WriteFile(p, []byte(fmt.Sprintf("# Note %d, edited\n\nNew text.\n", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	n := 0
	testHookPut = func(string) {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 5 {
			cancel()
		}
	}
	defer func() { testHookPut = nil }()
	_, err = Build(ctx, Options{Repo: r, Out: out})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted build returned %v", err)
	}
	if n < 5 {
		t.Fatalf("only %d files were written before the end", n)
	}
	after := readTree(t, out)
	if len(after) != len(before) {
		t.Errorf("%d files before, %d after", len(before), len(after))
	}
	for p, b := range before {
		if !bytes.Equal(after[p], b) {
			t.Errorf("%s changed", p)
		}
	}
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		if e.Name() != "site" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	if strings.Contains(string(after["doc/NOTES-N00.html"]), "edited") {
		t.Error("the previous site shows the interrupted build's text")
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
