package pdf

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/store"
)

// DefaultOutput is the folder below the library's root that rmm pdf
// writes into when not told otherwise (like _site for rmm build).
const DefaultOutput = "_pdf"

// MarkerFile lists, in a folder rmm pdf wrote into, the files it wrote
// there, each with the SHA-256 of the bytes it wrote, one per line in the
// format of sha256sum ("HEX  NAME"), so `sha256sum -c .rmm-pdf` checks
// them.
const MarkerFile = ".rmm-pdf"

// Output is a folder rmm pdf writes PDF files into. It writes a file only
// where none is, or over one that the folder's MarkerFile lists with the
// bytes that are there now: a file rmm did not write, or that was changed
// since (a signed or annotated copy), is never replaced. The folder is
// created when missing.
type Output struct {
	Dir string
}

// File is one file to write into an Output.
type File struct {
	Name string // a file name, no folder
	Data []byte
}

// RefusedError says why a file or the folder may not be written.
type RefusedError struct {
	Path   string
	Reason string
	Hint   string
}

func (e *RefusedError) Error() string { return e.Path + " " + e.Reason }

const refusedHint = "move it away, or write elsewhere with -o DIR"

// Check tells whether every name may be written, before any work is done:
// nil, or a *RefusedError for the first that may not (or another error
// when the folder cannot be read).
func (o Output) Check(names []string) error {
	listed, err := o.listed()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := o.check(n, listed); err != nil {
			return err
		}
	}
	return nil
}

// listed reads the marker: name -> hex SHA-256. A missing folder or
// marker lists nothing.
func (o Output) listed() (map[string]string, error) {
	fi, err := os.Stat(o.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return map[string]string{}, nil
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, &RefusedError{Path: o.Dir, Reason: "is not a folder", Hint: "name a folder with -o DIR"}
	}
	m := filepath.Join(o.Dir, MarkerFile)
	mi, err := os.Lstat(m)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	if !mi.Mode().IsRegular() {
		return nil, &RefusedError{Path: m, Reason: "is not a file rmm wrote", Hint: refusedHint}
	}
	data, err := os.ReadFile(m)
	if err != nil {
		return nil, err
	}
	return parseMarker(data), nil
}

// parseMarker reads sha256sum lines; a line it cannot read lists nothing,
// so the file it may name is not replaced.
func parseMarker(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" || strings.ContainsAny(name, "/\\") {
			continue
		}
		if _, err := hex.DecodeString(sum); err != nil {
			continue
		}
		out[name] = sum
	}
	return out
}

func formatMarker(listed map[string]string) []byte {
	names := make([]string, 0, len(listed))
	for n := range listed {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", listed[n], n)
	}
	return b.Bytes()
}

// check tells whether name may be written: it is not there, or it holds
// the bytes rmm wrote, as listed.
func (o Output) check(name string, listed map[string]string) error {
	p := filepath.Join(o.Dir, name)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &RefusedError{Path: p, Reason: "exists and is not a file rmm wrote", Hint: refusedHint}
	}
	want, ok := listed[name]
	if !ok {
		return &RefusedError{Path: p, Reason: "exists and rmm did not write it", Hint: refusedHint}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
		return &RefusedError{Path: p, Reason: "was changed since rmm wrote it", Hint: refusedHint}
	}
	return nil
}

// Write writes the files, each whole or not at all, under the lock of the
// marker (store.Update), checking each again first, and lists them in the
// marker. A refusal found then writes nothing; a failure half-way keeps
// the files written so far, listed.
func (o Output) Write(files []File) error {
	if _, err := o.listed(); err != nil {
		return err // not a folder, a marker that is not a file
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return err
	}
	marker := filepath.Join(o.Dir, MarkerFile)
	if err := store.WriteNew(marker, nil, 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	var werr error
	err := store.Update(marker, func(cur []byte) ([]byte, error) {
		listed := parseMarker(cur)
		for _, f := range files {
			if err := o.check(f.Name, listed); err != nil {
				return nil, err
			}
		}
		for _, f := range files {
			p := filepath.Join(o.Dir, f.Name)
			var err error
			if _, ok := listed[f.Name]; ok {
				err = store.WriteFile(p, f.Data, 0o644)
			} else {
				err = store.WriteNew(p, f.Data, 0o644)
			}
			if errors.Is(err, fs.ErrExist) {
				err = &RefusedError{Path: p, Reason: "exists and rmm did not write it", Hint: refusedHint}
			}
			if err != nil {
				werr = err
				break
			}
			sum := sha256.Sum256(f.Data)
			listed[f.Name] = hex.EncodeToString(sum[:])
		}
		return formatMarker(listed), nil
	})
	if err != nil {
		return err
	}
	return werr
}
