package hooks_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
)

// TestOTPRequestRejectsBadText checks that invalid UTF-8, unpaired
// surrogate escapes and control characters in the phone or the last name
// get a 400 field error. The body is the same for an enrolled phone and an
// unknown one, and nothing is recorded or sent.
func TestOTPRequestRejectsBadText(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	const json = "application/json"
	const multipart = "multipart/form-data; boundary=B"
	cases := []struct {
		name, contentType string
		// body has {phone} where the phone goes and {name} where Alice's
		// last name goes. Raw bytes are Go escapes in "…" strings, and
		// escapes in `…` strings are JSON's.
		body, field, code string
	}{
		{"invalid byte in last name", json, "{\"phone\":\"{phone}\",\"last_name\":\"{name}\xff\"}", "last_name", "validation_invalid_utf8"},
		{"cut-off character in last name", json, "{\"phone\":\"{phone}\",\"last_name\":\"{name}\xc3\"}", "last_name", "validation_invalid_utf8"},
		{"encoded surrogate in last name", json, `{"phone":"{phone}","last_name":"{name}\ud800"}`, "last_name", "validation_invalid_utf8"},
		{"invalid byte under a capitalised key", json, "{\"phone\":\"{phone}\",\"LAST_NAME\":\"{name}\xff\"}", "last_name", "validation_invalid_utf8"},
		{"invalid byte in a multipart JSON payload", multipart,
			"--B\r\nContent-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n" +
				"{\"phone\":\"{phone}\",\"last_name\":\"{name}\xff\"}\r\n--B--\r\n",
			"last_name", "validation_invalid_utf8"},
		{"NUL in last name", json, `{"phone":"{phone}","last_name":"{name}\u0000{name}"}`, "last_name", "validation_invalid_characters"},
		{"line break in last name", json, `{"phone":"{phone}","last_name":"{name}\n{name}"}`, "last_name", "validation_invalid_characters"},
		{"DEL in last name", json, `{"phone":"{phone}","last_name":"{name}\u007f"}`, "last_name", "validation_invalid_characters"},
		{"C1 control in last name", json, `{"phone":"{phone}","last_name":"{name}\u0085{name}"}`, "last_name", "validation_invalid_characters"},
		{"invalid byte in phone", json, "{\"phone\":\"{phone}\xff\",\"last_name\":\"{name}\"}", "phone", "validation_invalid_utf8"},
		{"NUL in phone", json, `{"phone":"{phone}\u0000","last_name":"{name}"}`, "phone", "validation_invalid_characters"},
		{"tab in phone", json, `{"phone":"+1\t` + alice.Phone[2:] + `","last_name":"{name}"}`, "phone", "validation_invalid_characters"},
	}
	fake := hearthtest.NewFakeTwilio(t)
	server := newTestServer(t, fakeTwilioConfig(fake))

	for _, c := range cases {
		var bodies []string
		for _, phone := range []string{alice.Phone, "+16502530099"} {
			body := strings.NewReplacer("{phone}", phone, "{name}", alice.LastName).Replace(c.body)
			response := server.do(http.MethodPost, "/api/otp/request", body, map[string]string{"Content-Type": c.contentType})
			data, err := io.ReadAll(response.Body)
			if err != nil {
				t.Fatal(err)
			}
			if response.StatusCode != http.StatusBadRequest {
				t.Errorf("%s, phone %s: got status %d, want 400", c.name, phone, response.StatusCode)
			}
			if want := `"` + c.field + `":{"code":"` + c.code + `"`; !strings.Contains(string(data), want) {
				t.Errorf("%s, phone %s: got body %s, want %s", c.name, phone, data, want)
			}
			bodies = append(bodies, string(data))
		}
		if bodies[0] != bodies[1] {
			t.Errorf("%s: enrolled phone got %s, unknown phone %s", c.name, bodies[0], bodies[1])
		}
	}

	server.hearth.WaitForCodeDeliveries()
	if rows := countRows(t, server.app, "otp_requests", nil); rows != 0 {
		t.Errorf("otp_requests: got %d rows, want none", rows)
	}
	if sent := len(fake.Messages()); sent != 0 {
		t.Errorf("got %d messages, want none", sent)
	}
}
