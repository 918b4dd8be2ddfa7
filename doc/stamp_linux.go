package doc

import (
	"io/fs"
	"os"
	"syscall"
)

// sysStamp returns a file's change time (nanoseconds) and inode.
func sysStamp(info fs.FileInfo) (ctime int64, ino uint64, ok bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec), uint64(st.Ino), true
}

// readableByUs reports whether the file's mode lets this process read it
// (as its owner, or as anyone): the stamp cache hands out a file's bytes
// only to a process that could open the file itself. A group-readable
// file of another owner is simply read.
func readableByUs(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	m := info.Mode().Perm()
	return m&0o004 != 0 || st.Uid == uint32(os.Geteuid()) && m&0o400 != 0
}
