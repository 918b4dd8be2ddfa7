package baseline

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/repo"
)

// TestConcurrentCreateProcesses starts several `rmm baseline create` of
// the same name at once, as separate processes: exactly one succeeds, the
// others exit 1, and the ref store holds one whole ref and no lock file.
func TestConcurrentCreateProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the rmm binary")
	}
	bin := filepath.Join(t.TempDir(), "rmm")
	build := exec.Command("go", "build", "-o", bin, "github.com/rmm-pal/rmm/cmd/rmm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := gitRepo(t)
	approveFile(t, dir, "policies/access.md", doc.Approval{By: "dana@example.org", Role: "manager", Date: "2026-11-20T09:00:00Z"})
	gitIn(t, dir, "dana@example.org", "commit", "-q", "-am", "approve")

	const procs = 8
	for round := 0; round < 5; round++ {
		name := fmt.Sprintf("R%d", round)
		var wg sync.WaitGroup
		codes := make([]int, procs)
		stderr := make([]bytes.Buffer, procs)
		start := make(chan struct{})
		for i := 0; i < procs; i++ {
			cmd := exec.Command(bin, "-C", dir, "baseline", "create", name)
			cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.org")
			cmd.Stderr = &stderr[i]
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				err := cmd.Run()
				var xe *exec.ExitError
				switch {
				case err == nil:
					codes[i] = 0
				case errors.As(err, &xe):
					codes[i] = xe.ExitCode()
				default:
					codes[i] = -1
				}
			}(i)
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, c := range codes {
			switch c {
			case 0:
				ok++
			case 1:
				if !strings.Contains(stderr[i].String(), "exists already") {
					t.Errorf("round %d, process %d: exit 1 but stderr:\n%s", round, i, stderr[i].String())
				}
			default:
				t.Errorf("round %d, process %d: exit %d\n%s", round, i, c, stderr[i].String())
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d processes succeeded, want exactly 1 (codes %v)", round, ok, codes)
		}
		ref := filepath.Join(dir, ".git", "refs", "tags", "baseline", name)
		data, err := os.ReadFile(ref)
		if err != nil || len(strings.TrimSpace(string(data))) != 40 {
			t.Fatalf("round %d: ref %q, %v", round, data, err)
		}
		if _, err := os.Stat(ref + ".lock"); err == nil {
			t.Fatalf("round %d: lock file left behind", round)
		}
		if got := gitIn(t, dir, "x@example.org", "cat-file", "-t", "baseline/"+name); got != "tag" {
			t.Fatalf("round %d: baseline/%s is a %s", round, name, got)
		}
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 5; round++ {
		rep, err := Verify(r, fmt.Sprintf("R%d", round))
		if err != nil || !rep.OK {
			t.Fatalf("verify R%d: %v %+v", round, err, rep)
		}
	}
}

// TestConcurrentCreateTag races CreateTag in one process: one wins, the
// others get ErrTagExists or ErrTagBusy.
func TestConcurrentCreateTag(t *testing.T) {
	dir := gitRepo(t)
	head := gitIn(t, dir, "x@example.org", "rev-parse", "HEAD")
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		r, err := repo.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = r.CreateTag("baseline/X", head, fmt.Sprintf("writer %d", i),
				repo.Signature{Name: "T", Email: "t@example.org", When: time.Unix(1795694400, 0).UTC()})
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, repo.ErrTagExists), errors.Is(err, repo.ErrTagBusy):
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d writers succeeded, want 1", ok)
	}
	msg := gitIn(t, dir, "x@example.org", "tag", "-l", "--format=%(contents)", "baseline/X")
	if !strings.HasPrefix(msg, "writer ") {
		t.Fatalf("tag message %q", msg)
	}
}
