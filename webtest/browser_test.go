package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs its launcher.
const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds one wait in a test. It only turns a hang into a failure
// with a message; nothing asserts on how fast a step is.
const stepTimeout = 30 * time.Second

// Phone screen size of the screenshots and of every test tab.
const (
	screenWidth  = 360
	screenHeight = 740
)

// requireChromium returns the Chromium path, or skips the test when it is
// missing; with HEARTH_REQUIRE_BROWSER=1 a missing browser fails instead.
func requireChromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("HEARTH_REQUIRE_BROWSER") == "1" {
			t.Fatalf("Chromium is required (HEARTH_REQUIRE_BROWSER=1) but %s is missing: install it with apt-get install chromium", chromiumPath)
		}
		t.Skipf("browser tests skipped: %s is missing (apt-get install chromium; set HEARTH_REQUIRE_BROWSER=1 to fail instead)", chromiumPath)
	}
	return chromiumPath
}

// startBrowser starts one headless Chromium for the test and returns a
// context that owns it. The browser may reach only 127.0.0.1: every other
// host name resolves to nothing, and no proxy is used.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := requireChromium(t)
	options := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(screenWidth, screenHeight),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater"),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		// Tabs in the background must keep their timers running, as the
		// three people of a test share one browser.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
	}
	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), options...)
	browser, cancelBrowser := chromedp.NewContext(allocator)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAllocator()
	})
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return browser
}

// person is one browser tab with its own cookies and storage, as one
// person's phone would be.
type person struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu       sync.Mutex
	problems []string
}

// newPerson opens a tab in a fresh browser context at phone size and starts
// collecting the page's exceptions, console errors and CSP violations.
func newPerson(t *testing.T, browser context.Context, name string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &person{t: t, name: name, ctx: ctx}
	// The first action opens the tab and ties its life to the context it
	// gets, so it runs on ctx itself and not on a context with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("%s: open tab: %v", name, err)
	}
	p.do(chromedp.EmulateViewport(screenWidth, screenHeight))

	messages := chromedp.Console(ctx)
	go func() {
		for message, err := range messages {
			if err != nil {
				return
			}
			if message.IsException() || message.Type == "error" {
				// The browser logs a request that failed offline, or a 4xx
				// that the test provokes, as a network entry. Only the
				// page's own errors count.
				if message.Source == "network" {
					continue
				}
				p.mu.Lock()
				p.problems = append(p.problems, fmt.Sprintf("%s (%s:%d)", message.Text, message.URL, message.Line+1))
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// checkConsole fails the test if the page reported errors so far.
func (p *person) checkConsole() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, problem := range p.problems {
		p.t.Errorf("%s: page error: %s", p.name, problem)
	}
	p.problems = nil
}

func (p *person) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
}

// eval runs a JavaScript expression in the page and decodes its JSON value
// into out.
func (p *person) eval(expression string, out any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expression, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: evaluate %s: %v", p.name, expression, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			p.t.Fatalf("%s: decode result of %s: %v (%s)", p.name, expression, err, raw)
		}
	}
}

// waitUntil evaluates a JavaScript condition until it is true. The page's
// CSP forbids eval, and chromedp's Poll builds a Function in the page, so
// this evaluates the condition through the DevTools protocol instead.
func (p *person) waitUntil(condition string) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		var ok bool
		ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`Boolean(`+condition+`)`))
		cancel()
		if err == nil {
			_ = json.Unmarshal(raw, &ok)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			body := p.text("body")
			p.t.Fatalf("%s: waited %s for %s; page text:\n%s", p.name, stepTimeout, condition, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitText waits until an element matching selector contains text.
func (p *person) waitText(selector, text string) {
	p.t.Helper()
	p.waitUntil(fmt.Sprintf(`[...document.querySelectorAll(%q)].some((e) => e.textContent.includes(%q))`, selector, text))
}

// text returns the text of the first element matching selector, or "".
func (p *person) text(selector string) string {
	p.t.Helper()
	var text string
	p.eval(fmt.Sprintf(`document.querySelector(%q)?.innerText ?? ""`, selector), &text)
	return text
}

// html returns the whole document's markup.
func (p *person) html() string {
	var markup string
	p.eval(`document.documentElement.outerHTML`, &markup)
	return markup
}

// count returns how many elements match selector and contain text.
func (p *person) count(selector, text string) int {
	p.t.Helper()
	var n int
	p.eval(fmt.Sprintf(`[...document.querySelectorAll(%q)].filter((e) => e.textContent.includes(%q)).length`, selector, text), &n)
	return n
}

func (p *person) click(selector string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible))
}

// fill empties an input and types value into it, so that input events fire.
func (p *person) fill(selector, value string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(selector)))
	p.eval(fmt.Sprintf(`(() => { const field = document.querySelector(%q); field.value = ""; field.focus(); return true; })()`, selector), nil)
	p.typeKeys(value)
}

// typeKeys types into the focused element, one key event per character.
func (p *person) typeKeys(text string) {
	p.t.Helper()
	p.do(chromedp.KeyEvent(text))
}

// pressEnter presses Enter as a keyboard does: a key down the page can
// cancel, and a key up. chromedp's KeyEvent("\r") also sends a separate
// "char" event, which inserts a line break even after the page cancelled
// the key down.
func (p *person) pressEnter() {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		for _, kind := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			_, err := cdp.Call(ctx, target, input.DispatchKeyEvent, input.DispatchKeyEventParams{
				Type: kind, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
			})
			if err != nil {
				return err
			}
		}
		return nil
	}))
}

// command sends an editing command (copy, cut, paste, selectAll) the way a
// keyboard shortcut does, so the page gets real clipboard input events.
func (p *person) command(name string) {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		for _, kind := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			params := input.DispatchKeyEventParams{Type: kind}
			if kind == input.DispatchKeyEventTypeRawKeyDown {
				params.Commands = []string{name}
			}
			if _, err := cdp.Call(ctx, target, input.DispatchKeyEvent, params); err != nil {
				return err
			}
		}
		return nil
	}))
}

// setOffline cuts or restores the tab's network, as losing signal does:
// requests fail, open streams break and navigator.onLine changes.
func (p *person) setOffline(offline bool) {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		if _, err := cdp.Call(ctx, target, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		conditions := []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}
		if !offline {
			conditions = []*network.Conditions{}
		}
		if _, err := cdp.Call(ctx, target, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: conditions,
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, target, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
		})
		return err
	}))
}

// screenshot writes the viewport to docs/screenshots/name.png when
// HEARTH_SCREENSHOTS=1, so that ordinary test runs leave the files alone.
func (p *person) screenshot(name string) {
	p.t.Helper()
	if os.Getenv("HEARTH_SCREENSHOTS") != "1" {
		return
	}
	p.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: screenWidth, Height: screenHeight, DeviceScaleFactor: 1, Mobile: true,
		})
		return err
	}))
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	path := filepath.Join("..", "docs", "screenshots", name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatalf("write %s: %v", path, err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	quoted, _ := json.Marshal(s)
	return string(quoted)
}

// navigate loads url and waits for the page's first screen.
func (p *person) navigate(url string) {
	p.t.Helper()
	p.do(chromedp.Navigate(url))
	p.waitUntil(`document.querySelector("#view h1")`)
}
