//go:build !unix

package render

import "errors"

func mkfifo(p string) error { return errors.ErrUnsupported }
