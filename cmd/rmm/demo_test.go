package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runDemo runs rmm demo (in DIR when dir is not "") until it serves,
// calls during, then stops it as Ctrl+C does and returns its stdout.
func runDemo(t *testing.T, dir string, during func()) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, dir: t.TempDir(), now: time.Now}
	done := make(chan error, 1)
	go func() {
		done <- demoRun(ctx, e, &demoOptions{Dir: dir, serveOptions: serveOptions{Addr: "127.0.0.1:0"}})
	}()
	for deadline := time.Now().Add(2 * time.Minute); !strings.Contains(stdout.String(), "Serving "); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("the demo ended before serving: %v\n%s%s", err, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo never served:\n%s%s", stdout.String(), stderr.String())
		}
	}
	during()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the demo: %v\n%s", err, stderr.String())
	}
	return stdout.String()
}

// demoFolders lists the demo's temporary folders in tmp.
func demoFolders(t *testing.T, tmp string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(tmp, "rmm-demo-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The temporary folder of rmm demo goes when the demo stops; a DIR the
// user named stays.
func TestDemoRemovesItsTemporaryFolder(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\tname = T\n\temail = t@example.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	var made []string
	out := runDemo(t, "", func() {
		made = demoFolders(t, tmp)
		if len(made) != 1 {
			t.Fatalf("while the demo runs, temporary folders %v", made)
		}
		if _, err := os.Stat(filepath.Join(made[0], "rmm.yaml")); err != nil {
			t.Errorf("the demo's library: %v", err)
		}
	})
	if left := demoFolders(t, tmp); len(left) != 0 {
		t.Errorf("after the demo: %v", left)
	}
	if !strings.Contains(out, "Removed "+made[0]+".") {
		t.Errorf("the demo did not say it removed its folder:\n%s", out)
	}

	dir := filepath.Join(t.TempDir(), "pal")
	out = runDemo(t, dir, func() {})
	if _, err := os.Stat(filepath.Join(dir, "rmm.yaml")); err != nil {
		t.Errorf("the demo's DIR: %v", err)
	}
	if strings.Contains(out, "Removed") {
		t.Errorf("the demo removed something of DIR:\n%s", out)
	}
	if left := demoFolders(t, tmp); len(left) != 0 {
		t.Errorf("a demo in DIR made %v", left)
	}
}
