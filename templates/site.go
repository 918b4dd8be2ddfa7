package templates

import (
	"embed"
	"io/fs"
)

//go:embed site
var site embed.FS

// Site holds the published site's layouts (*.html, html/template files
// executed by package render) and its static assets (assets/). A
// repository overrides any of them with a file of the same name under
// .rmm/templates/site/.
var Site, _ = fs.Sub(site, "site")
