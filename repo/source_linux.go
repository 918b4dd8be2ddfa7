package repo

import (
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// openBeneath returns a reader of files below root in one openat2 call
// each, confined to root by the kernel, or nil when root cannot be opened
// or the kernel has no openat2.
func openBeneath(root string) func(name string) ([]byte, error) {
	fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	dir := os.NewFile(uintptr(fd), root) // closed when collected
	how := &unix.OpenHow{Flags: unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NONBLOCK,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV}
	if probe, err := unix.Openat2(int(dir.Fd()), ".", how); err != nil {
		dir.Close()
		return nil
	} else {
		unix.Close(probe)
	}
	return func(name string) ([]byte, error) {
		fd, err := unix.Openat2(int(dir.Fd()), name, how)
		if err != nil {
			return nil, err
		}
		f := os.NewFile(uintptr(fd), name)
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			// A FIFO or a device (through a symlink: the walk skips them
			// otherwise): never read, as opening it through os.Root
			// would wait for a writer forever.
			return nil, &os.PathError{Op: "read", Path: name, Err: errNotRegular}
		}
		b := make([]byte, 0, fi.Size()+1)
		for {
			n, err := f.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			if err == io.EOF {
				return b, nil
			}
			if err != nil {
				return nil, err
			}
			if len(b) == cap(b) {
				b = append(b, 0)[:len(b)]
			}
		}
	}
}

// indexStampOf is what says the index file is the one read before; zero
// (never trusted) when the system says nothing of its inode.
func indexStampOf(fi os.FileInfo) indexStamp {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return indexStamp{}
	}
	return indexStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano(), ino: uint64(st.Ino)}
}
