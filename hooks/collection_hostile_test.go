package hooks_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// TestHiddenFieldProbes tries to learn hidden fields through the query
// options of PocketBase's record API that the collection rules test does
// not: sorting (the order of the results would reveal the value), field
// selection, and filters that reach hidden fields through relations.
func TestHiddenFieldProbes(t *testing.T) {
	study := hearthtest.Fixture(t)
	secrets := []string{"+1650253", "Anders", "Brown", "Chen", `"phone"`, `"last_name"`, "secret-template",
		"keystrokes-", `"removed_participants"`}

	probes := []struct {
		name    string
		url     string
		headers map[string]string
		status  int
	}{
		{"sort users by phone", "/api/collections/users/records?sort=phone", study.Alice.Header(), 400},
		{"sort users by last name", "/api/collections/users/records?sort=-last_name", study.Alice.Header(), 400},
		{"sort sessions by a participant's last name", "/api/collections/therapy_sessions/records?sort=participants.last_name",
			study.Therapist.Header(), 400},
		{"sort responses by the participant's phone", "/api/collections/assessment_responses/records?sort=participant.phone",
			study.Therapist.Header(), 400},
		{"filter responses by the participant's phone", "/api/collections/assessment_responses/records?filter=" +
			url.QueryEscape(`participant.phone~"650"`), study.Therapist.Header(), 400},
		{"filter sessions by removed participants", "/api/collections/therapy_sessions/records?filter=" +
			url.QueryEscape(`removed_participants.id?="x"`), study.Alice.Header(), 400},
		{"filter assessments by the link template", "/api/collections/assessments/records?sort=url",
			study.Alice.Header(), 400},
		{"select hidden fields", "/api/collections/users/records?fields=id,phone,last_name,external_id",
			study.Alice.Header(), 200},
		{"select hidden fields of an expand", "/api/collections/therapy_sessions/records?expand=participants&fields=" +
			url.QueryEscape("*,expand.participants.phone,expand.participants.last_name"), study.Therapist.Header(), 200},
		{"back-relation expand to actions", "/api/collections/therapy_sessions/records?expand=" +
			url.QueryEscape("actions_via_therapy_session"), study.Alice.Header(), 200},
		{"back-relation filter on actions", "/api/collections/therapy_sessions/records?filter=" +
			url.QueryEscape(`actions_via_therapy_session.character_history~"k"`), study.Alice.Header(), 400},
		{"back-relation expand to sign-ins", "/api/collections/users/records?expand=" +
			url.QueryEscape("sign_in_sessions_via_user,sms_log_via_user"), study.Alice.Header(), 200},
		{"filter users through sms_log", "/api/collections/users/records?filter=" +
			url.QueryEscape(`sms_log_via_user.to~"650"`), study.Alice.Header(), 400},
	}
	for _, probe := range probes {
		(&tests.ApiScenario{
			Name:               probe.name,
			Method:             http.MethodGet,
			URL:                probe.url,
			Headers:            probe.headers,
			ExpectedStatus:     probe.status,
			NotExpectedContent: secrets,
			TestAppFactory:     hearthtest.NewApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedRecords(t, app)
			},
		}).Test(t)
	}
	t.Logf("hidden field probes: %d cases", len(probes))
}
