package hooks_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// codeTry is one way of sending an otpId and a code to auth-with-otp.
type codeTry struct {
	name        string
	path        string
	contentType string
	body        func(otpID, code string) string
}

// codeTrySpellings lists requests that PocketBase's handler reads as an
// ordinary code check, although they differ from the JS SDK's request in
// the route, the content type or the body.
var codeTrySpellings = []codeTry{
	{
		name: "collection name in capitals",
		path: "/api/collections/USERS/auth-with-otp",
		body: jsonCodeBody,
	},
	{
		name: "collection id",
		path: "/api/collections/_pb_users_auth_/auth-with-otp",
		body: jsonCodeBody,
	},
	{
		name: "JSON keys in capitals",
		path: "/api/collections/users/auth-with-otp",
		body: func(otpID, code string) string {
			return `{"OTPID":"` + otpID + `","PASSWORD":"` + code + `"}`
		},
	},
	{
		name:        "repeated form field",
		path:        "/api/collections/users/auth-with-otp",
		contentType: "application/x-www-form-urlencoded",
		body: func(otpID, code string) string {
			return "otpId=" + otpID + "&otpId=" + otpID + "&password=" + code
		},
	},
}

func jsonCodeBody(otpID, code string) string {
	return `{"otpId":"` + otpID + `","password":"` + code + `"}`
}

// send posts one try from its own client address, so that no per-client
// limit is reached.
func (try codeTry) send(server *testServer, client int, otpID, code string) *http.Response {
	headers := map[string]string{}
	if try.contentType != "" {
		headers["Content-Type"] = try.contentType
	}
	return server.doFrom(fmt.Sprintf("127.0.1.%d:40000", client), http.MethodPost, try.path, try.body(otpID, code), headers)
}

// TestCodeCapCoversEverySpelling checks that wrong codes sent in any form
// PocketBase's handler accepts count against the cap of maxCodeTries.
func TestCodeCapCoversEverySpelling(t *testing.T) {
	for _, try := range codeTrySpellings {
		t.Run(try.name, func(t *testing.T) {
			flow := newCodeFlow(t)
			otpID, code := flow.requestAliceCode(t)

			for i := 1; i <= 5; i++ {
				if status := try.send(flow.testServer, i, otpID, wrongCode(code)).StatusCode; status != http.StatusBadRequest {
					t.Fatalf("wrong try %d: got status %d, want 400", i, status)
				}
			}
			request, err := flow.app.FindFirstRecordByData("otp_requests", "otp_id", otpID)
			if err != nil {
				t.Fatal(err)
			}
			if tries := request.GetInt("failed_attempts"); tries != 5 {
				t.Errorf("failed_attempts: got %d, want 5", tries)
			}
			if status := try.send(flow.testServer, 6, otpID, code).StatusCode; status != http.StatusBadRequest {
				t.Errorf("right code after 5 wrong ones: got status %d, want 400", status)
			}
		})
	}
}

// TestCodeCheckReadsBodyOnce checks that after a first JSON value that
// does not fit the form, PocketBase's handler does not read on to a second
// value and check a code this package never saw.
func TestCodeCheckReadsBodyOnce(t *testing.T) {
	for _, first := range []string{`[1]`, `{"otpId":1}`} {
		flow := newCodeFlow(t)
		otpID, code := flow.requestAliceCode(t)

		// The padding puts the second value beyond a JSON decoder's first read.
		body := first + strings.Repeat(" ", 4096) + jsonCodeBody(otpID, code)
		response := flow.do(http.MethodPost, "/api/collections/users/auth-with-otp", body, nil)
		if response.StatusCode != http.StatusBadRequest {
			t.Errorf("%s, then the right code: got status %d, want 400", first, response.StatusCode)
		}
		if _, err := flow.app.FindOTPById(otpID); err != nil {
			t.Errorf("%s, then the right code: the code was used", first)
		}
	}
}
