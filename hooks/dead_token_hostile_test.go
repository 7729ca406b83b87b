package hooks_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// signInRoutes treat a dead token as no token, because the client still
// holds the old token when its person signs in again.
var signInRoutes = map[string]bool{
	"/api/otp/request":                     true,
	"/api/collections/users/auth-with-otp": true,
}

// TestDeadTokensOnEveryRoute sends every request of the authorization
// matrix with the token of a sign-in session that has ended, once for each
// way a session ends. All but the sign-in routes must answer 401, realtime
// subscriptions included. A token outlives its session in the client, but
// must open nothing.
func TestDeadTokensOnEveryRoute(t *testing.T) {
	study := hearthtest.Fixture(t)
	rows := readMatrix(t)

	endings := []struct {
		name string
		end  func(t testing.TB, state *matrixState, app *tests.TestApp)
	}{
		{"logout", func(t testing.TB, state *matrixState, app *tests.TestApp) {
			state.mustCall(t, http.MethodPost, "/api/logout", state.tokens["inside"], "")
		}},
		{"idle expiry", func(t testing.TB, state *matrixState, app *tests.TestApp) {
			for _, tc := range tokenCases() {
				if tc.name == "idle past the timeout" {
					tc.token(t, app, study)
				}
			}
		}},
		{"staff", func(t testing.TB, state *matrixState, app *tests.TestApp) {
			endSignIn(t, app, study.Alice.SignInSessionID)
		}},
	}

	cases := 0
	for _, ending := range endings {
		answers := map[int]string{}
		statuses := map[int]int{}
		(&tests.ApiScenario{
			Name:            "every route after " + ending.name,
			Method:          http.MethodGet,
			URL:             "/api/health",
			ExpectedStatus:  200,
			ExpectedContent: []string{"API is healthy"},
			TestAppFactory:  hearthtest.NewApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				state := prepareMatrixState(t, app, e, study)
				ending.end(t, state, app)
				for i, row := range rows {
					statuses[i], answers[i] = state.send(row, "inside")
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				for i, row := range rows {
					cases++
					want := "401"
					if signInRoutes[row.path] {
						want = row.want["guest"]
					}
					if !accepts(want, statuses[i], answers[i]) {
						t.Errorf("%s:%d %s %s with a token ended by %s: status %d, want %s; body %s",
							matrixDoc, row.line, row.method, row.path, ending.name, statuses[i], want, truncate(answers[i]))
					}
					if strings.Contains(answers[i], "keystroke-marker") || strings.Contains(answers[i], "+1650253") {
						t.Errorf("%s:%d response to a dead token leaks data: %s", matrixDoc, row.line, truncate(answers[i]))
					}
				}
			},
		}).Test(t)
	}
	t.Logf("dead tokens: %s", fmt.Sprintf("%d cases", cases))
}
