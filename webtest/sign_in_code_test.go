package webtest

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
)

// smsConfig returns the test configuration with codes sent through the
// real Twilio client to fake.
func smsConfig(fake *hearthtest.FakeTwilio) hooks.Config {
	config := hooks.TestConfig()
	config.SMSSender = nil
	config.TwilioAccountSID = fake.AccountSID
	config.TwilioAuthToken = fake.AuthToken
	config.TwilioFrom = "+12015550199"
	config.TwilioAPIURL = fake.URL
	config.TwilioTimeout = 5 * time.Second
	return config
}

// requestCodeThroughPage fills in the sign-in form and waits for the code
// screen, which shows whether or not the pair matched.
func (p *person) requestCodeThroughPage(siteURL, phone, lastName string) {
	p.t.Helper()
	if !strings.Contains(p.locationHash(), "#/") || p.text("#view h1") != "Sign in" {
		p.navigate(siteURL + "/")
	}
	p.fill("#phone", phone)
	p.fill("#last-name", lastName)
	p.click("#sign-in button[type=submit]")
	p.waitText("#view h1", "Enter your code")
}

func (p *person) locationHash() string {
	var hash string
	p.eval(`location.hash`, &hash)
	return hash
}

// enterCode types a code on the code screen and submits it.
func (p *person) enterCode(code string) {
	p.t.Helper()
	p.fill("#code", code)
	p.click("#code-form button[type=submit]")
}

// signInThroughPage signs who in as a person would: phone and last name,
// then the code that the fake Twilio received.
func (s *site) signInThroughPage(p *person, sms *hearthtest.FakeTwilio, who hearthtest.Person) {
	p.t.Helper()
	p.navigate(s.URL + "/")
	p.requestCodeThroughPage(s.URL, who.Phone, who.LastName)
	code := waitForCode(p.t, sms, who.Phone, "")
	p.enterCode(code)
	p.waitText("#view h1", "Your sessions")
}

// waitForCode returns the newest code sent to phone that differs from
// previous. The server may send the SMS after it has responded, so this
// waits for the fake to receive it.
func waitForCode(t *testing.T, sms *hearthtest.FakeTwilio, phone, previous string) string {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		if code := sms.LastCode(phone); code != "" && code != previous {
			return code
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no new code was sent to %s", phone)
	return ""
}

func TestSignInWithCode(t *testing.T) {
	sms := hearthtest.NewFakeTwilio(t)
	config := smsConfig(sms)
	config.OTPCooldown = time.Millisecond
	s := startSite(t, config)
	browser := startBrowser(t)
	alice := newPerson(t, browser, "Alice")
	study := s.Study

	// A national format and a last name typed loosely both match.
	alice.navigate(s.URL + "/")
	alice.requestCodeThroughPage(s.URL, "(650) 253-0002", "  anders ")
	first := waitForCode(t, sms, study.Alice.Phone, "")
	var attributes map[string]string
	alice.eval(`(() => { const c = document.querySelector("#code"); return {autocomplete: c.autocomplete, inputmode: c.inputMode}; })()`, &attributes)
	if attributes["autocomplete"] != "one-time-code" || attributes["inputmode"] != "numeric" {
		t.Errorf("code input = %v, want autocomplete one-time-code and inputmode numeric", attributes)
	}
	alice.waitText("#resend-wait", "You can ask for a new code in")
	if !alice.disabled("#resend") {
		t.Errorf("the resend button is enabled during the cooldown")
	}

	// A wrong code sends Alice back to the start with a plain message.
	wrong := "000000"
	if first == wrong {
		wrong = "111111"
	}
	alice.enterCode(wrong)
	alice.waitText("#view h1", "Sign in")
	alice.waitText("flash-message", "That code did not work")

	// She requests a code again, and another once the countdown is over.
	alice.requestCodeThroughPage(s.URL, study.Alice.Phone, study.Alice.LastName)
	second := waitForCode(t, sms, study.Alice.Phone, first)
	alice.endCountdown()
	alice.click("#resend")
	third := waitForCode(t, sms, study.Alice.Phone, second)
	alice.waitText("#resend-wait", "A new code is on its way")

	// A fourth code within the hour is over the limit. The page shows when
	// to try again and counts down from the server's retryAfter.
	alice.endCountdown()
	alice.click("#resend")
	alice.waitText("#code-error", "Too many codes were asked for. You can ask again in")
	alice.waitText("#resend-wait", "You can ask for a new code in")
	if !alice.disabled("#resend") {
		t.Errorf("the resend button is enabled after a 429")
	}
	if got := len(sms.Messages()); got != 3 {
		t.Errorf("the fake Twilio received %d messages, want 3", got)
	}

	alice.enterCode(third)
	alice.waitText("#view h1", "Your sessions")
	alice.waitText("#who", "Signed in as Alice")
	alice.checkConsole()

	// Signing out ends the server session and returns to sign-in.
	alice.click("#sign-out")
	alice.waitText("#view h1", "Sign in")
	alice.waitText("flash-message", "You have signed out.")
}

// endCountdown moves the resend countdown to its end, as waiting out the
// cooldown would.
func (p *person) endCountdown() {
	p.t.Helper()
	p.eval(`(() => {
		const state = JSON.parse(sessionStorage.getItem("hearth.signIn"));
		state.resendAt = 0;
		sessionStorage.setItem("hearth.signIn", JSON.stringify(state));
		return true;
	})()`, nil)
	p.waitUntil(`!document.querySelector("#resend").disabled`)
}

func (p *person) disabled(selector string) bool {
	var disabled bool
	p.eval(`document.querySelector(`+jsString(selector)+`).disabled`, &disabled)
	return disabled
}
