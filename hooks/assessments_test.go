package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func TestSessionAssessmentsAccess(t *testing.T) {
	study := hearthtest.Fixture(t)
	base := "/api/therapy-sessions/" + study.GroupA + "/assessments"

	scenarios := []tests.ApiScenario{
		{
			Name:               "participant sees own with link",
			Method:             http.MethodGet,
			URL:                base,
			Headers:            study.Alice.Header(),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"alias":"Alice"`, `"url":"https://survey.example.org/s?p=` + study.Alice.ID},
			NotExpectedContent: []string{`"alias":"Bob"`, study.Bob.ID, study.Alice.Phone},
			TestAppFactory:     seededApp,
		},
		{
			Name:            "participant asks for self",
			Method:          http.MethodGet,
			URL:             base + "?participant=" + study.Alice.ID,
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"alias":"Alice"`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "participant asks for another",
			Method:          http.MethodGet,
			URL:             base + "?participant=" + study.Bob.ID,
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{"only see your own"},
			TestAppFactory:  seededApp,
		},
		{
			Name:               "therapist sees all, no links",
			Method:             http.MethodGet,
			URL:                base,
			Headers:            study.Therapist.Header(),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"alias":"Alice"`, `"alias":"Bob"`, `"status":"incomplete"`},
			NotExpectedContent: []string{`"url"`, study.Alice.LastName, study.Bob.Phone},
			TestAppFactory:     seededApp,
		},
		{
			Name:               "therapist picks one participant",
			Method:             http.MethodGet,
			URL:                base + "?participant=" + study.Bob.ID,
			Headers:            study.Therapist.Header(),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"alias":"Bob"`},
			NotExpectedContent: []string{`"alias":"Alice"`},
			TestAppFactory:     seededApp,
		},
		{
			Name:            "therapist asks for outsider",
			Method:          http.MethodGet,
			URL:             base + "?participant=" + study.Carol.ID,
			Headers:         study.Therapist.Header(),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{"not a participant"},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "participant of another session",
			Method:          http.MethodGet,
			URL:             base,
			Headers:         study.Carol.Header(),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{`{"data":{},"message":"You are not a member of this therapy session.","status":403}`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "therapist of another session",
			Method:          http.MethodGet,
			URL:             base,
			Headers:         study.OtherTherapist.Header(),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{"not a member"},
			TestAppFactory:  seededApp,
		},
		{
			// The same answer as for a session the caller does not belong
			// to, so that session ids cannot be probed.
			Name:            "unknown session",
			Method:          http.MethodGet,
			URL:             "/api/therapy-sessions/nosuchsession00/assessments",
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{`{"data":{},"message":"You are not a member of this therapy session.","status":403}`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "guest rejected",
			Method:          http.MethodGet,
			URL:             base,
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{`"data":{}`},
			TestAppFactory:  seededApp,
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}

func TestAssessmentRecordHooks(t *testing.T) {
	study := hearthtest.Fixture(t)

	countResponses := func(t testing.TB, app core.App, assessmentID string) int {
		t.Helper()
		records, err := app.FindAllRecords("assessment_responses")
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for _, record := range records {
			if record.GetString("assessment") == assessmentID {
				count++
			}
		}
		return count
	}

	scenarios := []tests.ApiScenario{
		{
			Name:   "new assessment gets a row per participant",
			Method: http.MethodPost,
			URL:    "/api/collections/assessments/records",
			Body: strings.NewReader(`{"id":"assessnewsurvey","therapy_session":"` + study.GroupA + `","name":"mood","kind":"survey",` +
				`"timing":"before","url":"https://survey.example.org/m?p={participant}"}`),
			Headers:         study.StaffHeader(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"id":"assessnewsurvey"`},
			ExpectedEvents: map[string]int{
				// the assessment and two responses
				"OnRecordCreate":             3,
				"OnRecordValidate":           3,
				"OnRecordAfterCreateSuccess": 3,
				"OnRecordCreateRequest":      1,
			},
			TestAppFactory: seededApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if got := countResponses(t, app, "assessnewsurvey"); got != 2 {
					t.Errorf("responses: got %d, want 2 (Alice and Bob)", got)
				}
				if status := findResponse(t, app, "assessnewsurvey", study.Alice.ID).GetString("status"); status != "incomplete" {
					t.Errorf("status: got %q, want incomplete", status)
				}
			},
		},
		{
			Name:   "unknown placeholder rejected",
			Method: http.MethodPost,
			URL:    "/api/collections/assessments/records",
			Body: strings.NewReader(`{"therapy_session":"` + study.GroupA + `","name":"mood","kind":"survey",` +
				`"timing":"before","url":"https://survey.example.org/m?p={phone}"}`),
			Headers:            study.StaffHeader(),
			ExpectedStatus:     http.StatusBadRequest,
			ExpectedContent:    []string{`"url":{"code":"validation_survey_link_invalid"`, "{phone}"},
			NotExpectedContent: []string{`"name":{`},
			TestAppFactory:     seededApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if count, _ := app.CountRecords("assessments"); count != 3 {
					t.Errorf("assessments: got %d, want the 3 seeded", count)
				}
			},
		},
		{
			Name:            "survey without link rejected with other errors",
			Method:          http.MethodPost,
			URL:             "/api/collections/assessments/records",
			Body:            strings.NewReader(`{"therapy_session":"` + study.GroupA + `","kind":"survey","timing":"before"}`),
			Headers:         study.StaffHeader(),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"url":{"code":"validation_survey_link_missing"`, `"name":{"code":"validation_required"`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "bad REDCap instrument name rejected",
			Method:          http.MethodPatch,
			URL:             "/api/collections/assessments/records/" + surveyID,
			Body:            strings.NewReader(`{"redcap_instrument":"Post Session"}`),
			Headers:         study.StaffHeader(),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"redcap_instrument":{"code":"validation_invalid_format"`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "added participant gets rows",
			Method:          http.MethodPatch,
			URL:             "/api/collections/therapy_sessions/records/" + study.GroupA,
			Body:            strings.NewReader(`{"participants+":"` + study.Dave.ID + `"}`),
			Headers:         study.StaffHeader(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{study.Dave.ID},
			TestAppFactory:  seededApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				for _, id := range []string{locationID, surveyID} {
					if got := countResponses(t, app, id); got != 3 {
						t.Errorf("responses to %s: got %d, want 3", id, got)
					}
					findResponse(t, app, id, study.Dave.ID)
				}
			},
		},
		{
			Name:   "response for outsider rejected",
			Method: http.MethodPost,
			URL:    "/api/collections/assessment_responses/records",
			Body: strings.NewReader(`{"assessment":"` + surveyID + `","participant":"` + study.Carol.ID +
				`","status":"complete"}`),
			Headers:         study.StaffHeader(),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"participant":{"code":"validation_not_session_participant"`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "marking incomplete brings the link back",
			Method:          http.MethodGet,
			URL:             "/api/me/therapy-sessions",
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"url":"https://survey.example.org/s?p=` + study.Alice.ID},
			TestAppFactory:  seededApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				response := findResponse(t, app, surveyID, study.Alice.ID)
				response.Set("status", "complete")
				if err := app.Save(response); err != nil {
					t.Fatal(err)
				}
				if response.GetDateTime("completed_at").IsZero() {
					t.Error("completed_at not filled on a save from Go")
				}
				res := serve(t, e, http.MethodPatch, "/api/collections/assessment_responses/records/"+response.Id,
					`{"status":"incomplete"}`, study.StaffHeader())
				if res.Code != http.StatusOK {
					t.Fatalf("staff update: got %d %s", res.Code, res.Body)
				}
				if !strings.Contains(res.Body.String(), `"completed_at":""`) {
					t.Errorf("staff update: completed_at not cleared in %s", res.Body)
				}
			},
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}
