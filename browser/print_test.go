package browser

import (
	"context"
	"net/url"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/rmm-pal/rmm/doc"
	"github.com/rmm-pal/rmm/render"
)

// media emulates a CSS media type ("print", or "" for the screen).
func media(m string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	})
}

// TestPrintStyle opens a plan's page from file:// as print media, as a
// browser lays it out for paper: no navigation, sidebar, search, contents
// box or footer; the controlled-copy block shown, with the time of
// printing filled in; headings kept with what follows; tables within the
// width of the text; the article on a named page of its own (its page
// header). On screen the block stays hidden.
func TestPrintStyle(t *testing.T) {
	ctx := browser(t)
	r := exampleRepo(t)
	out := filepath.Join(t.TempDir(), "site")
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := render.Build(context.Background(), render.Options{Repo: r, Out: out, Now: now, Diags: runChecks(r, snap), Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	page := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/doc/IMC-PLAN.html"}).String()
	do(t, ctx, "open the plan on a narrow screen",
		chromedp.EmulateViewport(640, 900),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`nav.toc`)),
	)
	if shown := get(t, ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector(".controlled-copy")).display !== "none"`)); shown {
		t.Error("the controlled-copy block shows on screen")
	}

	do(t, ctx, "lay it out for print", media("print"))
	hidden := get(t, ctx, chromedp.Evaluate[map[string]bool](`(() => {
		const out = {};
		for (const sel of [".topbar", ".sidebar", "#rmm-search", ".topnav", "nav.toc", ".crumbs", ".footer", "#rmm-backlinks"]) {
			const el = document.querySelector(sel);
			out[sel] = el !== null && el.getClientRects().length === 0;
		}
		return out;
	})()`))
	for sel, ok := range hidden {
		if !ok {
			t.Errorf("%s prints", sel)
		}
	}
	if len(hidden) != 8 {
		t.Errorf("checked %d of 8 parts that only a screen needs: %v", len(hidden), hidden)
	}
	block := get(t, ctx, chromedp.Evaluate[map[string]string](`(() => {
		const b = document.querySelector(".controlled-copy");
		const art = b.closest("article");
		return {
			display: getComputedStyle(b).display,
			first: String(art.firstElementChild === b),
			printed: b.querySelector(".cc-printed").textContent,
			page: getComputedStyle(art).page,
			header: b.getAttribute("data-rmm-header"),
			copies: document.documentElement.getAttribute("data-rmm-copies"),
		};
	})()`))
	if block["display"] == "none" || block["first"] != "true" {
		t.Errorf("the controlled-copy block does not print first: %v", block)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d$`).MatchString(block["printed"]) {
		t.Errorf("the block's time of printing reads %q", block["printed"])
	}
	if block["page"] != "rmm-copy-0" || block["copies"] != "1" || !regexp.MustCompile(`^IMC-PLAN · [a-z ]+ · fingerprint [0-9a-f]{12}$`).MatchString(block["header"]) {
		t.Errorf("the article is not on a named page headed by its document: %v", block)
	}

	// Headings stay with what follows; tables fit the text's width.
	headings := get(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("article h1, article h2, article h3")].map(h => getComputedStyle(h).breakAfter)`))
	if len(headings) < 5 {
		t.Fatalf("the plan has %d headings", len(headings))
	}
	for i, b := range headings {
		if b != "avoid" {
			t.Errorf("heading %d has break-after: %s, want avoid", i+1, b)
		}
	}
	wide := get(t, ctx, chromedp.Evaluate[[]string](`(() => {
		const main = document.querySelector("main").getBoundingClientRect();
		return [...document.querySelectorAll("article table")]
			.filter(t => t.getClientRects().length > 0 && t.getBoundingClientRect().right > main.right + 1)
			.map(t => t.className + " " + Math.round(t.getBoundingClientRect().width) + "px > " + Math.round(main.width) + "px");
	})()`))
	if len(wide) > 0 {
		t.Errorf("tables wider than the text: %v", wide)
	}
	n := get(t, ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("article table")].filter(t => t.getClientRects().length > 0).length`))
	if n < 2 {
		t.Errorf("%d tables print; the plan has the block's and its history's at least", n)
	}

	// The time rmm pdf sets is the one printed.
	printed := get(t, ctx, chromedp.Evaluate[string](`(() => {
		document.documentElement.setAttribute("data-rmm-printed", "2026-11-26 12:00 +00:00");
		window.dispatchEvent(new Event("beforeprint"));
		return document.querySelector(".cc-printed").textContent;
	})()`))
	if printed != "2026-11-26 12:00 +00:00" {
		t.Errorf("after beforeprint the block reads %q", printed)
	}
	do(t, ctx, "back to the screen", media(""))
}
