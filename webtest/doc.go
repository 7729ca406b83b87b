// Package webtest drives the web client in pb_public/ with Debian's Chromium
// through chromedp, against the real Hearth router on 127.0.0.1 and a fake
// Twilio server. The tests skip when Chromium is not installed, unless
// HEARTH_REQUIRE_BROWSER=1, and write screenshots to docs/screenshots/ only
// when HEARTH_SCREENSHOTS=1. See docs/WEB-CLIENT.md.
package webtest
