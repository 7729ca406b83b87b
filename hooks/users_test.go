package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/tests"
)

func TestEnrolmentByStaff(t *testing.T) {
	scenarios := []struct {
		name     string
		body     string
		status   int
		expected []string
		absent   []string
	}{
		{
			name:     "national format stored as E.164",
			body:     `{"phone":"(201) 555-0142","last_name":"Kowalski","alias":"P142","role":"participant"}`,
			status:   http.StatusOK,
			expected: []string{`"phone":"+12015550142"`, `"alias":"P142"`},
		},
		{
			name:     "invalid phone rejected with field error",
			body:     `{"phone":"12345","last_name":"Kowalski","alias":"P142","role":"participant"}`,
			status:   http.StatusBadRequest,
			expected: []string{`"phone":{"code":"validation_invalid_phone"`},
			absent:   []string{`"last_name":{`},
		},
		{
			name:     "country outside the allowed list rejected",
			body:     `{"phone":"+61 2 9374 4000","last_name":"Kowalski","alias":"P142","role":"participant"}`,
			status:   http.StatusBadRequest,
			expected: []string{`"phone":{"code":"validation_phone_country"`},
		},
		{
			name:     "duplicate phone in another format rejected",
			body:     `{"phone":"650.253.0002","last_name":"Other","alias":"P9","role":"participant"}`,
			status:   http.StatusBadRequest,
			expected: []string{`"phone":{"code":"validation_not_unique"`},
		},
		{
			name:     "alias of another person rejected, ignoring case",
			body:     `{"phone":"(201) 555-0142","last_name":"Kowalski","alias":"THERAPIST","role":"participant"}`,
			status:   http.StatusBadRequest,
			expected: []string{`"alias":{"code":"validation_not_unique"`},
		},
		{
			name:     "missing fields reported",
			body:     `{}`,
			status:   http.StatusBadRequest,
			expected: []string{`"phone":{`, `"last_name":{`, `"alias":{`, `"role":{`},
			absent:   []string{`"password":{`, `"email":{`},
		},
	}

	for _, s := range scenarios {
		scenario := tests.ApiScenario{
			Name:               s.name,
			Method:             http.MethodPost,
			URL:                "/api/collections/users/records",
			Body:               strings.NewReader(s.body),
			Headers:            hearthtest.Fixture(t).StaffHeader(),
			ExpectedStatus:     s.status,
			ExpectedContent:    s.expected,
			NotExpectedContent: s.absent,
			TestAppFactory:     hearthtest.NewApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				// The fixture enrols six people; a rejected enrolment saves nothing.
				want := 6
				if s.status == http.StatusOK {
					want = 7
				}
				if count, _ := app.CountRecords("users"); count != int64(want) {
					t.Errorf("users count: got %d, want %d", count, want)
				}
			},
		}
		scenario.Test(t)
	}
}
