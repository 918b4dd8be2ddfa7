package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// serveScriptCmds are the script commands for rmm serve and rmm demo: a
// server runs in the background, so scripts need ports and a patient GET.
var serveScriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// freeport VAR: sets $VAR to a port on 127.0.0.1 that was free a
	// moment ago.
	"freeport": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: freeport VAR")
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		ts.Setenv(args[0], strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
		ln.Close()
	},
	// holdport VAR: listens on a port of 127.0.0.1 until the script ends,
	// and sets $VAR to it.
	"holdport": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: holdport VAR")
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		ts.Defer(func() { ln.Close() })
		ts.Setenv(args[0], strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	},
	// httpwait URL [TEXT]: GETs URL until it answers 200 (and its body
	// holds TEXT), for up to two minutes; the body goes to stdout.
	"httpwait": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 1 || len(args) > 2 {
			ts.Fatalf("usage: httpwait URL [TEXT]")
		}
		var last string
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			resp, err := http.Get(args[0])
			if err != nil {
				last = err.Error()
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = resp.Status + "\n" + string(b)
			if resp.StatusCode == http.StatusOK && (len(args) == 1 || strings.Contains(string(b), args[1])) {
				ts.Stdout().Write(b)
				return
			}
		}
		ts.Fatalf("%s never answered 200 with %q; last answer:\n%s", args[0], args[1:], last)
	},
	// buildwait URL: GETs URL, a file no build writes, once: rmm serve
	// answers a file that is not yet final for the build in progress
	// only when that build has ended (its Rebuilt line printed), while a
	// page it has settled can be answered before (fast render). A script
	// that saw the new page and stops the server must wait so, or it may
	// interrupt the build before it says so.
	"buildwait": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: buildwait URL")
		}
		c := &http.Client{Timeout: 2 * time.Minute}
		resp, err := c.Get(args[0])
		ts.Check(err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	},
	// ssewait URL EVENT [TEXT]: reads the server-sent events at URL until
	// one named EVENT (whose data holds TEXT) arrives, for up to two
	// minutes; its data goes to stdout.
	"ssewait": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: ssewait URL EVENT [TEXT]")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "GET", args[0], nil)
		ts.Check(err)
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var name, data string
		var seen []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				seen = append(seen, name+": "+data)
				if name == args[1] && (len(args) == 2 || strings.Contains(data, args[2])) {
					fmt.Fprintln(ts.Stdout(), data)
					return
				}
				name, data = "", ""
			case strings.HasPrefix(line, "event: "):
				name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				if data != "" {
					data += "\n"
				}
				data += line[len("data: "):]
			}
		}
		ts.Fatalf("no event %q with %q from %s; saw %q", args[1], args[2:], args[0], seen)
	},
}
