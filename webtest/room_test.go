package webtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/hearth-research/hearth/internal/keystrokes"
)

// composed is the message Alice writes with every kind of edit, and the
// history the page must record for it.
const (
	composedBody    = "Hello, there <3"
	composedHistory = "Hellp<BS>o world<@5>,<@7-12>there<PASTE>Hello</PASTE><@12-17><CUT> <<3"
)

func TestGroupConversation(t *testing.T) {
	sms := hearthtest.NewFakeTwilio(t)
	s := startSite(t, smsConfig(sms))
	study := s.Study
	s.addAssessment(t, study.GroupA, "location", "location", "before", true)
	// 23:30 UTC on 4 March is 08:30 on 5 March in Tokyo.
	s.setStartsAt(t, study.GroupA, time.Date(2030, time.March, 4, 23, 30, 0, 0, time.UTC))

	browser := startBrowser(t)
	alice := newPerson(t, browser, "Alice")
	bob := newPerson(t, browser, "Bob")
	therapist := newPerson(t, browser, "Therapist")
	alice.setTimeZone("Asia/Tokyo")

	// Home: the date in the viewer's zone, the check-in gate, then entering.
	s.signInThroughPage(alice, sms, study.Alice)
	alice.waitText("#sessions", "Group A")
	if text := alice.text("#sessions"); !strings.Contains(text, "March 5") || !strings.Contains(text, "8:30") {
		t.Errorf("Alice's home page should show the start in Tokyo time (March 5, 8:30); it shows:\n%s", text)
	}
	alice.click("button.enter")
	alice.waitText(".enter-problem", "location")
	alice.screenshot("home")
	alice.fill("form.check-in input", "At home")
	alice.click("form.check-in button")
	alice.waitText("#sessions li[data-assessment]", "Done")
	alice.enterRoom()

	s.signInThroughPage(bob, sms, study.Bob)
	bob.waitText("#sessions", "Group A")
	bob.fill("form.check-in input", "At work, in a quiet room")
	bob.click("form.check-in button")
	bob.waitText("#sessions li[data-assessment]", "Done")
	bob.enterRoom()

	s.signInThroughPage(therapist, sms, study.Therapist)
	therapist.waitText("#sessions", "Group A")
	therapist.enterRoom()
	therapist.click("#tools-panel summary")
	therapist.waitText("#tools .check-ins", "Done: At home")
	therapist.waitText("#tools .check-ins", "Done: At work, in a quiet room")
	therapist.waitText("#people", "Alice")

	// Alice writes with typing, backspace, a mid-text edit, a selection
	// replace, paste and cut, and sends with Enter.
	alice.focusCompose()
	alice.typeKeys("Hellp")
	alice.typeKeys(kb.Backspace)
	alice.typeKeys("o world")
	alice.selectCompose(5, 5)
	alice.typeKeys(",")
	alice.selectCompose(7, 12)
	alice.typeKeys("there")
	alice.selectCompose(0, 5)
	alice.command("copy")
	alice.selectCompose(12, 12)
	alice.command("paste")
	alice.selectCompose(12, 17)
	alice.command("cut")
	alice.typeKeys(" <3")
	if got := alice.composeValue(); got != composedBody {
		t.Fatalf("Alice's compose box holds %q before sending, want %q", got, composedBody)
	}
	alice.pressEnter()
	if got := alice.composeValue(); got != "" {
		t.Errorf("the compose box holds %q after sending, want it empty", got)
	}

	for _, p := range []*person{alice, bob, therapist} {
		p.waitUntil(fmt.Sprintf(`[...document.querySelectorAll("#messages li.msg[data-id] .body")].some((b) => b.textContent === %s)`, jsString(composedBody)))
	}

	// Bob writes to the therapist only.
	private := "Only for the therapist: I had a hard week."
	bob.chooseRecipient("Therapist")
	bob.send(private)
	therapist.waitText("#messages", private)
	if tag := therapist.text("#messages li.msg.private .tag.private"); !strings.Contains(tag, "Private") {
		t.Errorf("the therapist's copy of Bob's private message is not marked private (tag %q)", tag)
	}
	bob.waitUntil(fmt.Sprintf(`[...document.querySelectorAll("#messages li.msg.private[data-id]")].some((m) => m.textContent.includes(%s))`, jsString(private)))

	// Reactions: the therapist adds a heart to Alice's message; Alice adds
	// and then removes her own.
	therapist.reactTo(composedBody, "heart")
	alice.waitUntil(`document.querySelector("#messages li.msg.own .chip[data-react=heart]")?.textContent.includes("1")`)
	alice.reactTo(composedBody, "heart")
	therapist.waitUntil(`document.querySelector("#messages .chip[data-react=heart]")?.textContent.includes("2")`)
	alice.click(`#messages li.msg.own .chip[data-react=heart]`)
	therapist.waitUntil(`document.querySelector("#messages .chip[data-react=heart]")?.textContent.includes("1")`)

	// Alice deletes a message she regrets. The others see that it was
	// deleted, and not its text.
	regret := "I should not have said this."
	alice.send(regret)
	bob.waitText("#messages", regret)
	alice.deleteMessage(regret)
	for _, p := range []*person{alice, bob, therapist} {
		p.waitUntil(fmt.Sprintf(`!document.querySelector("#messages").textContent.includes(%s)`, jsString(regret)))
		p.waitText("#messages li.msg.deleted", "This message was deleted.")
	}

	// The therapist writes the whiteboard and posts a notice.
	therapist.click("#whiteboard-panel summary")
	therapist.click("#whiteboard-panel summary")
	therapist.fill("#whiteboard-input", "Breathe in for 4, out for 6.")
	therapist.click("form.whiteboard-edit button")
	notice := "We take a short break at half past."
	therapist.fill("#notice-input", notice)
	therapist.click(".notice-form button")
	for _, p := range []*person{alice, bob} {
		p.waitText("#whiteboard", "Breathe in for 4, out for 6.")
		p.waitText("#messages li.notice", notice)
	}

	// Bob loses his signal, writes meanwhile, and Alice writes too.
	bob.setOffline(true)
	bob.waitText("connection-status", "Offline")
	offline := "Typed on the bus with no signal."
	bob.chooseRecipient("Everyone")
	bob.send(offline)
	bob.waitText("#messages li.pending", offline)
	meanwhile := "Bob, are you still there?"
	alice.send(meanwhile)
	therapist.waitText("#messages", meanwhile)
	bob.setOffline(false)
	for _, p := range []*person{alice, bob, therapist} {
		p.waitUntil(fmt.Sprintf(`[...document.querySelectorAll("#messages li.msg[data-id] .body")].some((b) => b.textContent === %s)`, jsString(offline)))
		p.waitUntil(fmt.Sprintf(`[...document.querySelectorAll("#messages li.msg[data-id] .body")].some((b) => b.textContent === %s)`, jsString(meanwhile)))
	}
	bob.waitText("connection-status", "Connected")
	bob.waitUntil(`!document.querySelector("#messages li.pending")`)

	// Bob writes offline and closes the page before the message is sent.
	// The stored outbox sends it when he opens the room again.
	bob.setOffline(true)
	bob.waitText("connection-status", "Offline")
	stored := "Written just before my battery died."
	bob.send(stored)
	bob.waitText("#messages li.pending", stored)
	bob.do(chromedp.Navigate("about:blank"))
	bob.setOffline(false)
	bob.navigate(s.URL + "/?reopened#/room/" + study.GroupA)
	bob.waitText("connection-status", "Connected")
	bob.waitText("#whiteboard", "Breathe in for 4, out for 6.")
	for _, p := range []*person{alice, bob, therapist} {
		p.waitUntil(fmt.Sprintf(`[...document.querySelectorAll("#messages li.msg[data-id] .body")].some((b) => b.textContent === %s)`, jsString(stored)))
	}
	bob.waitUntil(`!document.querySelector("#messages li.pending")`)

	// Read markers: Alice's messages show who has seen them.
	alice.waitText("#messages li.msg.own .seen", "Seen by")

	// Each page shows each message once, and Alice's page never contains
	// Bob's private message.
	for _, p := range []*person{alice, bob, therapist} {
		for _, body := range []string{composedBody, offline, meanwhile, stored} {
			if n := p.count("#messages li.msg .body", body); n != 1 {
				t.Errorf("%s sees %q %d times, want once", p.name, body, n)
			}
		}
	}
	if markup := alice.html(); strings.Contains(markup, "hard week") {
		t.Errorf("Alice's page contains Bob's private message to the therapist")
	}
	var storage string
	alice.eval(`JSON.stringify(Object.assign({}, localStorage))`, &storage)
	if strings.Contains(storage, "hard week") {
		t.Errorf("Alice's storage contains Bob's private message to the therapist")
	}
	alice.checkLayout()
	therapist.checkLayout()
	alice.screenshot("room")

	// The keystroke history each page recorded replays to what was sent,
	// and Alice's has one token for each kind of edit.
	found := false
	for _, message := range s.messages(t, study.GroupA) {
		body := message.GetString("body")
		if message.GetBool("deleted") {
			body = message.GetString("original_body")
		}
		history := message.GetString("character_history")
		replayed, err := keystrokes.Replay(history)
		if err != nil {
			t.Errorf("history %q of %q does not replay: %v", history, body, err)
		} else if replayed != body {
			t.Errorf("history %q replays to %q, want the sent %q", history, replayed, body)
		}
		if body != composedBody {
			continue
		}
		found = true
		if history != composedHistory {
			t.Errorf("stored character_history = %q, want %q", history, composedHistory)
		}
		if message.GetFloat("time_to_complete") <= 0 {
			t.Errorf("stored time_to_complete = %v, want the seconds from first keystroke to send", message.GetFloat("time_to_complete"))
		}
	}
	if !found {
		t.Errorf("Alice's composed message was not stored")
	}

	for _, p := range []*person{alice, bob, therapist} {
		p.checkConsole()
	}
}

// enterRoom presses Enter on the home page and waits for the live room.
func (p *person) enterRoom() {
	p.t.Helper()
	p.click("button.enter")
	p.waitUntil(`location.hash.startsWith("#/room/")`)
	p.waitText("connection-status", "Connected")
}

func (p *person) focusCompose() {
	p.t.Helper()
	p.do(chromedp.Focus(chromedp.CSS("#compose-text")))
}

// selectCompose selects start..end in the compose box, as a finger or the
// arrow keys would; it fires no input event.
func (p *person) selectCompose(start, end int) {
	p.t.Helper()
	p.eval(fmt.Sprintf(`(() => { const t = document.querySelector("#compose-text"); t.focus(); t.setSelectionRange(%d, %d); return true; })()`, start, end), nil)
}

func (p *person) composeValue() string {
	p.t.Helper()
	var value string
	p.eval(`document.querySelector("#compose-text").value`, &value)
	return value
}

// send types text into the compose box and presses the Send button.
func (p *person) send(text string) {
	p.t.Helper()
	p.focusCompose()
	p.typeKeys(text)
	p.click("compose-box button[type=submit]")
}

// chooseRecipient picks the person whose option mentions alias in the
// "Send to" list.
func (p *person) chooseRecipient(alias string) {
	p.t.Helper()
	p.eval(fmt.Sprintf(`(() => {
		const select = document.querySelector("#recipients");
		const option = [...select.options].find((o) => o.text.includes(%s));
		select.value = option.value;
		select.dispatchEvent(new Event("change"));
		return true;
	})()`, jsString(alias)), nil)
}

// messageRow waits for the saved message row with body and returns a
// selector for it.
func (p *person) messageRow(body string) string {
	p.t.Helper()
	p.waitUntil(fmt.Sprintf(`[...document.querySelectorAll("#messages li.msg[data-id] .body")].some((b) => b.textContent === %s)`, jsString(body)))
	var id string
	p.eval(fmt.Sprintf(`(() => {
		const row = [...document.querySelectorAll("#messages li.msg[data-id]")].find((m) => m.querySelector(".body")?.textContent === %s);
		return row ? row.dataset.id : "";
	})()`, jsString(body)), &id)
	if id == "" {
		p.t.Fatalf("%s: no saved message %q on the page", p.name, body)
	}
	return fmt.Sprintf(`#messages li[data-id="%s"]`, id)
}

func (p *person) reactTo(body, icon string) {
	p.t.Helper()
	row := p.messageRow(body)
	p.click(row + " .react-picker summary")
	p.click(fmt.Sprintf(`%s .picker button[data-react=%s]`, row, icon))
}

func (p *person) deleteMessage(body string) {
	p.t.Helper()
	row := p.messageRow(body)
	p.click(row + " [data-delete]")
	p.waitText(row+" [data-delete]", "Press again")
	p.click(row + " [data-delete]")
}

// setTimeZone makes the tab's clock run in zone, as a phone set to it.
func (p *person) setTimeZone(zone string) {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	}))
}

func TestRoomRemovalAndClosing(t *testing.T) {
	sms := hearthtest.NewFakeTwilio(t)
	s := startSite(t, smsConfig(sms))
	study := s.Study

	browser := startBrowser(t)
	bob := newPerson(t, browser, "Bob")
	therapist := newPerson(t, browser, "Therapist")
	s.signInThroughPage(bob, sms, study.Bob)
	bob.enterRoom()
	s.signInThroughPage(therapist, sms, study.Therapist)
	therapist.enterRoom()

	// The therapist removes Bob: his room closes with a plain message, and
	// he cannot come back in until readmitted.
	therapist.click("#people-panel summary")
	therapist.waitText("#people", "Bob")
	therapist.click(`#people [data-remove="` + study.Bob.ID + `"]`)
	bob.waitText("#view h1", "Your sessions")
	bob.waitText("flash-message", "A therapist removed you from this session.")
	therapist.waitText("#people", "removed")
	bob.click("button.enter")
	bob.waitUntil(`!document.querySelector(".enter-problem").hidden`)
	if location := bob.locationHash(); location != "#/home" {
		t.Errorf("Bob entered the room after being removed (at %s)", location)
	}

	therapist.click(`#people [data-readmit="` + study.Bob.ID + `"]`)
	therapist.waitUntil(`document.querySelector('#people [data-remove="` + study.Bob.ID + `"]')`)
	bob.enterRoom()

	// Closing the session sends everyone home.
	therapist.click("#tools-panel summary")
	therapist.click("#tools [data-close]")
	bob.waitText("#view h1", "Your sessions")
	bob.waitText("flash-message", "The session has ended.")
	therapist.waitText("#view h1", "Your sessions")

	bob.checkLayout()
	for _, p := range []*person{bob, therapist} {
		p.checkConsole()
	}
}
