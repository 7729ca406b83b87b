package hooks_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// TestEmailCodeRequestSendsNothing checks that PocketBase's own e-mail code
// route cannot be used as a second way in. Staff may fill in a person's
// e-mail in the admin UI, but sign-in must always go through the phone, the
// last name and the SMS limits.
func TestEmailCodeRequestSendsNothing(t *testing.T) {
	study := hearthtest.Fixture(t)
	for _, route := range []struct {
		path   string
		status int
	}{
		{"/api/collections/users/request-otp", 403},
		// Password sign-in is off for users, so PocketBase refuses this one.
		{"/api/collections/users/request-password-reset", 400},
		// PocketBase would answer 204 and send a "verify your e-mail" message,
		// which tells whoever reads that inbox that its owner takes part.
		{"/api/collections/users/request-verification", 403},
	} {
		(&tests.ApiScenario{
			Name:               route.path + " for an enrolled e-mail",
			Method:             http.MethodPost,
			URL:                route.path,
			Body:               strings.NewReader(`{"email":"alice@example.com"}`),
			ExpectedStatus:     route.status,
			ExpectedContent:    []string{`"status":` + strconv.Itoa(route.status)},
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
					t.Errorf("%s sent %d e-mails, want none", route.path, sent)
				}
				otps, err := app.FindAllOTPsByCollection(mustCollection(t, app, "users"))
				if err != nil {
					t.Fatal(err)
				}
				for _, otp := range otps {
					if otp.RecordRef() == study.Alice.ID {
						t.Errorf("%s created a sign-in code for Alice", route.path)
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

// TestEmailChangeRequestSendsNothing checks that a signed-in person cannot
// make the server mail an address of their choosing.
func TestEmailChangeRequestSendsNothing(t *testing.T) {
	study := hearthtest.Fixture(t)
	(&tests.ApiScenario{
		Name:            "request-email-change",
		Method:          http.MethodPost,
		URL:             "/api/collections/users/request-email-change",
		Body:            strings.NewReader(`{"newEmail":"someone@example.com"}`),
		Headers:         study.Alice.Header(),
		ExpectedStatus:  403,
		ExpectedContent: []string{`"status":403`},
		TestAppFactory:  hearthtest.NewApp,
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if sent := app.TestMailer.TotalSend(); sent != 0 {
				t.Errorf("sent %d e-mails, want none", sent)
			}
		},
	}).Test(t)
}
