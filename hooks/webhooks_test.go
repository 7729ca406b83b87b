package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// redcapApp returns a seeded app whose surveys map to the REDCap instrument
// post_session: Group A's for any event, Week 0's for the event
// week_0_arm_1 only.
func redcapApp(t testing.TB) *tests.TestApp {
	app := seededApp(t)
	for id, event := range map[string]string{surveyID: "", pastSurveyID: "week_0_arm_1"} {
		assessment, err := app.FindRecordById("assessments", id)
		if err != nil {
			t.Fatal(err)
		}
		assessment.Set("redcap_instrument", "post_session")
		assessment.Set("redcap_event", event)
		if err := app.Save(assessment); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

// webhookLog returns the survey_webhook_log rows, oldest first.
func webhookLog(t testing.TB, app core.App) []*core.Record {
	t.Helper()
	rows, err := app.FindRecordsByFilter("survey_webhook_log", "", "created", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// expectLogged checks that the log holds exactly one row, with the given
// outcome, and that no field of it contains the secret.
func expectLogged(outcome, participant, assessment string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		rows := webhookLog(t, app)
		if len(rows) != 1 {
			t.Fatalf("webhook log rows: got %d, want 1", len(rows))
		}
		row := rows[0]
		if got := row.GetString("outcome"); got != outcome {
			t.Errorf("logged outcome: got %q, want %q", got, outcome)
		}
		if got := row.GetString("participant"); got != participant {
			t.Errorf("logged participant: got %q, want %q", got, participant)
		}
		if got := row.GetString("assessment"); got != assessment {
			t.Errorf("logged assessment: got %q, want %q", got, assessment)
		}
		for field, value := range row.FieldsData() {
			if s, ok := value.(string); ok && strings.Contains(s, webhookSecret) {
				t.Errorf("logged field %s contains the secret", field)
			}
		}
	}
}

// expectStatus checks the status of a response after a delivery.
func expectStatus(assessmentID, participantID, want string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		response := findResponse(t, app, assessmentID, participantID)
		if got := response.GetString("status"); got != want {
			t.Errorf("status of %s: got %q, want %q", assessmentID, got, want)
		}
		if filled := !response.GetDateTime("completed_at").IsZero(); filled != (want == "complete") {
			t.Errorf("completed_at filled: got %v for status %q", filled, want)
		}
	}
}

// allOf runs every check in order.
func allOf(checks ...func(testing.TB, *tests.TestApp, *http.Response)) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		for _, check := range checks {
			check(t, app, res)
		}
	}
}

func TestREDCapWebhook(t *testing.T) {
	study := hearthtest.Fixture(t)
	alice := study.Alice.ID
	url := "/api/webhooks/redcap?secret=" + webhookSecret
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	trigger := "project_id=12&redcap_url=https%3A%2F%2Fredcap.example.org%2F&record=R+42%26x%2F1&instrument=post_session&post_session_complete=2"

	scenarios := []tests.ApiScenario{
		{
			Name:            "off without a secret",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(trigger),
			Headers:         form,
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			TestAppFactory:  hearthtest.NewApp,
		},
		{
			Name:            "complete form completes",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(trigger),
			Headers:         form,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"completed"}`},
			TestAppFactory:  redcapApp,
			AfterTestFunc: allOf(expectStatus(surveyID, alice, "complete"),
				expectStatus(pastSurveyID, alice, "incomplete"), expectLogged("completed", alice, surveyID)),
		},
		{
			Name:            "secret in header accepted",
			Method:          http.MethodPost,
			URL:             "/api/webhooks/redcap",
			Body:            strings.NewReader(trigger),
			Headers:         map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Hearth-Secret": webhookSecret},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"completed"}`},
			TestAppFactory:  redcapApp,
		},
		{
			Name:            "repeated delivery harmless",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(trigger),
			Headers:         form,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"already_complete"}`},
			TestAppFactory:  redcapApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				if res := serve(t, e, http.MethodPost, url, trigger, form); res.Code != http.StatusOK {
					t.Fatalf("first delivery: got %d %s", res.Code, res.Body)
				}
			},
			AfterTestFunc: allOf(expectStatus(surveyID, alice, "complete"), func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if rows := webhookLog(t, app); len(rows) != 2 {
					t.Errorf("webhook log rows: got %d, want 2", len(rows))
				}
			}),
		},
		{
			Name:            "wrong secret",
			Method:          http.MethodPost,
			URL:             "/api/webhooks/redcap?secret=wrong" + webhookSecret,
			Body:            strings.NewReader(trigger),
			Headers:         form,
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{"secret is missing or wrong"},
			TestAppFactory:  redcapApp,
			AfterTestFunc:   allOf(expectStatus(surveyID, alice, "incomplete"), expectLogged("unauthorized", "", "")),
		},
		{
			Name:            "missing secret",
			Method:          http.MethodPost,
			URL:             "/api/webhooks/redcap",
			Body:            strings.NewReader(trigger),
			Headers:         form,
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{"secret is missing or wrong"},
			TestAppFactory:  redcapApp,
			AfterTestFunc:   expectLogged("unauthorized", "", ""),
		},
		{
			Name:            "unverified form changes nothing",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(strings.Replace(trigger, "post_session_complete=2", "post_session_complete=1", 1)),
			Headers:         form,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"not_complete"}`},
			TestAppFactory:  redcapApp,
			AfterTestFunc:   allOf(expectStatus(surveyID, alice, "incomplete"), expectLogged("not_complete", alice, surveyID)),
		},
		{
			Name:            "event picks its own session",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(trigger + "&redcap_event_name=week_0_arm_1"),
			Headers:         form,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"completed"}`},
			TestAppFactory:  redcapApp,
			AfterTestFunc:   allOf(expectStatus(pastSurveyID, alice, "complete"), expectStatus(surveyID, alice, "incomplete")),
		},
		{
			Name:            "unknown record logged",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(strings.Replace(trigger, "record=R+42%26x%2F1", "record=R-999", 1)),
			Headers:         form,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"unknown_participant"}`},
			TestAppFactory:  redcapApp,
			AfterTestFunc: allOf(expectLogged("unknown_participant", "", ""), func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if got := webhookLog(t, app)[0].GetString("record"); got != "R-999" {
					t.Errorf("logged record: got %q, want R-999", got)
				}
			}),
		},
		{
			Name:            "unknown instrument logged",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader("record=R+42%26x%2F1&instrument=intake&intake_complete=2"),
			Headers:         form,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"unknown_assessment"}`},
			TestAppFactory:  redcapApp,
			AfterTestFunc:   expectLogged("unknown_assessment", alice, ""),
		},
		{
			Name:            "ambiguous mapping changes nothing",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(trigger),
			Headers:         form,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"ambiguous"}`},
			TestAppFactory:  redcapApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				session, err := hearthtest.CreateTherapySession(app, "Group A, week 2", "scheduled",
					[]string{study.Therapist.ID}, []string{alice})
				if err != nil {
					t.Fatal(err)
				}
				again := addAssessment(t, app, "", session.Id, "post-session survey", "survey", "after",
					"https://survey.example.org/s?p={participant}", false)
				again.Set("redcap_instrument", "post_session")
				if err := app.Save(again); err != nil {
					t.Fatal(err)
				}
			},
			AfterTestFunc: allOf(expectStatus(surveyID, alice, "incomplete"), expectLogged("ambiguous", alice, "")),
		},
		{
			Name:            "malformed trigger",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader("instrument=post_session&post_session_complete=2"),
			Headers:         form,
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"record":{"code":"validation_invalid_record"`},
			TestAppFactory:  redcapApp,
			AfterTestFunc:   expectLogged("invalid", "", ""),
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}

func TestSurveyWebhook(t *testing.T) {
	study := hearthtest.Fixture(t)
	alice := study.Alice.ID
	url := "/api/webhooks/survey"
	secretHeader := map[string]string{"X-Hearth-Secret": webhookSecret}
	completion := `{"participant":"` + alice + `","assessment":"` + surveyID + `","status":"complete","completed_at":"2026-03-01T18:30:00Z"}`

	scenarios := []tests.ApiScenario{
		{
			Name:            "off without a secret",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(completion),
			Headers:         secretHeader,
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			TestAppFactory:  hearthtest.NewApp,
		},
		{
			Name:            "user id with secret header",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(completion),
			Headers:         secretHeader,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"completed"}`},
			TestAppFactory:  seededApp,
			AfterTestFunc: allOf(expectStatus(surveyID, alice, "complete"), expectLogged("completed", alice, surveyID),
				func(t testing.TB, app *tests.TestApp, res *http.Response) {
					got := findResponse(t, app, surveyID, alice).GetDateTime("completed_at").String()
					if want := "2026-03-01 18:30:00.000Z"; got != want {
						t.Errorf("completed_at: got %q, want %q", got, want)
					}
				}),
		},
		{
			Name:   "external id with bearer secret",
			Method: http.MethodPost,
			URL:    url,
			Body: strings.NewReader(`{"participant":"` + aliceExternalID + `","assessment":"` + pastSurveyID +
				`","status":"complete"}`),
			Headers:         map[string]string{"Authorization": "Bearer " + webhookSecret},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"completed"}`},
			TestAppFactory:  seededApp,
			AfterTestFunc:   expectStatus(pastSurveyID, alice, "complete"),
		},
		{
			Name:            "repeated delivery harmless",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(strings.Replace(completion, "2026-03-01", "2026-03-02", 1)),
			Headers:         secretHeader,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"already_complete"}`},
			TestAppFactory:  seededApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				if res := serve(t, e, http.MethodPost, url, completion, secretHeader); res.Code != http.StatusOK {
					t.Fatalf("first delivery: got %d %s", res.Code, res.Body)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				got := findResponse(t, app, surveyID, alice).GetDateTime("completed_at").String()
				if want := "2026-03-01 18:30:00.000Z"; got != want {
					t.Errorf("completed_at: got %q, want the first delivery's %q", got, want)
				}
			},
		},
		{
			Name:            "wrong secret",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(completion),
			Headers:         map[string]string{"X-Hearth-Secret": webhookSecret + "x"},
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{"secret is missing or wrong"},
			TestAppFactory:  seededApp,
			AfterTestFunc:   allOf(expectStatus(surveyID, alice, "incomplete"), expectLogged("unauthorized", "", "")),
		},
		{
			Name:            "secret in query not accepted",
			Method:          http.MethodPost,
			URL:             url + "?secret=" + webhookSecret,
			Body:            strings.NewReader(completion),
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{"X-Hearth-Secret"},
			TestAppFactory:  seededApp,
			AfterTestFunc:   expectStatus(surveyID, alice, "incomplete"),
		},
		{
			Name:            "misspelt field rejected",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(`{"participant_id":"` + alice + `","assessment":"` + surveyID + `","status":"complete"}`),
			Headers:         secretHeader,
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"body":{"code":"validation_invalid_body"`, "participant_id"},
			TestAppFactory:  seededApp,
			AfterTestFunc:   expectLogged("invalid", "", ""),
		},
		{
			Name:            "future completed_at rejected",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(strings.Replace(completion, "2026-03-01", "2099-03-01", 1)),
			Headers:         secretHeader,
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"completed_at":{"code":"validation_invalid_completed_at"`},
			TestAppFactory:  seededApp,
			AfterTestFunc:   expectStatus(surveyID, alice, "incomplete"),
		},
		{
			Name:            "unknown assessment logged",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(strings.Replace(completion, surveyID, "nosuchassessmnt", 1)),
			Headers:         secretHeader,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"unknown_assessment"}`},
			TestAppFactory:  seededApp,
			AfterTestFunc:   expectLogged("unknown_assessment", alice, ""),
		},
		{
			Name:            "location is not a survey",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(strings.Replace(completion, surveyID, locationID, 1)),
			Headers:         secretHeader,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"unknown_assessment"}`},
			TestAppFactory:  seededApp,
			AfterTestFunc:   expectStatus(locationID, alice, "incomplete"),
		},
		{
			Name:            "participant of another session",
			Method:          http.MethodPost,
			URL:             url,
			Body:            strings.NewReader(strings.Replace(completion, alice, study.Carol.ID, 1)),
			Headers:         secretHeader,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"outcome":"unknown_participant"}`},
			TestAppFactory:  seededApp,
			AfterTestFunc:   expectLogged("unknown_participant", study.Carol.ID, surveyID),
		},
		{
			Name:            "log hidden from participants",
			Method:          http.MethodGet,
			URL:             "/api/collections/survey_webhook_log/records",
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{`"status":403`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "log readable by staff",
			Method:          http.MethodGet,
			URL:             "/api/collections/survey_webhook_log/records",
			Headers:         study.StaffHeader(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"outcome":"completed"`, `"source":"json"`},
			TestAppFactory:  seededApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				serve(t, e, http.MethodPost, url, completion, secretHeader)
			},
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}
