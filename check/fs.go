package check

import "io/fs"

func readFile(c *Context, name string) ([]byte, error) { return fs.ReadFile(c.Snap.FS, name) }
