package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// startProfile writes a CPU profile of the whole run to the file
// RMM_CPUPROFILE names, and a heap profile taken near the run's peak to
// the file RMM_MEMPROFILE names, for benchmarks (bench/*.sh); it returns
// the function that ends them. Without the variables it does nothing. A
// profile that cannot be written is silently skipped: it is never part of
// what a command does.
func startProfile() func() {
	stopCPU := startCPUProfile(os.Getenv("RMM_CPUPROFILE"))
	stopMem := startPeakHeapProfile(os.Getenv("RMM_MEMPROFILE"))
	return func() {
		stopMem()
		stopCPU()
	}
}

func startCPUProfile(name string) func() {
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

// startPeakHeapProfile looks at the heap every 10 ms and, each time it has
// grown a tenth past the largest seen, writes the heap profile (in use
// objects, as of the last collection) to name again: what is left is the
// profile nearest the peak.
func startPeakHeapProfile(name string) func() {
	if name == "" {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse < peak+peak/10 {
				continue
			}
			peak = ms.HeapInuse
			if f, err := os.Create(name); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
