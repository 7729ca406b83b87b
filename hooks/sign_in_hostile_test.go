package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// TestEmailCodeRequestSendsNothing checks that PocketBase's own e-mail code
// route cannot be used as a second way in: staff may fill in a person's
// e-mail in the admin UI, but sign-in must always go through the phone, the
// last name and the SMS limits.
func TestEmailCodeRequestSendsNothing(t *testing.T) {
	study := hearthtest.Fixture(t)
	for _, route := range []string{
		"/api/collections/users/request-otp",
		"/api/collections/users/request-password-reset",
		"/api/collections/users/request-verification",
	} {
		(&tests.ApiScenario{
			Name:               route + " for an enrolled e-mail",
			Method:             http.MethodPost,
			URL:                route,
			Body:               strings.NewReader(`{"email":"alice@example.com"}`),
			ExpectedStatus:     0, // checked below: any answer is fine if nothing is sent
			NotExpectedContent: []string{study.Alice.ID},
			TestAppFactory:     hearthtest.NewApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				alice, err := app.FindRecordById("users", study.Alice.ID)
				if err != nil {
					t.Fatal(err)
				}
				alice.SetEmail("alice@example.com")
				if err := app.Save(alice); err != nil {
					t.Fatal(err)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if sent := app.TestMailer.TotalSend(); sent != 0 {
					t.Errorf("%s sent %d e-mails, want none", route, sent)
				}
				otps, err := app.FindAllOTPsByCollection(mustCollection(t, app, "users"))
				if err != nil {
					t.Fatal(err)
				}
				for _, otp := range otps {
					if otp.RecordRef() == study.Alice.ID {
						t.Errorf("%s created a sign-in code for Alice", route)
					}
				}
			},
		}).Test(t)
	}
}

func mustCollection(t testing.TB, app core.App, name string) *core.Collection {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	return collection
}
