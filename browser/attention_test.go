package browser

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rmm-pal/rmm/doc"
)

// attLink is one link of the attention list, as the page has it.
type attLink struct {
	Href, ID, Group string
}

const attLinksJS = `Array.prototype.map.call(document.querySelectorAll(".attention a[href*='doc/']"), function (a) {
  var s = a.closest("section"), h = s ? s.querySelector("h3") : null;
  var c = a.querySelector("code");
  return {Href: a.href, ID: c ? c.textContent : "", Group: h ? h.id : ""};
})`

// landing is what a document page shows a reader who followed a link.
type landing struct {
	Title, H1 string
	Anchor    bool // the fragment names an element of the page
}

const landingJS = `(function () {
  var h = document.querySelector("main h1");
  var f = decodeURIComponent(location.hash.slice(1));
  return {Title: document.title, H1: h ? h.textContent.trim() : "", Anchor: f === "" || !!document.getElementById(f)};
})()`

// editApproved edits the example's approved risk management policy after
// its approval, as an author who forgot to have it approved again.
func editApproved(t *testing.T, root string) {
	t.Helper()
	pol := filepath.Join(root, "policies", "risk-management-policy.md")
	data, err := os.ReadFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pol, append(data, "\nRisks are reported to the board every month.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAttentionAndRegister builds a copy of the example whose approved
// risk management policy was edited after its approval, and opens it from
// file://: what needs attention (attentionLinks), the badge of the edited
// policy (staleBadge) and the register's sorting and filtering
// (registerSortAndFilter, register_test.go). One build serves all three.
func TestAttentionAndRegister(t *testing.T) {
	ctx := browser(t)
	r := exampleRepo(t)
	editApproved(t, r.Root)
	out := builtExample(t, r)
	snap, err := r.Load("", doc.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
	t.Run("attention links", func(t *testing.T) { attentionLinks(t, ctx, base, snap.Lib) })
	t.Run("stale badge", func(t *testing.T) { staleBadge(t, ctx, base, out) })
	t.Run("register", func(t *testing.T) { registerSortAndFilter(t, ctx, base) })
}

// attentionLinks opens what needs attention, on attention.html and at
// the top of the home page (the same links): every group has something,
// and every item's link lands on the page of the document it names (its
// h1 and title are the document's), at the section its fragment names.
func attentionLinks(t *testing.T, ctx context.Context, base string, lib *doc.Library) {
	var first []attLink
	for _, start := range []string{"attention.html", "index.html"} {
		do(t, ctx, "open "+start, chromedp.Navigate(base+start), chromedp.WaitReady(chromedp.CSS(`footer`)))
		links := get(t, ctx, chromedp.Evaluate[[]attLink](attLinksJS))
		groups := map[string]int{}
		for _, l := range links {
			groups[l.Group]++
		}
		for _, g := range []string{"att-changed", "att-pending", "att-reviews-overdue", "att-reviews-due", "att-actions", "att-suspect", "att-measures", "att-gaps", "att-since"} {
			if groups[g] == 0 {
				t.Errorf("%s: the group %s links no document (groups: %v)", start, g, groups)
			}
		}
		if len(links) < 30 {
			t.Errorf("%s: %d links in the attention list, want the example's 30 and more", start, len(links))
		}
		if first == nil {
			first = links
			continue
		}
		if !slices.Equal(links, first) {
			t.Errorf("the home page's attention list differs from attention.html's:\n%v\n%v", links, first)
		}
	}
	seen := map[string]bool{}
	for _, l := range first {
		if seen[l.Href] {
			continue
		}
		seen[l.Href] = true
		d := lib.ByID[l.ID]
		if d == nil {
			t.Errorf("a link %s names %q, no document's id", l.Href, l.ID)
			continue
		}
		do(t, ctx, "follow "+l.Href, chromedp.Navigate(l.Href), chromedp.WaitReady(chromedp.CSS(`footer`)))
		got := get(t, ctx, chromedp.Evaluate[landing](landingJS))
		if got.H1 != d.Title || !strings.HasPrefix(got.Title, d.Title+" · ") || !got.Anchor {
			t.Errorf("%s (%s) lands on h1 %q, title %q, anchor found %v; want %s", l.Href, l.Group, got.H1, got.Title, got.Anchor, d.Title)
		}
	}
}

// badge is a status badge as a reader sees it.
type badge struct {
	Text  string
	Color string // computed colour, rgb(r, g, b)
}

// red reports whether a computed colour is a red: its red channel well
// above green and blue.
func red(c string) bool {
	c = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(c, "rgba("), "rgb("), ")")
	parts := strings.Split(c, ",")
	if len(parts) < 3 {
		return false
	}
	var v [3]int
	for i := range v {
		n, err := strconv.Atoi(strings.TrimSpace(parts[i]))
		if err != nil {
			return false
		}
		v[i] = n
	}
	return v[0] > 120 && v[0] > 2*v[1] && v[0] > 2*v[2]
}

const badgeJS = `(function (sel) {
  var e = document.querySelector(sel);
  return e ? {Text: e.textContent.trim(), Color: getComputedStyle(e).color} : null;
})(%s)`

// staleBadge: the edited policy's badge says "changed after approval",
// in red, on its page, in the lists of its kind, area and status, in the
// register and on the home page's attention list; an untouched approved
// policy stays green.
func staleBadge(t *testing.T, ctx context.Context, base, out string) {
	read := func(page, sel string) badge {
		t.Helper()
		do(t, ctx, "open "+page, chromedp.Navigate(base+page), chromedp.WaitReady(chromedp.CSS(`footer`)))
		b := get(t, ctx, chromedp.Evaluate[*badge](strings.Replace(badgeJS, "%s", jsString(sel), 1)))
		if b == nil {
			t.Fatalf("%s has no %s", page, sel)
		}
		return *b
	}
	row := `tr:has(a[href$="doc/RISK-POL.html"]) .status`
	// The status page's file name is made from the status (fileName).
	statusPage := ""
	ents, _ := os.ReadDir(filepath.Join(out, "status"))
	for _, e := range ents {
		if data, _ := os.ReadFile(filepath.Join(out, "status", e.Name())); strings.Contains(string(data), "<h1>Status: changed after approval</h1>") {
			statusPage = "status/" + e.Name()
		}
	}
	if statusPage == "" {
		t.Fatal("no status page lists the documents changed after approval")
	}
	for _, c := range []struct{ page, sel string }{
		{"doc/RISK-POL.html", `dl .status`},
		{"kind/policy.html", row},
		{"area/RISK.html", row},
		{statusPage, row},
		{"register.html", row},
	} {
		if b := read(c.page, c.sel); b.Text != "changed after approval" || !red(b.Color) {
			t.Errorf("%s: the badge of RISK-POL says %q in %s; want changed after approval, in red", c.page, b.Text, b.Color)
		}
	}
	if b := read("doc/IMC-POL.html", `dl .status`); b.Text != "approved" || red(b.Color) {
		t.Errorf("the untouched IMC-POL's badge says %q in %s; want approved, not red", b.Text, b.Color)
	}
	do(t, ctx, "open the home page", chromedp.Navigate(base+"index.html"), chromedp.WaitReady(chromedp.CSS(`footer`)))
	item := get(t, ctx, chromedp.Text(chromedp.CSS(`#att-changed + ul`)))
	if !strings.Contains(item, "RISK-POL") || !strings.Contains(item, "approve again as manager") {
		t.Errorf("the home page's changed after approval says %q", item)
	}
}
