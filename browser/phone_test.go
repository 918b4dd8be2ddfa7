package browser

import (
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// phonePages is one page of every kind the site has, from its root.
func phonePages(t *testing.T, out string) []string {
	t.Helper()
	pages := []string{"index.html", "lessons.html", "baselines.html", "tailoring.html", "coverage.html", "stakeholders.html", "checks.html"}
	kinds := map[string]bool{}
	for _, dir := range []string{"kind", "area", "unit", "status", "baseline"} {
		es, err := os.ReadDir(filepath.Join(out, dir))
		if err != nil || len(es) == 0 {
			t.Fatalf("the site has no page under %s/: %v", dir, err)
		}
		pages = append(pages, dir+"/"+es[0].Name())
	}
	// A document of every kind, the longest of each (the widest tables).
	longest := map[string]string{}
	size := map[string]int{}
	es, err := os.ReadDir(filepath.Join(out, "doc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(out, "doc", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), `<article class="doc kind-`)
		if !ok {
			continue
		}
		kind, _, _ := strings.Cut(rest, `"`)
		if len(b) > size[kind] {
			longest[kind], size[kind] = "doc/"+e.Name(), len(b)
		}
		kinds[kind] = true
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		pages = append(pages, longest[k])
	}
	return pages
}

// layoutOf measures what a phone's reader sees first.
const layoutOf = `(() => {
  const h1 = document.querySelector("main h1");
  const header = document.querySelector("header.topbar");
  return {
    h1Top: h1 ? Math.round(h1.getBoundingClientRect().top + window.scrollY) : -1,
    header: Math.round(header.getBoundingClientRect().height),
    sticky: getComputedStyle(header).position === "sticky" || getComputedStyle(header).position === "fixed",
    width: document.documentElement.scrollWidth,
    wide: Array.from(document.querySelectorAll("main *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-scroll, pre, svg")).slice(0, 3).map(e => e.tagName + "." + e.className + ": " + e.textContent.slice(0, 40)),
  };
})()`

type phoneLayout struct {
	H1Top  int      `json:"h1Top"`
	Header int      `json:"header"`
	Sticky bool     `json:"sticky"`
	Width  int      `json:"width"`
	Wide   []string `json:"wide"`
}

// TestPhoneLayout opens a page of every kind from file:// on a phone's
// screen (390x844, then 360 wide): the page's title is on the first
// screen, the header is compact and does not stay, and nothing makes
// the page wider than the screen (wide tables scroll in their own box).
// The menu button opens the navigation, and Escape closes it.
func TestPhoneLayout(t *testing.T) {
	ctx := browser(t)
	r := exampleRepo(t)
	out := builtExample(t, r)
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
	pages := phonePages(t, out)
	worst := 0
	for _, w := range []int64{390, 360} {
		do(t, ctx, "set a phone's screen", chromedp.EmulateViewport(w, 844, chromedp.EmulateMobile))
		for _, p := range pages {
			do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS(`footer`)))
			l := get(t, ctx, chromedp.Evaluate[phoneLayout](layoutOf))
			if l.H1Top < 0 || l.H1Top >= 300 {
				t.Errorf("%s at %d px: the title starts %d px down, want within the first 300 px", p, w, l.H1Top)
			}
			worst = max(worst, l.H1Top)
			if l.Header > 60 {
				t.Errorf("%s at %d px: the header is %d px tall, want at most 60", p, w, l.Header)
			}
			if l.Sticky {
				t.Errorf("%s at %d px: the header stays on screen", p, w)
			}
			if l.Width > int(w) {
				t.Errorf("%s at %d px: the page is %d px wide (%q)", p, w, l.Width, l.Wide)
			}
		}
	}
	t.Logf("%d pages at 390 and 360 px: the title at most %d px down", len(pages), worst)

	do(t, ctx, "open the home page", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"index.html"), chromedp.WaitVisible(chromedp.CSS(`#rmm-menu-button`)))
	if get(t, ctx, chromedp.Evaluate[bool](`document.querySelector("#rmm-menu").getClientRects().length > 0`)) {
		t.Error("the navigation shows before the menu button is pressed")
	}
	do(t, ctx, "press the menu button",
		chromedp.Click(chromedp.CSS(`#rmm-menu-button`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`#rmm-menu a[href="lessons.html"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rmm-search`)),
	)
	if e := get(t, ctx, chromedp.AttributeValue(chromedp.CSS(`#rmm-menu-button`), "aria-expanded")); e.Value != "true" {
		t.Errorf("the open menu's button has aria-expanded=%q", e.Value)
	}
	do(t, ctx, "follow Lessons from the menu",
		chromedp.Click(chromedp.CSS(`#rmm-menu a[href="lessons.html"]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`#rmm-menu-button`)),
	)
	if loc := get(t, ctx, chromedp.Location()); loc != base+"lessons.html" {
		t.Errorf("the menu's Lessons led to %s", loc)
	}
	do(t, ctx, "open the menu and close it with Escape",
		chromedp.Click(chromedp.CSS(`#rmm-menu-button`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`#rmm-menu a[href="index.html"]`)),
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotVisible(chromedp.CSS(`#rmm-menu`)),
	)
}

// TestKeyboard: the first Tab on a page reaches the skip link; following
// it puts the keyboard in the page's content, past the navigation.
func TestKeyboard(t *testing.T) {
	ctx := browser(t)
	r := exampleRepo(t)
	out := builtExample(t, r)
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
	do(t, ctx, "open a plan", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"doc/IMC-PLAN.html"), chromedp.WaitReady(chromedp.CSS(`footer`)),
		chromedp.KeyEvent(kb.Tab))
	if a := get(t, ctx, chromedp.Evaluate[string](`document.activeElement.className + " " + document.activeElement.getAttribute("href")`)); a != "skip #main" {
		t.Fatalf("the first Tab reached %q, want the skip link", a)
	}
	if vis := get(t, ctx, chromedp.Evaluate[bool](`(() => { const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.width > 0; })()`)); !vis {
		t.Error("the focused skip link is not on screen")
	}
	do(t, ctx, "follow the skip link", chromedp.KeyEvent(kb.Enter))
	if a := get(t, ctx, chromedp.Evaluate[string](`document.activeElement.id`)); a != "main" {
		t.Errorf("after the skip link the focus is on %q, want main", a)
	}
	do(t, ctx, "Tab once more", chromedp.KeyEvent(kb.Tab))
	if in := get(t, ctx, chromedp.Evaluate[bool](`document.activeElement.closest("main") !== null`)); !in {
		t.Error("the Tab after the skip link left the content")
	}

	// The contents box stays in view and marks the section read; a jump
	// to Approvals leaves its heading below the sticky header.
	do(t, ctx, "jump to the approvals", chromedp.Navigate(base+"doc/IMC-PLAN.html#rmm-approvals"), chromedp.WaitReady(chromedp.CSS(`footer`)))
	const marked = `(() => { const a = document.querySelector("nav.toc a[aria-current]"); return a === null ? "nothing" : a.getAttribute("href"); })()`
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		m := get(t, ctx, chromedp.Evaluate[string](marked))
		if m == "#rmm-approvals" {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("after the jump to the approvals the contents box marks %s (the window is scrolled %v px)", m, get(t, ctx, chromedp.Evaluate[float64](`window.scrollY`)))
			break
		}
	}
	geo := get(t, ctx, chromedp.Evaluate[map[string]float64](`(() => ({
  heading: document.querySelector("#rmm-approvals h2").getBoundingClientRect().top,
  header: document.querySelector("header.topbar").getBoundingClientRect().bottom,
  toc: document.querySelector("nav.toc").getBoundingClientRect().top,
}))()`))
	if geo["heading"] < geo["header"] {
		t.Errorf("after the jump the Approvals heading is at %.0f px, under the header (to %.0f px)", geo["heading"], geo["header"])
	}
	if geo["toc"] < 0 || geo["toc"] > 900 {
		t.Errorf("after the jump the contents box is at %.0f px, out of view", geo["toc"])
	}
	for _, id := range []string{"rmm-approvals", "rmm-history"} {
		if !get(t, ctx, chromedp.Evaluate[bool](`document.querySelector('nav.toc a[href="#`+id+`"]') !== null`)) {
			t.Errorf("the contents box has no link to #%s", id)
		}
	}
}

// TestScreenshots writes full-page screenshots of the home page, a plan
// and a defined process, at 1366x900 and 390x844, light and dark, into
// the folder RMM_SHOTS names (for a person to look at), with the first
// screen of each; it skips without.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("RMM_SHOTS")
	if dir == "" {
		t.Skip("RMM_SHOTS names no folder for the screenshots")
	}
	ctx := browser(t)
	r := exampleRepo(t)
	out := builtExample(t, r)
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"light", "dark"} {
		for _, size := range [][2]int64{{1366, 900}, {390, 844}} {
			opts := []chromedp.EmulateViewportOption{}
			if size[0] < 500 {
				opts = append(opts, chromedp.EmulateMobile)
			}
			do(t, ctx, "set the screen", chromedp.EmulateViewport(size[0], size[1], opts...), colorScheme(scheme))
			for _, p := range []string{"index.html", "doc/IMC-PLAN.html", "doc/IMC-ENG.html"} {
				do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS(`footer`)))
				png := get(t, ctx, chromedp.FullScreenshot(100))
				name := fmt.Sprintf("%s-%d-%s.png", strings.TrimSuffix(filepath.Base(p), ".html"), size[0], scheme)
				// The first screen too: what a reader sees on opening it.
				first := get(t, ctx, chromedp.CaptureScreenshot())
				for n, b := range map[string][]byte{name: png, strings.TrimSuffix(name, ".png") + "-screen.png": first} {
					if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}
