package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// TestEndedSessionTokenRejected sends Alice's token, whose sign-in session
// staff ended, to every route the app has so far, and Bob's live token to
// the same routes as a control.
func TestEndedSessionTokenRejected(t *testing.T) {
	study := hearthtest.Fixture(t)
	routes := []struct{ method, url, body string }{
		{http.MethodGet, "/api/me", ""},
		{http.MethodGet, "/api/health", ""},
		{http.MethodPost, "/api/collections/users/auth-refresh", ""},
		{http.MethodGet, "/api/collections/users/auth-methods", ""},
		{http.MethodPost, "/api/files/token", ""},
		{http.MethodGet, "/api/collections/users/records", ""},
		{http.MethodGet, "/api/collections/users/records/" + study.Alice.ID, ""},
		{http.MethodGet, "/api/collections/therapy_sessions/records", ""},
		{http.MethodGet, "/api/collections/therapy_sessions/records/" + study.GroupA, ""},
		{http.MethodGet, "/api/collections/assessments/records", ""},
		{http.MethodGet, "/api/collections/assessment_responses/records", ""},
		{http.MethodGet, "/api/collections/sign_in_sessions/records", ""},
		{http.MethodGet, "/api/collections/actions/records", ""},
		{http.MethodPost, "/api/collections/actions/records", `{}`},
		{http.MethodPost, "/api/realtime", "realtime"},
		// Last, because it ends Bob's session in the control below.
		{http.MethodPost, "/api/logout", ""},
	}

	for _, route := range routes {
		client := subscriptions.NewDefaultClient()
		scenario := tests.ApiScenario{
			Name:            route.method + " " + route.url,
			Method:          route.method,
			URL:             route.url,
			Body:            strings.NewReader(routeBody(route.body, client, study.GroupA)),
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{`"status":401`, "Please sign in again."},
			TestAppFactory: func(t testing.TB) *tests.TestApp {
				app, hearth := hearthtest.NewAppWithConfig(t, hooks.TestConfig())
				endSignInSession(t, app, hearth, study.Alice.SignInSessionID)
				return app
			},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				app.SubscriptionsBroker().Register(client)
			},
		}
		scenario.Test(t)
	}

	// The control: Bob's live token gets past the sign-in check on the same
	// routes, to whatever the route itself returns.
	app, hearth := hearthtest.NewAppWithConfig(t, hooks.TestConfig())
	endSignInSession(t, app, hearth, study.Alice.SignInSessionID)
	server := serveApp(t, app, hearth)
	for _, route := range routes {
		client := subscriptions.NewDefaultClient()
		app.SubscriptionsBroker().Register(client)
		response := server.do(route.method, route.url, routeBody(route.body, client, study.GroupA), study.Bob.Header())
		if response.StatusCode == http.StatusUnauthorized {
			t.Errorf("live token: %s %s: got 401", route.method, route.url)
		}
	}
}

func routeBody(body string, client subscriptions.Client, therapySessionID string) string {
	if body != "realtime" {
		return body
	}
	return `{"clientId":"` + client.Id() + `","subscriptions":["therapy-sessions/` + therapySessionID + `"]}`
}

func endSignInSession(t testing.TB, app core.App, hearth *hooks.Hearth, signInSessionID string) {
	t.Helper()
	signIn, err := app.FindRecordById("sign_in_sessions", signInSessionID)
	if err != nil {
		t.Fatal(err)
	}
	if err := hearth.EndSignInSession(app, signIn, hooks.EndStaff); err != nil {
		t.Fatal(err)
	}
}
