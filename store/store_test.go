package store

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriteFileReplacesWholeAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "state")
	for _, s := range []string{"one", "two, longer", "3"} {
		if err := WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != s {
			t.Fatalf("read %q, %v; want %q", got, err, s)
		}
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Errorf("folder holds %d entries, want only the file: %v", len(ents), ents)
	}
}

func TestWriteFileConcurrentWritersNeverCollide(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- WriteFile(p, bytes.Repeat([]byte{byte('a' + i)}, 4096), 0o644)
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(p)
	if len(got) != 4096 || bytes.Count(got, got[:1]) != 4096 {
		t.Fatalf("file is a mix of writers: %q...", got[:16])
	}
}

func TestUpdateSerialisesWriters(t *testing.T) {
	p := filepath.Join(t.TempDir(), "doc.md")
	if err := os.WriteFile(p, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := Update(p, func(cur []byte) ([]byte, error) {
				time.Sleep(time.Millisecond) // widen the window a lost update needs
				return append(cur, 'x'), nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := os.ReadFile(p)
	if len(got) != n {
		t.Fatalf("%d of %d updates kept", len(got), n)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", fi.Mode().Perm())
	}
	if _, err := os.Stat(p + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock left behind: %v", err)
	}
}

func TestUpdateFailureLeavesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "doc.md")
	os.WriteFile(p, []byte("keep"), 0o644)
	boom := errors.New("boom")
	if err := Update(p, func([]byte) ([]byte, error) { return []byte("lost"), boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if err := Update(p, func([]byte) ([]byte, error) { return []byte("lost"), ErrUnchanged }); err != nil {
		t.Fatalf("ErrUnchanged gave %v", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "keep" {
		t.Fatalf("file is %q", got)
	}
	if _, err := os.Stat(p + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock left behind: %v", err)
	}
}

func TestUpdateBusyLockNamesIt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "doc.md")
	os.WriteFile(p, []byte("a"), 0o644)
	os.WriteFile(p+".lock", nil, 0o644)
	defer func(w time.Duration) { LockWait = w }(LockWait)
	LockWait = 30 * time.Millisecond
	err := Update(p, func(cur []byte) ([]byte, error) { return []byte("b"), nil })
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), p+".lock") {
		t.Fatalf("err %v, want ErrBusy naming the lock", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "a" {
		t.Fatalf("file is %q", got)
	}
}

func TestBinaryIDOverride(t *testing.T) {
	real := BinaryID()
	restore := SetBinaryIDForTest("other")
	if BinaryID() == real {
		t.Fatal("override did not change the id")
	}
	if bytes.Equal(Prefix("parse", 1), Prefix("parse", 2)) {
		t.Fatal("version not in the prefix")
	}
	restore()
	if BinaryID() != real {
		t.Fatal("restore did not bring the id back")
	}
}

// A sealed cache file reads back only for its own kind, version and
// binary, and only when intact.
func TestReadCacheRefusesDamagedAndForeign(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k", "state")
	good := Seal(append(Prefix("k", 1), "the body"...))
	if err := WriteCache(p, good); err != nil {
		t.Fatal(err)
	}
	body, err := ReadCache(p, "k", 1)
	if err != nil || string(body) != "the body" {
		t.Fatalf("ReadCache = %q, %v", body, err)
	}
	if _, err := ReadCache(filepath.Join(dir, "none"), "k", 1); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-6] ^= 1
	restore := SetBinaryIDForTest("other")
	foreign := Seal(append(Prefix("k", 1), "the body"...))
	restore()
	for name, data := range map[string][]byte{
		"empty":       {},
		"garbage":     []byte("not a cache file at all"),
		"truncated":   good[:len(good)-1],
		"flipped":     flipped,
		"other kind":  Seal(append(Prefix("j", 1), "the body"...)),
		"old version": Seal(append(Prefix("k", 0), "the body"...)),
		"foreign":     foreign,
		"unsealed":    append(Prefix("k", 1), "the body...."...),
	} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if body, err := ReadCache(p, "k", 1); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: ReadCache = %q, %v; want ErrDamaged", name, body, err)
		}
	}
	// Not a regular file: refused without being read.
	os.Remove(p)
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCache(p, "k", 1); !errors.Is(err, ErrDamaged) {
		t.Errorf("folder: %v, want ErrDamaged", err)
	}
	// An empty folder in the way of a cache is replaced; a full one is not.
	if err := WriteCache(p, good); err != nil {
		t.Fatalf("WriteCache over an empty folder: %v", err)
	}
	if body, err := ReadCache(p, "k", 1); err != nil || string(body) != "the body" {
		t.Fatalf("after replacing the folder: %q, %v", body, err)
	}
	os.Remove(p)
	os.MkdirAll(filepath.Join(p, "inside"), 0o755)
	if err := WriteCache(p, good); err == nil {
		t.Error("WriteCache replaced a folder that holds something")
	}
	if _, err := os.Stat(filepath.Join(p, "inside")); err != nil {
		t.Errorf("the full folder was touched: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
		t.Errorf("a temporary file was left: %v", ents)
	}
}

// WriteNew never replaces a file, and of many racing to create one,
// exactly one wins.
func TestWriteNewNeverReplaces(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hooks", "pre-commit")
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = WriteNew(p, bytes.Repeat([]byte{byte('a' + i)}, 4096), 0o755)
		}(i)
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("writers %d and %d both created the file", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, os.ErrExist):
			t.Fatalf("writer %d: %v, want ErrExist", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no writer created the file")
	}
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, bytes.Repeat([]byte{byte('a' + won)}, 4096)) {
		t.Fatalf("the file is not the winner's: %q...", got[:8])
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want 0755", fi.Mode().Perm())
	}
	if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}

// goBuildID reads the ID `go tool buildid` prints for this test binary,
// and nothing from a file that is not an ELF executable.
func TestGoBuildIDIsGoToolBuildid(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("not ELF")
	}
	want := strings.TrimSpace(string(out))
	got := goBuildID(exe)
	if got != want {
		t.Fatalf("goBuildID = %q, go tool buildid says %q", got, want)
	}
	other := filepath.Join(t.TempDir(), "x")
	if err := os.WriteFile(other, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if id := goBuildID(other); id != "" {
		t.Errorf("a shell script has build ID %q", id)
	}
}

// A cache written part by part is the file WriteCache writes of the
// parts joined and sealed: ReadCache gives the body back, it replaces the
// file before it and an empty folder in its place, and leaves no
// temporary file.
func TestWriteCacheSealedIsWriteCacheOfTheWhole(t *testing.T) {
	dir := t.TempDir()
	prefix := Prefix("test", 1)
	parts := [][]byte{prefix, []byte("one "), nil, bytes.Repeat([]byte("two "), 40000), []byte("three")}
	whole := Seal(bytes.Join(parts, nil))
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(a, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if err := WriteCacheSealed(p, parts); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, whole) {
			t.Fatalf("%s: %d bytes, WriteCache of the whole %d", p, len(got), len(whole))
		}
		body, err := ReadCache(p, "test", 1)
		if err != nil || !bytes.Equal(body, bytes.Join(parts[1:], nil)) {
			t.Fatalf("%s: ReadCache: %v", p, err)
		}
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 2 {
		t.Errorf("%d files in the folder, want 2", len(names))
	}
}
