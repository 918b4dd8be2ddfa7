//go:build !unix

package repo

// openFlags: a system without named pipes of the kind opens plainly.
const openFlags = 0
