package hooks_test

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
)

// tooManyCodeChecks is PocketBase's message when its own limit on code
// checks is reached.
const tooManyCodeChecks = "Too many attempts, please try again later with a new OTP."

// TestCodeCheckLimitSameForAll checks that the sixth code check for one
// phone from one client within 180 s gets the same 429 whether or not the
// phone and last name belong to an enrolled person, even with the right
// code. Other clients are not held back.
func TestCodeCheckLimitSameForAll(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	cases := []struct{ name, phone, lastName string }{
		{"enrolled", alice.Phone, alice.LastName},
		{"wrong name", alice.Phone, "Someone Else"},
		{"unknown phone", "+16502530099", alice.LastName},
	}
	var first *http.Response
	var firstBody string
	for _, c := range cases {
		flow := newCodeFlow(t)
		request := func() (string, string) {
			otpID := otpIDOf(t, flow.requestCode(c.phone, c.lastName))
			flow.hearth.WaitForCodeDeliveries()
			return otpID, flow.fake.LastCode(c.phone)
		}

		// Two codes, so that the cap of 5 wrong tries per code is not what
		// stops the sixth check.
		otpID, code := request()
		for i := 0; i < 3; i++ {
			if status := flow.signInWithCode(otpID, wrongCode(code)).StatusCode; status != http.StatusBadRequest {
				t.Fatalf("%s: wrong try %d: got status %d, want 400", c.name, i+1, status)
			}
		}
		backdate(t, flow.app, "otp_requests", dbx.HashExp{}, 2*time.Minute)
		otpID, code = request()
		for i := 3; i < 5; i++ {
			if status := flow.signInWithCode(otpID, wrongCode(code)).StatusCode; status != http.StatusBadRequest {
				t.Fatalf("%s: wrong try %d: got status %d, want 400", c.name, i+1, status)
			}
		}

		// The right code for Alice, and as good as any for the others.
		if code == "" {
			code = "123456"
		}
		limited := flow.signInWithCode(otpID, code)
		body, err := io.ReadAll(limited.Body)
		if err != nil {
			t.Fatal(err)
		}
		if limited.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s: sixth check: got status %d, want 429", c.name, limited.StatusCode)
		}
		if !strings.Contains(string(body), tooManyCodeChecks) {
			t.Errorf("%s: sixth check: got body %s, want PocketBase's message", c.name, body)
		}
		if first == nil {
			first, firstBody = limited, string(body)
		} else {
			if string(body) != firstBody {
				t.Errorf("%s: got body %s, want %s", c.name, body, firstBody)
			}
			if !reflect.DeepEqual(limited.Header, first.Header) {
				t.Errorf("%s: got headers %v, want %v", c.name, limited.Header, first.Header)
			}
		}

		want := http.StatusBadRequest
		if c.name == "enrolled" {
			want = http.StatusOK
		}
		elsewhere := flow.doFrom("127.0.0.2:40000", http.MethodPost, "/api/collections/users/auth-with-otp", jsonCodeBody(otpID, code), nil)
		if elsewhere.StatusCode != want {
			t.Errorf("%s: same code from another client: got status %d, want %d", c.name, elsewhere.StatusCode, want)
		}
	}
}

// TestCodeCheckLimitNeverIssued checks that otpIds never handed out are
// limited per client address.
func TestCodeCheckLimitNeverIssued(t *testing.T) {
	flow := newCodeFlow(t)
	for i := 1; i <= 5; i++ {
		otpID := fmt.Sprintf("neverissued%04d", i)
		if status := flow.signInWithCode(otpID, "000000").StatusCode; status != http.StatusBadRequest {
			t.Fatalf("try %d: got status %d, want 400", i, status)
		}
	}
	if status := flow.signInWithCode("neverissued0006", "000000").StatusCode; status != http.StatusTooManyRequests {
		t.Errorf("sixth try: got status %d, want 429", status)
	}
	elsewhere := flow.doFrom("127.0.0.2:40000", http.MethodPost, "/api/collections/users/auth-with-otp", jsonCodeBody("neverissued0006", "000000"), nil)
	if elsewhere.StatusCode != http.StatusBadRequest {
		t.Errorf("sixth try from another client: got status %d, want 400", elsewhere.StatusCode)
	}
}

// TestCodeCheckLimitForwardedHeader checks that the limit also counts by
// the address PocketBase counts by. When PocketBase's settings name a
// forwarded-for header but Hearth trusts no proxy, PocketBase counts a
// header value shared by several peers as one client. It would then return
// 429 for an enrolled person before Hearth's limit per peer is reached.
func TestCodeCheckLimitForwardedHeader(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	config := hooks.TestConfig()
	config.TrustedProxies = nil
	server := newTestServer(t, config)
	server.app.Settings().TrustedProxy.Headers = []string{"X-Forwarded-For"}

	otpID := otpIDOf(t, server.requestCode(alice.Phone, "Someone Else"))
	server.hearth.WaitForCodeDeliveries()
	try := func(peer int, forwardedFor string) int {
		return server.doFrom(fmt.Sprintf("127.0.5.%d:40000", peer), http.MethodPost,
			"/api/collections/users/auth-with-otp", jsonCodeBody(otpID, "000000"),
			map[string]string{"X-Forwarded-For": forwardedFor}).StatusCode
	}

	for peer := 1; peer <= 5; peer++ {
		if status := try(peer, "192.0.2.7"); status != http.StatusBadRequest {
			t.Fatalf("peer %d: got status %d, want 400", peer, status)
		}
	}
	if status := try(6, "192.0.2.7"); status != http.StatusTooManyRequests {
		t.Errorf("sixth peer with the same header: got status %d, want 429", status)
	}
}
