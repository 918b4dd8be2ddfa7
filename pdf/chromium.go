// Package pdf makes controlled copies as PDF files: it prints pages of a
// site rmm built (package render) through headless Chromium, driven over
// the DevTools protocol with chromedp, and writes the files only where rmm
// may (Output). It is the one production package that imports chromedp.
//
// Start with Find, which says which browser to run (RMM_CHROMIUM, else
// chromium, chromium-browser or google-chrome on PATH), then Start, one
// browser for many pages, and Browser.Print. A printed page carries its
// controlled-copy header from the site's own print.css and print.js
// (render/print.go): Print only sets the time of printing and checks that
// every header was set up before it prints.
package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"

	"github.com/rmm-pal/rmm/render"
)

// EnvVar names the environment variable that chooses the browser: a path,
// or a name looked up on PATH.
const EnvVar = "RMM_CHROMIUM"

// Names are the browsers Find looks for on PATH, in order.
var Names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ErrNoChromium is returned by Find when EnvVar is not set and no browser
// of Names is on PATH.
var ErrNoChromium = errors.New("no Chromium found")

// Find returns the path of the browser to print with.
func Find() (string, error) {
	if v := os.Getenv(EnvVar); v != "" {
		p, err := exec.LookPath(v)
		if err != nil {
			var ee *exec.Error
			if errors.As(err, &ee) {
				err = ee.Err // without exec's quoting of the name
			}
			return "", fmt.Errorf("%s=%s: %w", EnvVar, v, err)
		}
		return p, nil
	}
	for _, n := range Names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Browser is a headless Chromium with a fresh profile of its own
// (removed when it stops).
type Browser struct {
	tab                   context.Context
	cancelTab, cancelExec context.CancelFunc
}

// Start starts the browser at exe as the browser tests do: headless, no
// sandbox, no GPU, no background traffic.
func Start(ctx context.Context, exe string) (*Browser, error) {
	out := &lockedBuffer{b: &bytes.Buffer{}}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.CombinedOutput(out),
		// No UserDataDir: chromedp makes a fresh profile folder and
		// removes it when the browser stops.
	}
	alloc, cancelExec := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	b := &Browser{tab: tab, cancelTab: cancelTab, cancelExec: cancelExec}
	// The first run starts the browser; it lives as long as tab, so it is
	// bounded by ctx only through stop.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(tab) }()
	select {
	case err := <-started:
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("start %s: %w%s", exe, err, outputOf(out))
		}
	case <-ctx.Done():
		b.Close()
		return nil, ctx.Err()
	}
	return b, nil
}

// Close stops the browser and waits for it to exit.
func (b *Browser) Close() {
	b.cancelTab()
	b.cancelExec()
}

// Page is what Print made of one page.
type Page struct {
	PDF     []byte
	Headers int // controlled-copy headers on the page (one per document)
}

// A4 is the paper rmm prints on, in inches.
var A4 = chromedp.PaperA4

// Print opens url (a page of a site rmm built), sets printed as the time
// of printing, and prints it to PDF: A4 unless the page's CSS names a
// size, the page's own margins, backgrounds, and an outline of its
// headings. It fails when the page has no controlled-copy header, or when
// the page's print.js did not set up every one.
func (b *Browser) Print(ctx context.Context, url, printed string) (*Page, error) {
	tab, cancel := context.WithCancel(b.tab) // ends the actions, not the tab
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("open %s: %w", url, err)
	}
	// Set the time of printing and fire beforeprint, as a browser does
	// when a reader prints; print.js answers with how many headers it set.
	script := fmt.Sprintf(`(async () => {
		await document.fonts.ready;
		const root = document.documentElement;
		root.setAttribute(%[1]s, %[2]s);
		window.dispatchEvent(new Event("beforeprint"));
		return [document.querySelectorAll("[" + %[3]s + "]").length, Number(root.getAttribute(%[4]s) || "-1")];
	})()`, strconv.Quote(render.PrintedAttr), strconv.Quote(printed), strconv.Quote(render.HeaderAttr), strconv.Quote(render.CopiesAttr))
	counts, err := chromedp.Run(tab, chromedp.Evaluate[[]int](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", url, err)
	}
	if len(counts) != 2 || counts[0] == 0 {
		return nil, fmt.Errorf("%s has no controlled-copy header", url)
	}
	if counts[0] != counts[1] {
		return nil, fmt.Errorf("%s: its print.js set up %d of %d controlled-copy headers", url, max(counts[1], 0), counts[0])
	}
	data, err := chromedp.Run(tab, chromedp.PrintToPDF(
		chromedp.PDFPaper(A4),
		chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFPrintBackground(),
		chromedp.PDFOutlineAndTagged(),
		chromedp.PDFStream(),
	))
	if err != nil {
		return nil, fmt.Errorf("print %s: %w", url, err)
	}
	return &Page{PDF: data, Headers: counts[0]}, nil
}

var pageObject = regexp.MustCompile(`/Type\s*/Page[^s]`)

// Pages counts the pages of a PDF that Chromium wrote (its page objects
// are not compressed); 0 when it cannot tell.
func Pages(data []byte) int { return len(pageObject.FindAllIndex(data, -1)) }

// lockedBuffer collects the browser's output, written by chromedp's
// goroutine and read after a failed start.
type lockedBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// outputOf is the browser's last words, for an error.
func outputOf(out *lockedBuffer) string {
	s := strings.TrimSpace(out.String())
	if len(s) == 0 {
		return ""
	}
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return "\n" + string(s)
}
