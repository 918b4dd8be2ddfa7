package browser

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.14.1 (npm axe-core, MPL-2.0: see
// testdata/axe-core-LICENSE), the accessibility engine of browser
// devtools; the test injects it into each page.
//
//go:embed testdata/axe.min.js
var axeSource string

// colorScheme emulates prefers-color-scheme ("light" or "dark").
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

// sitePages lists every page of a built site (its HTML files, but the
// repository files copied into files/), from its root.
func sitePages(t *testing.T, out string) []string {
	t.Helper()
	var pages []string
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") && !strings.Contains(p, string(filepath.Separator)+"files"+string(filepath.Separator)) {
			rel, _ := filepath.Rel(out, p)
			pages = append(pages, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(pages)
	return pages
}

type axeNode struct {
	Target []any  `json:"target"`
	HTML   string `json:"html"`
	Fail   string `json:"failureSummary"`
}

type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	Nodes  []axeNode `json:"nodes"`
}

// axeRun runs axe-core on the open page with the options opts and
// returns its violations, as JSON.
const axeRun = `axe.run(document, Object.assign({resultTypes: ["violations"]}, %s)).then(r => JSON.stringify(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 160), failureSummary: n.failureSummary}))}))))`

// TestAccessibility opens every page of the example's site from file://
// at 1366x900 and runs axe-core on it, every rule in the light colour
// scheme; then, in the dark one, the rules of colour (contrast, links told
// apart from the text: the colour scheme changes nothing else) on a page
// of every kind, the longest document of each kind among them. It fails
// on any serious or critical violation, naming the page, the rule and the
// elements.
func TestAccessibility(t *testing.T) {
	ctx := browser(t)
	r := exampleRepo(t)
	out := builtExample(t, r)
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
	pages := sitePages(t, out)
	if len(pages) < 30 {
		t.Fatalf("the example's site has only %d pages", len(pages))
	}
	do(t, ctx, "set the window", chromedp.EmulateViewport(1366, 900))
	counts := map[string]int{}
	for _, pass := range []struct {
		scheme, opts string
		pages        []string
	}{
		{"light", `{}`, pages},
		{"dark", `{runOnly: {type: "rule", values: ["color-contrast", "link-in-text-block"]}}`, phonePages(t, out)},
	} {
		scheme := pass.scheme
		do(t, ctx, "prefer the "+scheme+" scheme", colorScheme(scheme))
		for _, p := range pass.pages {
			start := time.Now()
			do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS(`footer`)))
			if get(t, ctx, chromedp.Evaluate[bool](`typeof axe === "undefined"`)) {
				do(t, ctx, "inject axe-core into "+p, chromedp.Evaluate[chromedp.Void](axeSource))
			}
			raw := get(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(axeRun, pass.opts), chromedp.EvalAwaitPromise))
			var vs []axeViolation
			if err := json.Unmarshal([]byte(raw), &vs); err != nil {
				t.Fatalf("%s: axe's answer: %v", p, err)
			}
			for _, v := range vs {
				counts[v.Impact] += len(v.Nodes)
				if v.Impact != "serious" && v.Impact != "critical" {
					continue
				}
				var where []string
				for i, n := range v.Nodes {
					if i == 5 {
						where = append(where, fmt.Sprintf("and %d more", len(v.Nodes)-5))
						break
					}
					where = append(where, fmt.Sprintf("%v %s", n.Target, n.HTML))
				}
				t.Errorf("%s (%s): %s %s: %s (%d elements):\n\t%s", p, scheme, v.Impact, v.ID, v.Help, len(v.Nodes), strings.Join(where, "\n\t"))
			}
			if testing.Verbose() {
				t.Logf("%s (%s): %d rules violated, %s", p, scheme, len(vs), time.Since(start).Round(time.Millisecond))
			}
		}
	}
	t.Logf("%d pages light, a page of every kind dark: axe-core found %d critical, %d serious, %d moderate, %d minor elements", len(pages),
		counts["critical"], counts["serious"], counts["moderate"], counts["minor"])
}
