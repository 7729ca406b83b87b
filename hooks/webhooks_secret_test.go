package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// captureLoggedURL binds a middleware around PocketBase's request logger
// that stores the URL the logger saw once the request is done.
func captureLoggedURL(e *core.ServeEvent, logged *string) {
	e.Router.Bind(&hook.Handler[*core.RequestEvent]{
		Priority: apis.DefaultActivityLoggerMiddlewarePriority - 1,
		Func: func(re *core.RequestEvent) error {
			err := re.Next()
			*logged = re.Request.URL.RequestURI()
			return err
		},
	})
}

// TestWebhookSecretNotLogged checks that a secret in the query string is
// removed from the URL that PocketBase's request log stores, on both
// webhook routes, whether or not the route accepts it there, and that other
// query parameters stay.
func TestWebhookSecretNotLogged(t *testing.T) {
	study := hearthtest.Fixture(t)
	completion := `{"participant":"` + study.Alice.ID + `","assessment":"` + surveyID + `","status":"complete"}`
	cases := []struct {
		name, url, body string
		headers         map[string]string
		status          int
	}{
		{"JSON route, secret only in the query", "/api/webhooks/survey?secret=" + webhookSecret + "&tool=forms",
			completion, nil, http.StatusUnauthorized},
		{"JSON route, secret in header and query", "/api/webhooks/survey?tool=forms&secret=" + webhookSecret,
			completion, map[string]string{"X-Hearth-Secret": webhookSecret}, http.StatusOK},
		{"REDCap route", "/api/webhooks/redcap?secret=" + webhookSecret + "&tool=forms",
			"record=R1&instrument=post_session&post_session_complete=2",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusOK},
	}
	for _, c := range cases {
		var logged string
		(&tests.ApiScenario{
			Name:            c.name,
			Method:          http.MethodPost,
			URL:             c.url,
			Body:            strings.NewReader(c.body),
			Headers:         c.headers,
			ExpectedStatus:  c.status,
			ExpectedContent: []string{`"`},
			TestAppFactory:  seededApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				captureLoggedURL(e, &logged)
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if strings.Contains(logged, webhookSecret) {
					t.Errorf("logged URL %q contains the secret", logged)
				}
				if !strings.Contains(logged, "tool=forms") {
					t.Errorf("logged URL %q lost the other query parameter", logged)
				}
			},
		}).Test(t)
	}
}

// TestWebhookSecretNotLoggedWhenRateLimited checks a request that PocketBase
// refuses before any handler runs: its logged URL has no secret either.
func TestWebhookSecretNotLoggedWhenRateLimited(t *testing.T) {
	var logged string
	(&tests.ApiScenario{
		Name:            "REDCap route over PocketBase's rate limit",
		Method:          http.MethodPost,
		URL:             "/api/webhooks/redcap?secret=" + webhookSecret + "&tool=forms",
		Body:            strings.NewReader("record=R1&instrument=post_session&post_session_complete=2"),
		Headers:         map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		ExpectedStatus:  http.StatusTooManyRequests,
		ExpectedContent: []string{`"status":429`},
		TestAppFactory: func(t testing.TB) *tests.TestApp {
			app := seededApp(t)
			app.Settings().RateLimits.Enabled = true
			app.Settings().RateLimits.Rules = []core.RateLimitRule{{Label: "/api/webhooks/", MaxRequests: 1, Duration: 60}}
			return app
		},
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			captureLoggedURL(e, &logged)
			// Use up the one allowed request before the scenario's own.
			mux, err := e.Router.BuildMux()
			if err != nil {
				t.Fatal(err)
			}
			first := httptest.NewRequest(http.MethodPost, "/api/webhooks/redcap",
				strings.NewReader("record=R1&instrument=post_session&post_session_complete=2"))
			first.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			first.Header.Set("X-Hearth-Secret", webhookSecret)
			mux.ServeHTTP(httptest.NewRecorder(), first)
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if strings.Contains(logged, webhookSecret) {
				t.Errorf("logged URL %q contains the secret", logged)
			}
			if !strings.Contains(logged, "tool=forms") {
				t.Errorf("logged URL %q lost the other query parameter", logged)
			}
		},
	}).Test(t)
}
