//go:build unix

package store

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// A pipe where a cache file should be is refused, not read (reading it
// would block the build forever).
func TestReadCacheRefusesPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCache(p, "k", 1); !errors.Is(err, ErrDamaged) {
		t.Fatalf("pipe: %v, want ErrDamaged", err)
	}
}
