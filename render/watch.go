package render

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// The watcher follows Hugo's watcher/batcher.go: it knows nothing about
// sites. It watches a folder and every folder below it (adding new ones as
// they appear), drops editor noise and chmod-only events, and hands over
// the changed paths in batches, one slice per quiet moment.
//
// Git: the watcher does not descend into .git (thousands of object files),
// but it does watch .git itself for HEAD and packed-refs and .git/refs
// below it, so a commit, a checkout or a new baseline tag rebuilds the site:
// pages carry their history and baselines, which only a commit changes.

// WatchOptions tune Watch.
type WatchOptions struct {
	// Interval is how long the watcher waits after the first event of a
	// batch before handing the batch over (default 20 ms): an editor's save
	// is several events within a millisecond or two, and it is added to
	// every edit-to-reload. A straggler only makes one more batch; events
	// that come while the reader is busy join the next batch.
	Interval time.Duration
	// SkipDir reports whether a folder (an absolute path) is left out with
	// everything below it. .git is always handled as described above.
	SkipDir func(path string) bool
}

// Watcher delivers batches of changed paths (absolute, sorted, each once)
// on Changes until Close; when the system dropped events, the batch holds
// the root itself. Errors from the operating system go to Errors;
// neither channel needs a reader for the other to flow, but a batch waits
// until it is read, and new events join the pending batch meanwhile.
type Watcher struct {
	Changes <-chan []string
	Errors  <-chan error

	root    string
	gitDir  string
	opts    WatchOptions
	fw      *fsnotify.Watcher
	changes chan []string
	errs    chan error
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

// Watch starts watching root recursively. gitDir, when not "", is the
// repository's git folder (usually root/.git): its HEAD, packed-refs and
// refs/ are watched too.
func Watch(root, gitDir string, opts WatchOptions) (*Watcher, error) {
	if opts.Interval <= 0 {
		opts.Interval = 20 * time.Millisecond
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if gitDir != "" {
		if gitDir, err = filepath.Abs(gitDir); err != nil {
			return nil, err
		}
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	ch := make(chan []string)
	errs := make(chan error, 16)
	w := &Watcher{Changes: ch, Errors: errs, root: root, gitDir: gitDir, opts: opts, fw: fw, changes: ch, errs: errs, done: make(chan struct{})}
	if _, err := w.addTree(root); err != nil {
		fw.Close()
		return nil, err
	}
	if gitDir != "" {
		if err := fw.Add(gitDir); err != nil {
			fw.Close()
			return nil, err
		}
		if _, err := w.addTree(filepath.Join(gitDir, "refs")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			fw.Close()
			return nil, err
		}
	}
	w.wg.Add(1)
	go w.loop()
	return w, nil
}

// Close stops the watcher and closes Changes.
func (w *Watcher) Close() error {
	var err error
	w.once.Do(func() {
		close(w.done)
		err = w.fw.Close()
		w.wg.Wait()
	})
	return err
}

// addTree watches dir and every folder below it that is not skipped, and
// returns the regular files it found, so that files written into a new
// folder before its watch was in place are not missed.
func (w *Watcher) addTree(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // vanished meanwhile
		}
		if !d.IsDir() {
			if d.Type().IsRegular() && !noise(d.Name()) {
				files = append(files, p)
			}
			return nil
		}
		if w.skipDir(p) {
			return filepath.SkipDir
		}
		if err := w.fw.Add(p); err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		return nil
	})
	return files, err
}

// skipDir: .git's contents (but not refs/, which Watch adds itself), and
// whatever the options leave out.
func (w *Watcher) skipDir(p string) bool {
	if w.gitDir != "" && p == w.gitDir {
		return true
	}
	if w.gitDir != "" && strings.HasPrefix(p, w.gitDir+string(filepath.Separator)) {
		return !inRefs(w.gitDir, p)
	}
	if filepath.Base(p) == ".git" {
		return true
	}
	return w.opts.SkipDir != nil && w.opts.SkipDir(p)
}

func inRefs(gitDir, p string) bool {
	refs := filepath.Join(gitDir, "refs")
	return p == refs || strings.HasPrefix(p, refs+string(filepath.Separator))
}

// relevant reports whether an event in the git folder matters: HEAD,
// packed-refs and refs/ only (not index, objects, logs, lock files).
func (w *Watcher) relevant(p string) bool {
	if w.gitDir == "" || !strings.HasPrefix(p, w.gitDir+string(filepath.Separator)) {
		return true
	}
	if strings.HasSuffix(p, ".lock") {
		return false
	}
	if filepath.Dir(p) == w.gitDir {
		b := filepath.Base(p)
		return b == "HEAD" || b == "packed-refs" || b == "refs"
	}
	return inRefs(w.gitDir, p)
}

// noise is an editor's or a system's temporary file: vim's swap files and
// its 4913 write test, backups ending in ~, Emacs lock and autosave files.
func noise(name string) bool {
	switch {
	case name == "4913", name == ".DS_Store":
		return true
	case strings.HasSuffix(name, "~"), strings.HasPrefix(name, ".#"):
		return true
	case strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"):
		return true
	}
	switch filepath.Ext(name) {
	case ".swp", ".swx", ".swpx", ".swo", ".tmp":
		return true
	}
	return false
}

func (w *Watcher) loop() {
	defer w.wg.Done()
	defer close(w.changes)
	pending := map[string]bool{}
	var timer *time.Timer
	var fire <-chan time.Time // non-nil while a batch waits for its interval
	var out chan []string     // non-nil while a batch is ready to hand over
	var batch []string
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if !w.accept(ev) {
				continue
			}
			pending[ev.Name] = true
			if ev.Has(fsnotify.Create) {
				// A new folder: watch it, and report what it already holds.
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() && !w.skipDir(ev.Name) {
					files, _ := w.addTree(ev.Name)
					for _, f := range files {
						pending[f] = true
					}
				}
			}
			if fire == nil && out == nil {
				if timer == nil {
					timer = time.NewTimer(w.opts.Interval)
				} else {
					timer.Reset(w.opts.Interval)
				}
				fire = timer.C
			}
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: say the whole tree changed.
				pending[w.root] = true
				if fire == nil && out == nil {
					if timer == nil {
						timer = time.NewTimer(w.opts.Interval)
					} else {
						timer.Reset(w.opts.Interval)
					}
					fire = timer.C
				}
				continue
			}
			select {
			case w.errs <- err:
			default: // nobody reads errors: drop rather than block
			}
		case <-fire:
			fire = nil
			batch = batch[:0:0]
			for p := range pending {
				batch = append(batch, p)
			}
			slices.Sort(batch)
			clear(pending)
			out = w.changes
		case out <- batch:
			out = nil
			batch = nil
			if len(pending) > 0 {
				// Events that came while the batch waited for its reader.
				timer.Reset(w.opts.Interval)
				fire = timer.C
			}
		}
	}
}

// accept drops chmod-only events, editor noise, git's internals, and
// events in skipped folders (the output folder when it is created after the
// watch began, or the folder a build writes beside it).
func (w *Watcher) accept(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod || ev.Op == 0 {
		return false
	}
	if noise(filepath.Base(ev.Name)) {
		return false
	}
	if w.gitDir != "" && strings.HasPrefix(ev.Name, w.gitDir+string(filepath.Separator)) {
		return w.relevant(ev.Name)
	}
	for d := ev.Name; len(d) > len(w.root); d = filepath.Dir(d) {
		if filepath.Base(d) == ".git" || (w.opts.SkipDir != nil && w.opts.SkipDir(d)) {
			return false
		}
	}
	return true
}
