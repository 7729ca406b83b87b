package hooks_test

import (
	"net/http"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func TestMe(t *testing.T) {
	study := hearthtest.Fixture(t)
	scenarios := []tests.ApiScenario{
		{
			Name:           "participant",
			Method:         http.MethodGet,
			URL:            "/api/me",
			Headers:        study.Alice.Header(),
			ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{
				`"id":"` + study.Alice.ID + `"`,
				`"alias":"Alice"`,
				`"role":"participant"`,
				`"sign_in_session":{"id":"` + study.Alice.SignInSessionID + `"`,
				`"authenticated_at":"`,
				`"last_activity_at":"`,
				`"therapy_session":""`,
			},
			NotExpectedContent: []string{study.Alice.Phone, study.Alice.LastName, `"phone"`, `"last_name"`},
		},
		{
			Name:            "therapist",
			Method:          http.MethodGet,
			URL:             "/api/me",
			Headers:         study.Therapist.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"alias":"Therapist"`, `"role":"therapist"`},
		},
		{
			Name:               "guest",
			Method:             http.MethodGet,
			URL:                "/api/me",
			ExpectedStatus:     http.StatusUnauthorized,
			ExpectedContent:    []string{`"status":401`},
			NotExpectedContent: []string{`"alias"`},
		},
		{
			Name:               "staff",
			Method:             http.MethodGet,
			URL:                "/api/me",
			Headers:            study.StaffHeader(),
			ExpectedStatus:     http.StatusForbidden,
			ExpectedContent:    []string{`"status":403`},
			NotExpectedContent: []string{`"alias"`},
		},
	}
	for _, scenario := range scenarios {
		scenario.TestAppFactory = hearthtest.NewApp
		scenario.Test(t)
	}
}

func TestLogout(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	var ended []string

	scenario := tests.ApiScenario{
		Name:           "ends the session",
		Method:         http.MethodPost,
		URL:            "/api/logout",
		Headers:        alice.Header(),
		ExpectedStatus: http.StatusNoContent,
		TestAppFactory: func(t testing.TB) *tests.TestApp {
			app, hearth := hearthtest.NewAppWithConfig(t, hooks.TestConfig())
			hearth.OnSignInSessionEnd(func(app core.App, signIn *core.Record, reason string) {
				ended = append(ended, signIn.Id+" "+reason)
			})
			return app
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			signIn, err := app.FindRecordById("sign_in_sessions", alice.SignInSessionID)
			if err != nil {
				t.Fatal(err)
			}
			if signIn.GetDateTime("ended_at").IsZero() || signIn.GetString("end_reason") != hooks.EndLogout {
				t.Errorf("session: ended_at %v, end_reason %q; want ended by logout",
					signIn.GetDateTime("ended_at"), signIn.GetString("end_reason"))
			}
			if len(ended) != 1 || ended[0] != alice.SignInSessionID+" logout" {
				t.Errorf("end listeners: got %v, want one call for the session with reason logout", ended)
			}
		},
	}
	scenario.Test(t)

	guest := tests.ApiScenario{
		Name:            "guest",
		Method:          http.MethodPost,
		URL:             "/api/logout",
		ExpectedStatus:  http.StatusUnauthorized,
		ExpectedContent: []string{`"status":401`},
		TestAppFactory:  hearthtest.NewApp,
	}
	guest.Test(t)
}

func TestLogoutThenTokenRejected(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	server := newTestServer(t, hooks.TestConfig())

	if status := server.do(http.MethodPost, "/api/logout", "", alice.Header()).StatusCode; status != http.StatusNoContent {
		t.Fatalf("logout: got status %d, want 204", status)
	}
	if status := server.do(http.MethodGet, "/api/me", "", alice.Header()).StatusCode; status != http.StatusUnauthorized {
		t.Errorf("GET /api/me after logout: got status %d, want 401", status)
	}
	if status := server.do(http.MethodPost, "/api/logout", "", alice.Header()).StatusCode; status != http.StatusUnauthorized {
		t.Errorf("second logout: got status %d, want 401", status)
	}
}
