package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// An interrupted build (Ctrl+C) says so, exits 1 and leaves the previous
// site as it was.
func TestBuildInterruptedKeepsPreviousSite(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("RMM_NOW", "2026-11-26T12:00:00Z")
	lib := filepath.Join(dir, "lib")
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, dir: dir, now: time.Now}
	if err := initRun(e, &initOptions{Dir: lib, Example: true}); err != nil {
		t.Fatal(err)
	}
	e.dir = lib
	if err := buildRun(context.Background(), e, &buildOptions{Audience: "internal"}); err != nil {
		t.Fatalf("first build: %v\n%s", err, errb.String())
	}
	index := filepath.Join(lib, "_site", "index.html")
	before, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	// A change the interrupted build would have published.
	cfg := filepath.Join(lib, "rmm.yaml")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, bytes.Replace(b, []byte("title: "), []byte("title: Interrupted "), 1), 0o644)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = buildRun(ctx, e, &buildOptions{Audience: "internal"})
	var xe *exitError
	if !errors.As(err, &xe) || xe.code != exitFailed || xe.msg != "build interrupted; the previous site is unchanged" {
		t.Fatalf("interrupted build: %v", err)
	}
	after, _ := os.ReadFile(index)
	if !bytes.Equal(before, after) {
		t.Fatal("the interrupted build changed the previous site")
	}
}
