//go:build !linux

package repo

// openBeneath is nil where there is no openat2: files are read through
// os.Root.
func openBeneath(root string) func(name string) ([]byte, error) { return nil }
