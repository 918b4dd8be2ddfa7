package render

import (
	"os"

	"golang.org/x/sys/unix"
)

// exchange swaps two paths in one step (renameat2 RENAME_EXCHANGE).
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}

// lockSpare takes the lock of a spare folder (write.go) without waiting:
// an flock(2) on the file p, which the system lets go when the process
// ends, so a killed build never leaves it taken. nil when another build
// holds it or the lock cannot be made; that build then goes without.
func lockSpare(p string) *os.File {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil
	}
	if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil {
		f.Close()
		return nil
	}
	return f
}
