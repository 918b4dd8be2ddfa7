// Package store is rmm's one way to write files safely, and the one home of
// its persistent state.
//
// Start with WriteFile, which replaces a file whole (a unique temporary
// file beside it, fsync, rename, fsync of the folder), and Update, which
// edits a file the user owns under git's lock protocol: it takes
// PATH.lock with O_EXCL, reads the file again, lets the caller compute the
// new bytes from what is there now, writes them into the lock file and
// renames it over PATH. Two rmm processes editing one file therefore never
// lose each other's change: the second waits for the first and then works
// on its result.
//
// Persistent state (the parse cache, the history cache, the site's page
// state, the serve preview) lives below <gitdir>/rmm/, one folder per kind
// (Dir). Every cache key starts with Prefix, which holds the identity of
// the running binary (BinaryID): a cache written by another rmm is never
// trusted. Cache files start with the same Prefix and end with a checksum
// (Seal); ReadCache returns ErrDamaged for one that is damaged or foreign,
// which its reader ignores, and the next save (WriteCache) replaces it
// whole.
//
// This package imports no other rmm package.
package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Dir is the folder of one kind of state below the git folder:
// <gitdir>/rmm/<kind>.
func Dir(gitDir, kind string) string { return filepath.Join(gitDir, "rmm", kind) }

var (
	idOnce     sync.Once
	idValue    [32]byte
	idOverride *[32]byte
	idMu       sync.Mutex
)

// BinaryID identifies the running rmm: the VCS revision of a clean build,
// else the Go build ID of an ELF executable (goBuildID), else the SHA-256
// of the executable's bytes. It is computed once per
// process; call it early in a goroutine to overlap the hashing with other
// work.
func BinaryID() [32]byte {
	idMu.Lock()
	o := idOverride
	idMu.Unlock()
	if o != nil {
		return *o
	}
	idOnce.Do(func() { idValue = computeBinaryID() })
	return idValue
}

// SetBinaryIDForTest makes BinaryID return a value derived from s until
// the returned function is called: tests use it to play a different rmm
// build against caches the first one wrote.
func SetBinaryIDForTest(s string) (restore func()) {
	id := sha256.Sum256([]byte("test " + s))
	idMu.Lock()
	prev := idOverride
	idOverride = &id
	idMu.Unlock()
	return func() {
		idMu.Lock()
		idOverride = prev
		idMu.Unlock()
	}
}

func computeBinaryID() [32]byte {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			return sha256.Sum256([]byte("vcs " + rev + " " + bi.Main.Path + " " + bi.GoVersion))
		}
	}
	if exe, err := os.Executable(); err == nil {
		if id := goBuildID(exe); id != "" {
			return sha256.Sum256([]byte("go build id " + id))
		}
		if f, err := os.Open(exe); err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				var id [32]byte
				copy(id[:], h.Sum(nil))
				return id
			}
		}
	}
	// Unknown binary: a random id, so nothing is reused.
	return sha256.Sum256([]byte("unknown " + time.Now().String()))
}

// goBuildID is the Go build ID the linker writes in an ELF executable's
// .note.go.buildid note, when it has the four parts `go build` gives a
// linked program (actionID/contentID of the main package and of the
// link); the last is the SHA-256-based content ID of the executable
// itself, so the ID changes with its bytes. "" when the file is not ELF,
// has no such note, or has an ID set by hand (-ldflags=-buildid=...):
// the executable is hashed then. Reading the note instead of hashing the
// 28 MB executable saves 22 ms of CPU on every command of a build that is
// not a clean VCS checkout (go install, a working tree with changes).
func goBuildID(exe string) string {
	f, err := elf.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil || sec.Size > 4096 {
		return ""
	}
	b, err := sec.Data()
	if err != nil || len(b) < 16 {
		return ""
	}
	// An ELF note: namesz, descsz, type (4, the Go build ID), the name
	// "Go\0" padded to 4 bytes, then the ID.
	bo := f.ByteOrder
	namesz, descsz, typ := bo.Uint32(b), bo.Uint32(b[4:]), bo.Uint32(b[8:])
	if namesz != 4 || typ != 4 || string(b[12:16]) != "Go\x00\x00" || uint64(descsz) > uint64(len(b)-16) {
		return ""
	}
	id := string(b[16 : 16+descsz])
	parts := strings.Split(id, "/")
	if len(parts) != 4 {
		return ""
	}
	for _, part := range parts {
		if len(part) < 16 || strings.Trim(part, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return ""
		}
	}
	return id
}

// Prefix is what every cache key of a kind starts with: the kind, its
// format version and the binary's identity. It is also the header of the
// kind's cache files (see Seal).
func Prefix(kind string, version int) []byte {
	id := BinaryID()
	return fmt.Appendf(nil, "rmm-store %s %d %x\x00", kind, version, id[:])
}

// A cache file is Prefix(kind, version), a body, and a CRC-32C of both:
// start the bytes with Prefix, append the body, end them with Seal and
// write them with WriteCache; ReadCache gives the body back only to the
// same kind, version and binary, and only when every byte is intact.

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Seal appends the checksum that ends a cache file to b, which starts
// with Prefix.
func Seal(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// ErrDamaged is returned by ReadCache for a cache file that cannot be
// trusted: damaged, cut short, of another format version or another rmm
// binary, or not a regular file. Its reader ignores it; the next save
// replaces it.
var ErrDamaged = errors.New("cache damaged or written by another rmm")

// Unseal returns the body of data, the bytes of a cache file of kind and
// version; ErrDamaged unless this binary sealed it and it is intact. The
// body shares data's bytes.
func Unseal(kind string, version int, data []byte) ([]byte, error) {
	p := Prefix(kind, version)
	if len(data) < len(p)+4 || !bytes.HasPrefix(data, p) {
		return nil, ErrDamaged
	}
	n := len(data) - 4
	if crc32.Checksum(data[:n], crcTable) != binary.LittleEndian.Uint32(data[n:]) {
		return nil, ErrDamaged
	}
	return data[len(p):n:n], nil
}

// ReadCache reads the cache file at path and returns its body (Unseal).
// A missing file gives an error wrapping fs.ErrNotExist; anything that
// is not a regular file (a folder, a pipe that would block, a symlink)
// gives ErrDamaged without being opened.
func ReadCache(path, kind string, version int) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, ErrDamaged
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Unseal(kind, version, data)
}

// WriteFile replaces the file at path with data, whole or not at all:
// data goes to a temporary file with a unique name in the same folder,
// is synced, and is renamed over path; then the folder is synced, so the
// new name survives a crash. The folder is created when missing.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, replaceDurable)
}

// WriteNew is WriteFile for a file that must not exist yet: the synced
// temporary file is linked to path, which fails, leaving whatever is
// there, with an error wrapping fs.ErrExist when another process (or the
// user) made path meanwhile. Use it where rmm must never replace a file
// it did not write.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, create)
}

// WriteCache is WriteFile without the syncs, for state that is only a
// shortcut (a cache whose loss costs a slower run, never a wrong one):
// the file is still replaced whole, under a unique temporary name, so two
// processes saving at once never mix their bytes. An empty folder where
// the file should be is removed first (one with anything in it is left
// alone, and the write fails).
func WriteCache(path string, data []byte) error {
	return write(path, data, 0o644, replaceCache)
}

// WriteCacheSealed is WriteCache of Seal(the parts one after the other),
// written part by part: the whole is never copied into one buffer (a
// cache holding every document's bytes is as large as the library).
func WriteCacheSealed(path string, parts [][]byte) error {
	f, err := createTemp(path)
	if err != nil {
		return err
	}
	tmp := f.Name()
	bw := bufio.NewWriterSize(f, 1<<16)
	crc := uint32(0)
	for _, p := range parts {
		crc = crc32.Update(crc, crcTable, p)
		if _, err = bw.Write(p); err != nil {
			break
		}
	}
	if err == nil {
		_, err = bw.Write(binary.LittleEndian.AppendUint32(nil, crc))
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = renameCache(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// renameCache puts the cache file tmp at path, removing an empty folder
// found there.
func renameCache(tmp, path string) error {
	err := os.Rename(tmp, path)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.IsDir() && os.Remove(path) == nil {
			err = os.Rename(tmp, path)
		}
	}
	return err
}

type writeMode int

const (
	replaceDurable writeMode = iota
	replaceCache
	create
)

// createTemp creates the temporary file a write of path starts with,
// under a unique name in path's folder (made if missing).
func createTemp(path string) (*os.File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, "."+filepath.Base(path)+".rmm-tmp-*")
}

func write(path string, data []byte, perm fs.FileMode, mode writeMode) error {
	dir := filepath.Dir(path)
	f, err := createTemp(path)
	if err != nil {
		return err
	}
	tmp := f.Name()
	durable := mode != replaceCache
	if err := writeClose(f, data, perm, durable); err != nil {
		os.Remove(tmp)
		return err
	}
	switch mode {
	case create:
		err = os.Link(tmp, path)
		os.Remove(tmp)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			// A file system without hard links: create path exclusively
			// and write it in place (still never over another file).
			err = createExcl(path, data, perm)
		}
	default:
		if mode == replaceCache {
			err = renameCache(tmp, path)
		} else {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil || !durable {
		return err
	}
	return syncDir(dir)
}

func createExcl(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := writeClose(f, data, perm, true); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// IsTemp reports whether a file name is one of WriteFile's temporary
// files (left behind only by a process that was killed).
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".rmm-tmp-")
}

func writeClose(f *os.File, data []byte, perm fs.FileMode, durable bool) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	// Some file systems cannot sync a folder; the rename is done anyway.
	if errors.Is(err, os.ErrInvalid) || errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	return err
}

// ErrBusy is returned when another process holds a file's lock for longer
// than Update waits.
var ErrBusy = errors.New("is being changed by another rmm or git")

// ErrUnchanged, returned by an Update function, leaves the file as it is
// and makes Update return nil.
var ErrUnchanged = errors.New("no change")

// LockWait is how long Update waits for another process's lock.
var LockWait = 10 * time.Second

// Update changes the file at path under git's lock protocol: it creates
// path.lock exclusively (waiting up to LockWait while another process
// holds it), reads the file as it is now, calls fn with those bytes, writes
// what fn returns into the lock file, syncs it and renames it over path.
// fn runs with the lock held, so it sees every change another Update made
// before. When fn fails, the file is left as it was and fn's error is
// returned; ErrUnchanged leaves it as well but gives nil. A symlink is
// followed: its target is the file changed. The file keeps its mode.
//
// When the lock stays taken, the error wraps ErrBusy and names the lock
// file, to be removed by hand if no process is running.
func Update(path string, fn func(cur []byte) ([]byte, error)) error {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	lock := path + ".lock"
	f, err := takeLock(lock, LockWait)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(lock)
		}
	}()
	cur, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := fn(cur)
	if errors.Is(err, ErrUnchanged) {
		return nil
	}
	if err != nil {
		return err
	}
	if bytes.Equal(out, cur) {
		return nil
	}
	if err := writeClose(f, out, info.Mode().Perm(), true); err != nil {
		return fmt.Errorf("write %s: %w", lock, err)
	}
	done = true
	if err := os.Rename(lock, path); err != nil {
		os.Remove(lock)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// takeLock creates lock exclusively, retrying while another process holds
// it, for up to wait.
func takeLock(lock string, wait time.Duration) (*os.File, error) {
	deadline := time.Now().Add(wait)
	delay := time.Millisecond
	for {
		f, err := os.OpenFile(lock, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s %w: %s exists; if no rmm or git is running, remove it", strings.TrimSuffix(lock, ".lock"), ErrBusy, lock)
		}
		time.Sleep(delay)
		if delay < 50*time.Millisecond {
			delay *= 2
		}
	}
}
