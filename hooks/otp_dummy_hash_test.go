package hooks_test

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// wrongCodeAnswer is the response a client sees to a rejected code.
type wrongCodeAnswer struct {
	status  int
	headers http.Header
	body    string
}

// tryWrongCode sends guess for otpID from its own client address. It
// returns the response and how many dummy hash comparisons it made.
func (f *codeFlow) tryWrongCode(t *testing.T, otpID, guess string) (wrongCodeAnswer, int64) {
	t.Helper()
	f.clients++
	before := f.hearth.DummyCodeComparisons()
	response := f.doFrom(fmt.Sprintf("127.0.2.%d:40000", f.clients), http.MethodPost,
		"/api/collections/users/auth-with-otp", jsonCodeBody(otpID, guess), nil)
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatal(err)
	}
	answer := wrongCodeAnswer{status: response.StatusCode, headers: response.Header, body: string(body)}
	return answer, f.hearth.DummyCodeComparisons() - before
}

// TestWrongCodeSameWork checks that every wrong code costs one bcrypt
// comparison and gets the same response. PocketBase compares it with the
// stored code of an enrolled person, and Hearth with the dummy hash when
// the otpId has no live code behind it.
func TestWrongCodeSameWork(t *testing.T) {
	flow := newCodeFlow(t)
	otpID, code := flow.requestAliceCode(t)
	enrolled, comparisons := flow.tryWrongCode(t, otpID, wrongCode(code))
	if enrolled.status != http.StatusBadRequest || !strings.Contains(enrolled.body, "Invalid or expired OTP") {
		t.Fatalf("wrong code for an enrolled person: got %d %s, want 400 Invalid or expired OTP", enrolled.status, enrolled.body)
	}
	if comparisons != 0 {
		t.Errorf("wrong code for an enrolled person: %d dummy comparisons, want 0", comparisons)
	}

	otpIDFor := func(phone, lastName string) string {
		// Each request must be past the limits the ones before count for.
		backdate(t, flow.app, "otp_requests", dbx.HashExp{}, time.Hour+time.Minute)
		otpID := otpIDOf(t, flow.requestCode(phone, lastName))
		flow.hearth.WaitForCodeDeliveries()
		return otpID
	}
	cases := []struct {
		name  string
		otpID func() string
	}{
		{"wrong name", func() string { return otpIDFor(flow.alice.Phone, "Someone Else") }},
		{"unknown phone", func() string { return otpIDFor("+16502530099", flow.alice.LastName) }},
		{"never issued", func() string { return "abcdefghij12345" }},
		{"expired code", func() string {
			otpID := otpIDFor(flow.alice.Phone, flow.alice.LastName)
			backdate(t, flow.app, core.CollectionNameOTPs, dbx.HashExp{"id": otpID}, 5*time.Minute+time.Second)
			return otpID
		}},
		{"used code", func() string {
			otpID := otpIDFor(flow.alice.Phone, flow.alice.LastName)
			if status := flow.signInWithCode(otpID, flow.fake.LastCode(flow.alice.Phone)).StatusCode; status != http.StatusOK {
				t.Fatalf("sign-in with the right code: got status %d, want 200", status)
			}
			return otpID
		}},
		{"after the last wrong try", func() string {
			otpID := otpIDFor(flow.alice.Phone, flow.alice.LastName)
			for i := 0; i < 5; i++ {
				flow.tryWrongCode(t, otpID, wrongCode(flow.fake.LastCode(flow.alice.Phone)))
			}
			return otpID
		}},
	}
	for _, c := range cases {
		answer, comparisons := flow.tryWrongCode(t, c.otpID(), "000000")
		if comparisons != 1 {
			t.Errorf("%s: %d dummy comparisons, want 1", c.name, comparisons)
		}
		if answer.status != enrolled.status {
			t.Errorf("%s: got status %d, want %d", c.name, answer.status, enrolled.status)
		}
		if answer.body != enrolled.body {
			t.Errorf("%s: got body %s, want %s", c.name, answer.body, enrolled.body)
		}
		if !reflect.DeepEqual(answer.headers, enrolled.headers) {
			t.Errorf("%s: got headers %v, want %v", c.name, answer.headers, enrolled.headers)
		}
	}
}

// TestDummyCodeHashCost checks that the dummy hash follows the bcrypt cost
// of the _otps password field, also after that cost changes.
func TestDummyCodeHashCost(t *testing.T) {
	flow := newCodeFlow(t)
	hash, err := flow.hearth.DummyCodeHash()
	if err != nil {
		t.Fatal(err)
	}
	// PocketBase v0.36.8 creates _otps with cost 8.
	if !strings.HasPrefix(hash, "$2a$08$") {
		t.Errorf("dummy hash %.7s…: want cost 8", hash)
	}

	otps, err := flow.app.FindCollectionByNameOrId(core.CollectionNameOTPs)
	if err != nil {
		t.Fatal(err)
	}
	otps.Fields.GetByName("password").(*core.PasswordField).Cost = 5
	if err := flow.app.Save(otps); err != nil {
		t.Fatal(err)
	}
	if hash, err = flow.hearth.DummyCodeHash(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$2a$05$") {
		t.Errorf("dummy hash after the cost changed to 5 %.7s…: want cost 5", hash)
	}
}

// TestCodeWithoutPasswordNoComparison checks that a body PocketBase rejects
// before looking the otpId up costs no comparison, for any otpId, since
// PocketBase compares nothing for it either.
func TestCodeWithoutPasswordNoComparison(t *testing.T) {
	flow := newCodeFlow(t)
	otpID, _ := flow.requestAliceCode(t)
	for _, id := range []string{otpID, "abcdefghij12345"} {
		answer, comparisons := flow.tryWrongCode(t, id, "")
		if answer.status != http.StatusBadRequest {
			t.Errorf("otpId %s without a code: got status %d, want 400", id, answer.status)
		}
		if comparisons != 0 {
			t.Errorf("otpId %s without a code: %d dummy comparisons, want 0", id, comparisons)
		}
	}
}
