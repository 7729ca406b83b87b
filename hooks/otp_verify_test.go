package hooks_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// codeFlow is a server with a fake Twilio, to sign Alice in end to end.
type codeFlow struct {
	*testServer
	fake  *hearthtest.FakeTwilio
	alice hearthtest.Person
	// clients counts the client addresses handed out by tryWrongCode.
	clients int
}

func newCodeFlow(t *testing.T) *codeFlow {
	t.Helper()
	fake := hearthtest.NewFakeTwilio(t)
	return &codeFlow{
		testServer: newTestServer(t, fakeTwilioConfig(fake)),
		fake:       fake,
		alice:      hearthtest.Fixture(t).Alice,
	}
}

// requestAliceCode requests a code for Alice and returns its otpId and the
// code that reached the fake Twilio.
func (f *codeFlow) requestAliceCode(t *testing.T) (string, string) {
	t.Helper()
	otpID := otpIDOf(t, f.requestCode(f.alice.Phone, f.alice.LastName))
	f.hearth.WaitForCodeDeliveries()
	code := f.fake.LastCode(f.alice.Phone)
	if code == "" {
		t.Fatal("no code reached Twilio")
	}
	return otpID, code
}

// wrongCode returns a 6-digit code that differs from code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestCodeSignIn(t *testing.T) {
	flow := newCodeFlow(t)
	otpID, code := flow.requestAliceCode(t)

	response := flow.signInWithCode(otpID, code)
	if response.StatusCode != http.StatusOK {
		t.Fatalf("sign-in: got status %d, want 200: %v", response.StatusCode, decode(t, response))
	}
	body := decode(t, response)
	token, _ := body["token"].(string)
	record, _ := body["record"].(map[string]any)
	if token == "" || record["id"] != flow.alice.ID {
		t.Fatalf("sign-in: got token %q and record %v, want Alice's", token, record)
	}
	if _, hasPhone := record["phone"]; hasPhone {
		t.Error("sign-in response shows the phone")
	}

	// The token belongs to a new live sign-in session.
	me := flow.do(http.MethodGet, "/api/me", "", map[string]string{"Authorization": token})
	if me.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/me with the new token: got status %d, want 200", me.StatusCode)
	}
	session, _ := decode(t, me)["sign_in_session"].(map[string]any)
	if session["id"] == "" || session["id"] == flow.alice.SignInSessionID {
		t.Errorf("sign_in_session id %v: want a new session", session["id"])
	}

	// The code is single use.
	if status := flow.signInWithCode(otpID, code).StatusCode; status != http.StatusBadRequest {
		t.Errorf("second use of the code: got status %d, want 400", status)
	}

	// The SMS log names the message but never the code.
	var logged []struct {
		Status       string `db:"status"`
		TwilioSID    string `db:"twilio_sid"`
		ErrorMessage string `db:"error_message"`
	}
	if err := flow.app.DB().Select("status", "twilio_sid", "error_message").From("sms_log").All(&logged); err != nil {
		t.Fatal(err)
	}
	if len(logged) != 1 || logged[0].Status != "sent" || logged[0].TwilioSID == "" {
		t.Fatalf("sms_log: got %+v, want one sent message with a SID", logged)
	}
	var row dbx.NullStringMap
	if err := flow.app.DB().Select("*").From("sms_log").One(&row); err != nil {
		t.Fatal(err)
	}
	for column, value := range row {
		if strings.Contains(value.String, code) {
			t.Errorf("sms_log.%s contains the code", column)
		}
	}
}

func TestCodeWrongThenRight(t *testing.T) {
	for _, wrongTries := range []int{4, 5} {
		flow := newCodeFlow(t)
		otpID, code := flow.requestAliceCode(t)

		for i := 0; i < wrongTries; i++ {
			if status := flow.signInWithCode(otpID, wrongCode(code)).StatusCode; status != http.StatusBadRequest {
				t.Fatalf("%d wrong tries: try %d: got status %d, want 400", wrongTries, i+1, status)
			}
		}

		if wrongTries < 5 {
			if status := flow.signInWithCode(otpID, code).StatusCode; status != http.StatusOK {
				t.Errorf("%d wrong tries, then the right code: got status %d, want 200", wrongTries, status)
			}
		} else {
			// The same client is over the limit per phone and client; another
			// one finds the code deleted.
			if status := flow.signInWithCode(otpID, code).StatusCode; status != http.StatusTooManyRequests {
				t.Errorf("%d wrong tries, then the right code: got status %d, want 429", wrongTries, status)
			}
			elsewhere := flow.doFrom("127.0.0.2:40000", http.MethodPost, "/api/collections/users/auth-with-otp", jsonCodeBody(otpID, code), nil)
			if elsewhere.StatusCode != http.StatusBadRequest {
				t.Errorf("%d wrong tries, then the right code from another client: got status %d, want 400", wrongTries, elsewhere.StatusCode)
			}
		}
		if _, err := flow.app.FindOTPById(otpID); err == nil {
			t.Errorf("%d wrong tries: the code still exists", wrongTries)
		}
	}
}

// TestCodeParallelGuessesCapped sends each guess from its own client
// address, so that only the cap per code stops them.
func TestCodeParallelGuessesCapped(t *testing.T) {
	flow := newCodeFlow(t)
	otpID, code := flow.requestAliceCode(t)

	var done sync.WaitGroup
	for i := 0; i < 10; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			flow.doFrom(fmt.Sprintf("127.0.4.%d:40000", i+1), http.MethodPost,
				"/api/collections/users/auth-with-otp", jsonCodeBody(otpID, wrongCode(code)), nil)
		}()
	}
	done.Wait()

	request, err := flow.app.FindFirstRecordByData("otp_requests", "otp_id", otpID)
	if err != nil {
		t.Fatal(err)
	}
	if tries := request.GetInt("failed_attempts"); tries != 5 {
		t.Errorf("failed_attempts: got %d, want 5", tries)
	}
	if status := flow.signInWithCode(otpID, code).StatusCode; status != http.StatusBadRequest {
		t.Errorf("right code after 10 parallel wrong ones: got status %d, want 400", status)
	}
}

func TestCodeExpires(t *testing.T) {
	flow := newCodeFlow(t)
	otpID, code := flow.requestAliceCode(t)
	backdate(t, flow.app, core.CollectionNameOTPs, dbx.HashExp{"id": otpID}, 5*time.Minute+time.Second)

	if status := flow.signInWithCode(otpID, code).StatusCode; status != http.StatusBadRequest {
		t.Errorf("expired code: got status %d, want 400", status)
	}
}

func TestCodeOnlyLatestWorks(t *testing.T) {
	flow := newCodeFlow(t)
	firstID, firstCode := flow.requestAliceCode(t)
	backdate(t, flow.app, "otp_requests", dbx.HashExp{"phone": flow.alice.Phone}, 2*time.Minute)
	secondID, secondCode := flow.requestAliceCode(t)

	if status := flow.signInWithCode(firstID, firstCode).StatusCode; status != http.StatusBadRequest {
		t.Errorf("earlier code after a new one was sent: got status %d, want 400", status)
	}
	if status := flow.signInWithCode(secondID, secondCode).StatusCode; status != http.StatusOK {
		t.Errorf("latest code: got status %d, want 200", status)
	}
}

func TestCodeForUnmatchedRequestFails(t *testing.T) {
	flow := newCodeFlow(t)
	otpID := otpIDOf(t, flow.requestCode(flow.alice.Phone, "Someone Else"))
	flow.hearth.WaitForCodeDeliveries()

	for _, guess := range []string{"000000", "123456"} {
		if status := flow.signInWithCode(otpID, guess).StatusCode; status != http.StatusBadRequest {
			t.Errorf("guess %s: got status %d, want 400", guess, status)
		}
	}
}

// TestSignInWithEndedSessionToken checks that a client still sending the
// token of an ended session can sign in again.
func TestSignInWithEndedSessionToken(t *testing.T) {
	flow := newCodeFlow(t)
	staleToken := hearthtest.SignIn(t, flow.app, flow.alice.ID)
	logout := flow.do(http.MethodPost, "/api/logout", "", map[string]string{"Authorization": staleToken})
	if logout.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: got status %d, want 204", logout.StatusCode)
	}
	stale := map[string]string{"Authorization": staleToken}

	response := flow.do(http.MethodPost, "/api/otp/request",
		`{"phone":"`+flow.alice.Phone+`","last_name":"`+flow.alice.LastName+`"}`, stale)
	otpID := otpIDOf(t, response)
	flow.hearth.WaitForCodeDeliveries()
	code := flow.fake.LastCode(flow.alice.Phone)

	signIn := flow.do(http.MethodPost, "/api/collections/users/auth-with-otp",
		`{"otpId":"`+otpID+`","password":"`+code+`"}`, stale)
	if signIn.StatusCode != http.StatusOK {
		t.Errorf("sign-in with a stale token attached: got status %d, want 200", signIn.StatusCode)
	}
	if status := flow.do(http.MethodGet, "/api/me", "", stale).StatusCode; status != http.StatusUnauthorized {
		t.Errorf("GET /api/me with the stale token: got status %d, want 401", status)
	}
}
