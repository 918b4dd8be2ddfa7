//go:build unix

package render

import "syscall"

// mkfifo makes a named pipe, a special file serve must not open.
func mkfifo(p string) error { return syscall.Mkfifo(p, 0o644) }
