package render_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/rmm-pal/rmm/render"
)

// TestPagesCarryTheCSPAndNeedNothingItForbids builds the fixture (XSS
// payloads included) and reads every page: its <head> opens with the
// site's Content-Security-Policy as a meta tag, before any script or
// style, and no page holds what that policy would block (inline script or
// style, event attributes, remote or javascript: sources), so the policy
// costs the site nothing. The browser tests (browser/csp_test.go) see the
// same from Chromium, from file:// and through rmm serve.
func TestPagesCarryTheCSPAndNeedNothingItForbids(t *testing.T) {
	r, _ := newLibrary(t, fixture)
	out := filepath.Join(t.TempDir(), "site")
	build(t, r, out, func(o *render.Options) { o.LiveReload = render.ReloadScript })
	pages := 0
	for p, b := range siteFiles(t, out) {
		if !strings.HasSuffix(p, ".html") || strings.HasPrefix(p, "files/") {
			continue
		}
		pages++
		root, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var policy []string
		sawResource := false
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				attr := map[string]string{}
				for _, a := range n.Attr {
					attr[a.Key] = a.Val
					if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
						t.Errorf("%s: <%s %s=%q>: an inline handler or style, which the CSP blocks", p, n.Data, a.Key, a.Val)
					}
					if (a.Key == "src" || a.Key == "href") && (strings.Contains(a.Val, "://") || strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:")) && n.Data != "a" {
						t.Errorf("%s: <%s %s=%q>: a source the CSP blocks", p, n.Data, a.Key, a.Val)
					}
				}
				switch n.Data {
				case "meta":
					if strings.EqualFold(attr["http-equiv"], "Content-Security-Policy") {
						if sawResource {
							t.Errorf("%s: the CSP meta tag comes after a script or style sheet", p)
						}
						policy = append(policy, attr["content"])
					}
				case "script":
					sawResource = true
					if attr["src"] == "" || n.FirstChild != nil {
						t.Errorf("%s: an inline script, which the CSP blocks", p)
					}
				case "style":
					t.Errorf("%s: a <style> element, which the CSP blocks", p)
				case "link":
					sawResource = true
				case "base", "form", "iframe", "object", "embed":
					t.Errorf("%s: a <%s> element, which the CSP blocks", p, n.Data)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(root)
		if len(policy) != 1 || policy[0] != render.SitePolicy {
			t.Errorf("%s: CSP meta tags %q, want one with %q", p, policy, render.SitePolicy)
		}
	}
	if pages < 10 {
		t.Fatalf("only %d pages", pages)
	}
	// Serve's header is the site's policy with https: images (whether
	// they load is the meta tag's decision) and frame-ancestors.
	if want := strings.Replace(render.SitePolicy, "img-src 'self' data:", "img-src 'self' data: https:", 1) + "; frame-ancestors 'none'"; render.ServePolicy != want {
		t.Errorf("serve's policy %q, want %q", render.ServePolicy, want)
	}
}
