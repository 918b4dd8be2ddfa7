//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package repo

import "os"

// hMmap reads path into memory where mmap is not available.
func hMmap(path string) ([]byte, func() error, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
