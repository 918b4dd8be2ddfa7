package browser

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSearchLargeSite times the search on a site built elsewhere (set
// RMM_SEARCH_SITE to its folder, e.g. the 10,000-document corpus of
// bench/searchsize.sh): the first query loads the index and builds the
// term dictionary, later ones only search. It logs the figures and fails
// only when a query finds nothing.
func TestSearchLargeSite(t *testing.T) {
	dir := os.Getenv("RMM_SEARCH_SITE")
	if dir == "" {
		t.Skip("set RMM_SEARCH_SITE to a built site's folder to time the search on it")
	}
	ctx := browser(t)
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/"}).String()
	do(t, ctx, "open the home page", chromedp.Navigate(base+"index.html"), chromedp.WaitVisible(chromedp.CSS(`#rmm-search`)))
	for _, q := range []string{"resilience", "incidnet", "tailorng", "recov", "grace", "vendor audit", "r"} {
		start := time.Now()
		do(t, ctx, "search for "+q,
			chromedp.Evaluate[chromedp.Void](`document.getElementById("rmm-search").value = ""; document.getElementById("rmm-search-status").textContent = ""`),
			chromedp.SendKeys(chromedp.CSS(`#rmm-search`), q),
			chromedp.Poll[chromedp.Void](`document.getElementById("rmm-search").value === `+jsq(q)+
				` && document.getElementById("rmm-results").getAttribute("data-query") === `+jsq(q), chromedp.WithPollingTimeout(2*time.Minute)),
		)
		took := time.Since(start)
		ms := get(t, ctx, chromedp.Evaluate[string](`document.getElementById("rmm-results").getAttribute("data-ms") + " ms; dictionary built in " + document.getElementById("rmm-results").getAttribute("data-prepare-ms") + " ms"`))
		status := get(t, ctx, chromedp.Evaluate[string](`document.getElementById("rmm-search-status").textContent`))
		t.Logf("%-14q typed and searched in %v; the last search %s; %s", q, took.Round(time.Millisecond), ms, status)
		if status == "No document matches." {
			t.Errorf("%q finds nothing", q)
		}
	}
}
