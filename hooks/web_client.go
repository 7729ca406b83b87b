package hooks

import (
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// importMapPattern finds the import map in index.html. Its exact text is
// hashed into the Content-Security-Policy, because an inline import map is
// checked against script-src like an inline script.
var importMapPattern = regexp.MustCompile(`(?s)<script type="importmap">(.*?)</script>`)

// BindWebClient serves the web client in fsys (pb_public/) at "/", with a
// Content-Security-Policy and other security headers on every response from
// it. Unknown paths get index.html, since the client routes by URL hash.
// Routes under /api/ and the admin UI at /_/ are not affected.
func BindWebClient(app core.App, fsys fs.FS) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if se.Router.HasRoute(http.MethodGet, "/{path...}") {
			return se.Next()
		}

		headers := WebClientHeaders(fsys)
		se.Router.GET("/{path...}", apis.Static(fsys, true)).BindFunc(func(e *core.RequestEvent) error {
			for name, value := range headers {
				e.Response.Header().Set(name, value)
			}
			return e.Next()
		})
		return se.Next()
	})
}

// WebClientHeaders returns the security headers for the web client in fsys.
// The policy allows scripts, styles and connections to this origin only, no
// inline script except the import map in index.html (by its hash), no eval,
// and no framing. The hash is taken once, when the server starts; a changed
// import map needs a restart.
func WebClientHeaders(fsys fs.FS) map[string]string {
	scriptSources := []string{"'self'"}
	if index, err := fs.ReadFile(fsys, "index.html"); err == nil {
		for _, match := range importMapPattern.FindAllSubmatch(index, -1) {
			sum := sha256.Sum256(match[1])
			scriptSources = append(scriptSources, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
	}

	policy := strings.Join([]string{
		"default-src 'none'",
		"script-src " + strings.Join(scriptSources, " "),
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src 'self'",
		"manifest-src 'self'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")

	return map[string]string{
		"Content-Security-Policy":    policy,
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Referrer-Policy":            "no-referrer",
		"Permissions-Policy":         "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
		"Cross-Origin-Opener-Policy": "same-origin",
		// Revalidate on every load, so that phones pick up a new client
		// version at once. Unchanged files still get a 304.
		"Cache-Control": "no-cache",
	}
}
