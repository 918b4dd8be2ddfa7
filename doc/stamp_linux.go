package doc

import (
	"io/fs"
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
