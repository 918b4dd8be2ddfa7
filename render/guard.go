package render

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rmm-pal/rmm/repo"
	"github.com/rmm-pal/rmm/store"
)

// The output guard: rmm writes a site only into a folder that is its own
// (SPEC 9). Every site rmm writes carries MarkerFile at its top, listing
// the files of that site; a folder is used only when it does not exist,
// holds no file, or carries the marker and holds nothing else (rmm's own
// temporary files and empty folders aside). Whatever the marker, rmm never
// writes into the library's root, a folder above it, the git folder (but
// its own preview store, <gitdir>/rmm/serve/NAME) or a folder holding files
// git tracks. The writer (newSiteWriter) asks the guard before it writes
// anything, so no command can skip it; pruning and replacing then touch
// only the files the marker lists.

// MarkerFile is the name of the file at the top of every site rmm writes.
// Its first line is markerHeader; each further line is a file of the site,
// a slash path relative to the site, sorted, with '%', control bytes and
// line breaks percent-encoded. The marker does not list itself.
const MarkerFile = ".rmm-site"

const markerHeader = "rmm-site 1"

// OutputError is a refusal to write a site into Dir.
type OutputError struct {
	Dir    string // the output folder, absolute
	Reason string // why, said after the folder's name
	Hint   string // what to do instead
}

func (e *OutputError) Error() string { return "output folder " + e.Dir + " " + e.Reason }

// Hints of the refusals.
const (
	hintPlace   = "name a new or empty folder for the site, or leave -o out for the default"
	hintNotOurs = "name a new or empty folder, or one rmm wrote before; delete %s yourself if it is an old rmm site"
)

// CheckOutput tells whether rmm may write a site into out (absolute): nil,
// or an *OutputError saying why not. It changes nothing; Build asks the
// same before it writes, so callers use it only to refuse early (rmm serve
// before it listens).
func CheckOutput(r *repo.Repo, out string) error {
	_, err := guard(r, out)
	return err
}

// ownedDir is what the guard found in an output folder it lets through.
type ownedDir struct {
	exists bool
	// listed holds the files the folder's marker lists; nil when the
	// folder has no marker (it does not exist or holds no file).
	listed map[string]bool
	// reset: the folder is a preview in rmm's own store that is not as
	// rmm leaves it (written by an older rmm, or with files rmm did not
	// write); the writer empties it.
	reset bool
	// private: the folder is rmm serve's own preview or rmm build's
	// spare (write.go), in the git folder.
	private bool
	// What the folder held when the guard looked, slash paths relative
	// to it: the listed files that are there (not following symbolic
	// links), rmm's temporary files, and the folders, parents first. An
	// in-place build prunes from these, so it never walks the folder
	// twice nor removes a file the guard did not see.
	present []string
	temps   []string
	dirs    []string
}

// guard decides whether out may hold a site; see CheckOutput.
func guard(r *repo.Repo, out string) (*ownedDir, error) {
	if out == "" || !filepath.IsAbs(out) {
		return nil, fmt.Errorf("output folder %q is not an absolute path", out)
	}
	out = filepath.Clean(out)
	refuse := func(hint, format string, args ...any) (*ownedDir, error) {
		return nil, &OutputError{Dir: out, Reason: fmt.Sprintf(format, args...), Hint: hint}
	}
	real := resolve(out)
	private := false
	if r != nil {
		root := resolve(r.Root)
		if real == root {
			return refuse(hintPlace, "is the library's root: a site there would replace your documents")
		}
		if inside(root, real) {
			return refuse(hintPlace, "holds the library (%s): a site there would replace it", r.Root)
		}
		for _, g := range gitDirs(r) {
			gd := resolve(g)
			switch {
			case real == gd:
				return refuse(hintPlace, "is the git folder")
			case inside(gd, real):
				return refuse(hintPlace, "holds the git folder (%s)", g)
			case inside(real, gd):
				if d := filepath.Dir(real); d == filepath.Join(resolve(r.GitDir), "rmm", "serve") || d == filepath.Join(resolve(r.GitDir), "rmm", "spare") {
					private = true // rmm serve's own preview folder, or rmm build's spare (write.go)
					continue
				}
				return refuse(hintPlace, "is inside the git folder (%s)", g)
			}
		}
	}
	fi, err := os.Lstat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return &ownedDir{}, nil
	}
	if err != nil {
		return refuse(hintPlace, "cannot be used: %v", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return refuse("name the folder it points to, or a new or empty one", "is a symbolic link, not a folder")
	}
	if !fi.IsDir() {
		return refuse(hintPlace, "is a file, not a folder")
	}
	if r != nil && !private {
		p, ok, err := r.TrackedUnder(real)
		if err != nil {
			return nil, err
		}
		if ok {
			return refuse("name a new or empty folder that git does not track",
				"holds files git tracks (%s): a site there would replace them", shortName(out, p))
		}
	}
	notOurs := fmt.Sprintf(hintNotOurs, out)
	listed, err := readMarker(out)
	if err != nil {
		if private {
			return &ownedDir{exists: true, reset: true, private: true}, nil
		}
		return refuse(notOurs, "has a %s marker this rmm cannot read (%v)", MarkerFile, err)
	}
	var foreign []string
	n := 0
	own := &ownedDir{exists: true, listed: listed, private: private}
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == out {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimLeft(strings.TrimPrefix(p, out), string(filepath.Separator)))
		if d.IsDir() {
			own.dirs = append(own.dirs, rel)
			return nil
		}
		switch {
		case rel == MarkerFile:
			return nil
		case listed != nil && listed[rel]:
			own.present = append(own.present, rel)
			return nil
		case listed != nil && store.IsTemp(d.Name()):
			own.temps = append(own.temps, rel)
			return nil
		}
		if n++; len(foreign) < 3 {
			foreign = append(foreign, shortName(out, rel))
		}
		if listed == nil {
			return fs.SkipAll // one file is enough to refuse
		}
		return nil
	})
	if err != nil {
		return refuse(hintPlace, "cannot be read: %v", err)
	}
	switch {
	case n == 0:
		return own, nil
	case private:
		return &ownedDir{exists: true, reset: true, private: true}, nil
	case listed == nil:
		if looksLikeOldSite(out) {
			return refuse(fmt.Sprintf("it looks like a site an older rmm built, before sites carried %s: delete %s yourself once, then build again", MarkerFile, out),
				"is not empty and has no %s marker, so rmm did not write it (it holds %s)", MarkerFile, foreign[0])
		}
		return refuse(notOurs, "is not empty and has no %s marker, so rmm did not write it (it holds %s)", MarkerFile, foreign[0])
	default:
		more := ""
		if n > len(foreign) {
			more = fmt.Sprintf(" and %d more", n-len(foreign))
		}
		return refuse(fmt.Sprintf("move them out of %s, or name a new or empty folder", out),
			"holds files rmm did not write: %s%s", strings.Join(foreign, ", "), more)
	}
}

// gitDirs are the git folders of r: its own, the .git at the top of the
// work tree (a file naming the folder in a worktree or submodule), and
// the common folder of a linked worktree.
func gitDirs(r *repo.Repo) []string {
	dirs := []string{r.GitDir}
	if top := r.WorkTreeTop(); top != "" {
		if d := filepath.Join(top, ".git"); d != r.GitDir {
			dirs = append(dirs, d)
		}
	}
	if b, err := os.ReadFile(filepath.Join(r.GitDir, "commondir")); err == nil {
		d := strings.TrimSpace(string(b))
		if !filepath.IsAbs(d) {
			d = filepath.Join(r.GitDir, d)
		}
		if d = filepath.Clean(d); d != r.GitDir {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// looksLikeOldSite reports whether dir holds what every rmm site holds.
func looksLikeOldSite(dir string) bool {
	for _, p := range []string{"index.html", "assets/search-index.js"} {
		if fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p))); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// shortName names a file of the folder out by the folder's last element
// and its path inside: u/thesis.docx.
func shortName(out, rel string) string {
	return filepath.Join(filepath.Base(out), filepath.FromSlash(rel))
}

// resolve is p with every symbolic link of its longest existing prefix
// followed, so that two names of one folder compare equal.
func resolve(p string) string {
	p = filepath.Clean(p)
	rest := ""
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// inside reports whether p is strictly below the folder dir.
func inside(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// readMarker reads the marker of the folder dir: the files it lists, or
// nil when there is no marker. A marker that is not a regular file, or
// does not parse, is an error.
func readMarker(dir string) (map[string]bool, error) {
	p := filepath.Join(dir, MarkerFile)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return parseMarker(b)
}

func parseMarker(b []byte) (map[string]bool, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != markerHeader {
		return nil, fmt.Errorf("its first line is not %q", markerHeader)
	}
	listed := map[string]bool{}
	for line := 2; sc.Scan(); line++ {
		if sc.Text() == "" {
			continue
		}
		p, err := unescapeMarker(sc.Text())
		if err == nil {
			err = checkRel(p)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		listed[p] = true
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return listed, nil
}

// markerBytes is the marker of a site holding files.
func markerBytes(files map[string]bool) []byte {
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString(markerHeader + "\n")
	for _, p := range names {
		b.WriteString(escapeMarker(p))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// escapeMarker percent-encodes '%', control bytes and line breaks.
func escapeMarker(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func unescapeMarker(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		hi, lo := unhex(s[i+1]), unhex(s[i+2])
		if hi < 0 || lo < 0 {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		b.WriteByte(byte(hi<<4 | lo))
		i += 2
	}
	return b.String(), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
