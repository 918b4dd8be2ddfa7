package baseline

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rmm-pal/rmm/doc"
)

// TestConcurrentApproveProcesses runs three `rmm approve` processes at
// once on one document, each approving as another role (owner, manager,
// an approving stakeholder), fifty times. Every approval must be in the
// file afterwards and the status approved; a process may only fail with
// exit 1 and "try again", and then its approval is the only one missing.
func TestConcurrentApproveProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the rmm binary")
	}
	bin := filepath.Join(t.TempDir(), "rmm")
	build := exec.Command("go", "build", "-o", bin, "github.com/rmm-pal/rmm/cmd/rmm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	write(t, dir, "rmm.yaml", "organization: Example\nroles:\n  manager: [dana@example.org]\napprovals:\n  standard: [owner, manager, stakeholder]\n")
	const path = "standards/response.md"
	const text = "---\nid: RESP-STD\nkind: standard\ntitle: \"Incident response: standard\"  # quoted\nowner: olga@example.org\nstatus: review\nstakeholders:\n  - {who: sam@example.org, role: CISO, involvement: approve}\n---\n\n## Contain {#contain .required}\n\nContain.\n"
	write(t, dir, path, text)
	gitIn(t, dir, "olga@example.org", "init", "-q", "-b", "main")
	gitIn(t, dir, "olga@example.org", "add", "-A")
	gitIn(t, dir, "olga@example.org", "commit", "-q", "-m", "standard")
	fp := parse(t, text).Fingerprint

	approvers := []string{"olga@example.org", "dana@example.org", "sam@example.org"}
	const trials = 50
	counts := map[int]int{} // approvals in the file -> trials
	busy := 0
	for trial := 0; trial < trials; trial++ {
		write(t, dir, path, text)
		codes := make([]int, len(approvers))
		stderr := make([]bytes.Buffer, len(approvers))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, by := range approvers {
			cmd := exec.Command(bin, "-C", dir, "approve", "RESP-STD", "--by", by)
			cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1")
			cmd.Stderr = &stderr[i]
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				err := cmd.Run()
				var xe *exec.ExitError
				switch {
				case err == nil:
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
			switch {
			case c == 0:
				ok++
			case c == 1 && strings.Contains(stderr[i].String(), "try again"):
				busy++
			default:
				t.Errorf("trial %d: %s exited %d:\n%s", trial, approvers[i], c, stderr[i].String())
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		d, diags := doc.Parse(path, data)
		if d == nil {
			t.Fatalf("trial %d: the file no longer parses: %v\n%s", trial, diags, data)
		}
		current := 0
		for _, a := range d.Approvals {
			if a.Fingerprint == fp {
				current++
			}
		}
		counts[current]++
		if current != ok || len(d.Approvals) != ok {
			t.Errorf("trial %d: %d processes succeeded but the file holds %d approvals (%d current):\n%s", trial, ok, len(d.Approvals), current, data)
		}
		if ok == len(approvers) && d.Status != "approved" {
			t.Errorf("trial %d: every role approved but status is %q", trial, d.Status)
		}
		if _, err := os.Stat(filepath.Join(dir, path+".lock")); err == nil {
			t.Fatalf("trial %d: lock file left behind", trial)
		}
		if !bytes.Contains(data, []byte("title: \"Incident response: standard\"  # quoted\n")) {
			t.Fatalf("trial %d: other bytes changed:\n%s", trial, data)
		}
	}
	t.Logf("%d trials of %d concurrent approves: approvals in the file -> trials %v; %d processes gave up with \"try again\"", trials, len(approvers), counts, busy)
	if counts[len(approvers)] != trials {
		t.Errorf("only %d of %d trials kept every approval", counts[len(approvers)], trials)
	}
}
