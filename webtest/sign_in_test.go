package webtest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
)

func TestWebClientSecurityHeaders(t *testing.T) {
	s := startSite(t, hooks.TestConfig())

	for _, path := range []string{"/", "/app.js", "/views/room.js", "/lib/pocketbase.es.mjs", "/no-such-page"} {
		response, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		response.Body.Close()
		if response.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", path, response.StatusCode)
		}
		policy := response.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self' 'sha256-", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(policy, want) {
				t.Errorf("GET %s: Content-Security-Policy %q lacks %q", path, policy, want)
			}
		}
		if strings.Contains(policy, "unsafe-inline") || strings.Contains(policy, "unsafe-eval") {
			t.Errorf("GET %s: Content-Security-Policy allows unsafe sources: %q", path, policy)
		}
		if got := response.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", path, got)
		}
	}

	response, err := http.Get(s.URL + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	response.Body.Close()
	if policy := response.Header.Get("Content-Security-Policy"); policy != "" {
		t.Errorf("GET /api/health has the web client's policy %q; API routes should not", policy)
	}
}

func TestSignInScreenChecksFields(t *testing.T) {
	s := startSite(t, hooks.TestConfig())
	browser := startBrowser(t)
	alice := newPerson(t, browser, "Alice")

	alice.navigate(s.URL + "/")
	alice.waitText("#view h1", "Sign in")
	alice.screenshot("sign-in")

	// Every control has a label, and the inputs ask phones for the right
	// keyboard and autofill.
	var unlabelled []string
	alice.eval(`[...document.querySelectorAll("input, select, textarea, button")]
		.filter((c) => !(c.labels?.length || c.getAttribute("aria-label") || c.textContent.trim()))
		.map((c) => c.outerHTML)`, &unlabelled)
	if len(unlabelled) > 0 {
		t.Errorf("controls without a label: %v", unlabelled)
	}
	var phone map[string]string
	alice.eval(`(() => { const p = document.querySelector("#phone"); return {type: p.type, autocomplete: p.autocomplete, inputmode: p.inputMode}; })()`, &phone)
	if phone["type"] != "tel" || phone["autocomplete"] != "tel" {
		t.Errorf("phone input = %v, want type tel with autocomplete tel", phone)
	}

	alice.click("#sign-in button[type=submit]")
	alice.waitText("#phone-error", "Enter your phone number.")
	alice.waitText("#last-name-error", "Enter your last name.")
	var focused string
	alice.eval(`document.activeElement.id`, &focused)
	if focused != "phone" {
		t.Errorf("focus after a failed submit is on %q, want the phone field", focused)
	}
	alice.checkConsole()
}
