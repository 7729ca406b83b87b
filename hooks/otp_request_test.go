package hooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func TestOTPRequestInputVariants(t *testing.T) {
	const enrolledPhone = "+16502530010"
	alice := hearthtest.Fixture(t).Alice

	scenarios := []struct {
		name, phone, lastName string
		// to is the number that must get a code, "" for none.
		to string
	}{
		{"national with brackets", "(650) 253-0002", "Anders", alice.Phone},
		{"dots", "650.253.0002", "Anders", alice.Phone},
		{"digits only", "6502530002", "Anders", alice.Phone},
		{"international with spaces", "+1 650 253 0002", "Anders", alice.Phone},
		{"leading 00", "001-650-253-0002", "Anders", alice.Phone},
		{"full-width digits", "＋１ ６５０ ２５３ ０００２", "Anders", alice.Phone},
		{"name in capitals", "6502530002", "ANDERS", alice.Phone},
		{"name with spaces around", "6502530002", "  anders ", alice.Phone},
		{"enrolled spelling", "650 253 0010", "O'Brien-Müller", enrolledPhone},
		{"curly apostrophe and en dash", "650 253 0010", "O’Brien–Müller", enrolledPhone},
		{"no accent, lower case", "650 253 0010", "o'brien-muller", enrolledPhone},
		{"combining diaeresis", "650 253 0010", "O'BRIEN-MU\u0308LLER", enrolledPhone},
		{"wrong name", "650 253 0010", "O'Brien", ""},
		{"apostrophe left out", "650 253 0010", "OBrien-Müller", ""},
		{"unknown phone", "650 253 0099", "Anders", ""},
	}

	for _, s := range scenarios {
		fake := hearthtest.NewFakeTwilio(t)
		var hearth *hooks.Hearth
		body, _ := json.Marshal(map[string]string{"phone": s.phone, "last_name": s.lastName})

		scenario := tests.ApiScenario{
			Name:            s.name,
			Method:          http.MethodPost,
			URL:             "/api/otp/request",
			Body:            strings.NewReader(string(body)),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"otpId":"`},
			TestAppFactory: func(t testing.TB) *tests.TestApp {
				var app *tests.TestApp
				app, hearth = hearthtest.NewAppWithConfig(t, fakeTwilioConfig(fake))
				if _, err := hearthtest.EnrolUser(app, "participant", "P10", enrolledPhone, "O'Brien-Müller"); err != nil {
					t.Fatal(err)
				}
				return app
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				hearth.WaitForCodeDeliveries()
				messages := fake.Messages()
				if s.to == "" {
					if len(messages) != 0 {
						t.Errorf("got %d messages, want none", len(messages))
					}
					return
				}
				if len(messages) != 1 {
					t.Fatalf("got %d messages, want 1", len(messages))
				}
				if messages[0].To != s.to {
					t.Errorf("message to %q, want %q", messages[0].To, s.to)
				}
				if fake.LastCode(s.to) == "" {
					t.Errorf("message has no 6-digit code: %q", messages[0].Body)
				}
			},
		}
		scenario.Test(t)
	}
}

func TestOTPRequestValidation(t *testing.T) {
	scenarios := []struct {
		name, body string
		expected   []string
		absent     []string
	}{
		{"invalid phone", `{"phone":"12345","last_name":"Anders"}`,
			[]string{`"phone":{"code":"validation_invalid_phone"`}, []string{`"last_name":{`}},
		{"phone country not allowed", `{"phone":"+61 2 9374 4000","last_name":"Anders"}`,
			[]string{`"phone":{"code":"validation_phone_country"`}, nil},
		{"missing phone", `{"last_name":"Anders"}`,
			[]string{`"phone":{"code":"validation_required"`}, nil},
		{"missing last name", `{"phone":"6502530002"}`,
			[]string{`"last_name":{"code":"validation_required"`}, []string{`"phone":{`}},
		{"blank last name", `{"phone":"6502530002","last_name":"   "}`,
			[]string{`"last_name":{"code":"validation_required"`}, nil},
		{"last name too long", `{"phone":"6502530002","last_name":"` + strings.Repeat("é", 101) + `"}`,
			[]string{`"last_name":{"code":"validation_length_out_of_range"`}, nil},
		{"both missing", `{}`,
			[]string{`"phone":{`, `"last_name":{`}, nil},
		{"not JSON", `phone=6502530002`,
			[]string{`"status":400`}, nil},
	}
	for _, s := range scenarios {
		scenario := tests.ApiScenario{
			Name:               s.name,
			Method:             http.MethodPost,
			URL:                "/api/otp/request",
			Body:               strings.NewReader(s.body),
			ExpectedStatus:     http.StatusBadRequest,
			ExpectedContent:    s.expected,
			NotExpectedContent: append([]string{`"otpId"`}, s.absent...),
			TestAppFactory:     hearthtest.NewApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				// Nothing is recorded, so a rejected request uses up no limit.
				if count, _ := app.CountRecords("otp_requests"); count != 0 {
					t.Errorf("otp_requests: got %d rows, want 0", count)
				}
			},
		}
		scenario.Test(t)
	}
}

// TestOTPRequestEnumeration compares the whole response, status, headers
// and body shape, for a matching pair, a wrong name and an unknown phone.
func TestOTPRequestEnumeration(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	cases := []struct{ name, phone, lastName string }{
		{"matching pair", alice.Phone, alice.LastName},
		{"wrong name", alice.Phone, "Someone"},
		{"unknown phone", "+16502530099", alice.LastName},
	}
	otpIDForm := regexp.MustCompile(`^[a-z0-9]{15}$`)

	type observed struct {
		status  int
		headers http.Header
		body    string
	}
	var results []observed
	for _, c := range cases {
		fake := hearthtest.NewFakeTwilio(t)
		server := newTestServer(t, fakeTwilioConfig(fake))
		response := server.requestCode(c.phone, c.lastName)
		data, _ := io.ReadAll(response.Body)

		var body map[string]string
		if err := json.Unmarshal(data, &body); err != nil {
			t.Fatalf("%s: body %q is not a JSON object of strings: %v", c.name, data, err)
		}
		if !otpIDForm.MatchString(body["otpId"]) {
			t.Errorf("%s: otpId %q does not look like a record id", c.name, body["otpId"])
		}
		shape := strings.Replace(string(data), body["otpId"], "ID", 1)

		headers := response.Header.Clone()
		headers.Del("Date")
		results = append(results, observed{response.StatusCode, headers, shape})

		server.hearth.WaitForCodeDeliveries()
		wantMessages := 0
		if c.name == "matching pair" {
			wantMessages = 1
		}
		if got := len(fake.Messages()); got != wantMessages {
			t.Errorf("%s: got %d messages, want %d", c.name, got, wantMessages)
		}
		// Every case leaves the same trace in the limits table.
		if count, _ := server.app.CountRecords("otp_requests"); count != 1 {
			t.Errorf("%s: otp_requests: got %d rows, want 1", c.name, count)
		}
	}

	for i := 1; i < len(results); i++ {
		if results[i].status != results[0].status {
			t.Errorf("%s: status %d differs from %d", cases[i].name, results[i].status, results[0].status)
		}
		if results[i].body != results[0].body {
			t.Errorf("%s: body %q differs from %q", cases[i].name, results[i].body, results[0].body)
		}
		if !equalHeaders(results[i].headers, results[0].headers) {
			t.Errorf("%s: headers %v differ from %v", cases[i].name, results[i].headers, results[0].headers)
		}
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for name, values := range a {
		if strings.Join(values, "\n") != strings.Join(b[name], "\n") {
			return false
		}
	}
	return true
}

func TestPocketBaseRequestOTPBlocked(t *testing.T) {
	scenario := tests.ApiScenario{
		Name:               "request-otp for users",
		Method:             http.MethodPost,
		URL:                "/api/collections/users/request-otp",
		Body:               strings.NewReader(`{"email":"someone@example.com"}`),
		ExpectedStatus:     http.StatusForbidden,
		ExpectedContent:    []string{"/api/otp/request"},
		NotExpectedContent: []string{`"otpId"`},
		TestAppFactory:     hearthtest.NewApp,
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if count, _ := app.CountRecords(core.CollectionNameOTPs); count != 0 {
				t.Errorf("_otps: got %d rows, want 0", count)
			}
		},
	}
	scenario.Test(t)
}
