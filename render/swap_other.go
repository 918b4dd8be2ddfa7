//go:build !linux

package render

import (
	"errors"
	"os"
)

// exchange is not available: swap falls back to two renames.
func exchange(a, b string) error { return errors.ErrUnsupported }

// lockSpare: without an exchange in one step the spare folder is not
// used (a build writes a new folder and removes the old site).
func lockSpare(string) *os.File { return nil }
