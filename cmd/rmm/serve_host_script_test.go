package main

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// httpget [-host HOST] [-H 'Name: value']... URL: one GET, with the
	// Host header HOST and the headers given; prints the status, the
	// answer's headers (sorted, "Name: value") and, after a blank line,
	// the body. Redirects are not followed.
	serveScriptCmds["httpget"] = func(ts *testscript.TestScript, neg bool, args []string) {
		const usage = "usage: httpget [-host HOST] [-H 'Name: value']... URL"
		if neg {
			ts.Fatalf("%s (check its output instead of negating it)", usage)
		}
		var host string
		var headers [][2]string
		for len(args) > 1 {
			switch args[0] {
			case "-host":
				host = args[1]
			case "-H":
				name, value, ok := strings.Cut(args[1], ":")
				if !ok {
					ts.Fatalf("%s: header %q has no colon", usage, args[1])
				}
				headers = append(headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
			default:
				ts.Fatalf("%s", usage)
			}
			args = args[2:]
		}
		if len(args) != 1 {
			ts.Fatalf("%s", usage)
		}
		req, err := http.NewRequest("GET", args[0], nil)
		ts.Check(err)
		if host != "" {
			req.Host = host
		}
		for _, h := range headers {
			req.Header.Set(h[0], h[1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		ts.Check(err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		ts.Check(err)
		var lines []string
		for name, values := range resp.Header {
			for _, v := range values {
				lines = append(lines, name+": "+v)
			}
		}
		sort.Strings(lines)
		fmt.Fprintf(ts.Stdout(), "%s\n%s\n\n%s", resp.Status, strings.Join(lines, "\n"), body)
	}
}
