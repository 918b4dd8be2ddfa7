//go:build unix

package repo

import "syscall"

// openFlags keep openRegular's open from waiting on a named pipe.
const openFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY
