// Command historybench times repo.LoadHistory on a repository and, with
// -verify, checks every path's list against git's own output.
//
//	historybench [-cache DIR] [-verify] [-n RUNS] GITDIR
//
// It prints the wall time of the fastest run and the peak RSS of the
// process (getrusage), one "key value" per line, for bench/history.sh.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rmm-pal/rmm/repo"
)

func main() {
	cacheDir := flag.String("cache", "", "cache folder (default: none)")
	verify := flag.Bool("verify", false, "compare every path with git log")
	runs := flag.Int("n", 1, "runs; the fastest is reported")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile")
	memprofile := flag.String("memprofile", "", "write an allocation profile")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: historybench [-cache DIR] [-verify] [-n RUNS] GITDIR")
		os.Exit(2)
	}
	gitDir := flag.Arg(0)
	if fi, err := os.Stat(filepath.Join(gitDir, ".git")); err == nil && fi.IsDir() {
		gitDir = filepath.Join(gitDir, ".git")
	}
	out, err := exec.Command("git", "--git-dir", gitDir, "rev-parse", "HEAD").Output()
	if err != nil {
		fail(fmt.Errorf("git rev-parse HEAD: %w", err))
	}
	head := strings.TrimSpace(string(out))

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var h *repo.History
	best := time.Duration(1 << 62)
	for i := 0; i < *runs; i++ {
		start := time.Now()
		h, err = repo.LoadHistory(gitDir, head, *cacheDir)
		if err != nil {
			fail(err)
		}
		best = min(best, time.Since(start))
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			fail(err)
		}
		_ = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("seconds %.3f\n", best.Seconds())
	fmt.Printf("maxrss_kb %d\n", ru.Maxrss)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("cpu_seconds_per_run %.3f\n", cpu.Seconds()/float64(*runs))
	fmt.Printf("paths %d\n", len(h.Paths()))
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "Rss") || strings.HasPrefix(l, "VmHWM") {
				fmt.Println("#", strings.Join(strings.Fields(l), " "))
			}
		}
	}
	if *verify {
		if err := check(gitDir, head, h); err != nil {
			pprof.StopCPUProfile()
			fail(err)
		}
		fmt.Println("verify ok")
	}
}

// check compares every path's list with the one git's name-only log gives
// (for a path that is also a folder somewhere in history, the commits below
// it count too, as with `git log -- PATH`).
func check(gitDir, head string, h *repo.History) error {
	cmd := exec.Command("git", "--git-dir", gitDir, "-c", "core.quotePath=false", "log",
		"--no-merges", "--no-renames", "--name-only", "--format=%x00%H", head)
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git log: %w", err)
	}
	want := make(map[string][]int) // path: positions in the log
	var hashes []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "\x00") {
			hashes = append(hashes, line[1:])
			continue
		}
		if line != "" {
			want[line] = append(want[line], len(hashes)-1)
		}
	}
	paths := h.Paths()
	if len(paths) != len(want) {
		return fmt.Errorf("%d paths, git has %d", len(paths), len(want))
	}
	for i, p := range paths {
		w := slices.Clone(want[p])
		// Paths below p/ follow p in sorted order, after names such as p-x.
		for _, q := range paths[i+1:] {
			if strings.HasPrefix(q, p+"/") {
				w = append(w, want[q]...)
			} else if !strings.HasPrefix(q, p) {
				break
			}
		}
		slices.Sort(w)
		w = slices.Compact(w)
		got := h.Of(p)
		if len(got) != len(w) {
			return fmt.Errorf("%s: got %d commits, git %d", p, len(got), len(w))
		}
		for k, c := range got {
			if c.Hash != hashes[w[k]] {
				return fmt.Errorf("%s: commit %d is %s, git has %s", p, k, c.Hash, hashes[w[k]])
			}
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "historybench:", err)
	os.Exit(1)
}
