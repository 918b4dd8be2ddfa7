//go:build !linux

package doc

import "io/fs"

// sysStamp is only known on Linux; elsewhere every file is read and
// compared with the previous load's bytes.
func sysStamp(fs.FileInfo) (ctime int64, ino uint64, ok bool) { return 0, 0, false }

func readableByUs(fs.FileInfo) bool { return false }
