package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole run to the file
// RMM_CPUPROFILE names, for benchmarks (bench/*.sh); it returns the
// function that ends it. Without the variable it does nothing. A profile
// that cannot be written is silently skipped: it is never part of what a
// command does.
func startProfile() func() {
	name := os.Getenv("RMM_CPUPROFILE")
	if name == "" {
		return func() {}
	}
	f, err := os.Create(name)
	if err != nil {
		return func() {}
	}
	if pprof.StartCPUProfile(f) != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
