package hooks_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"
)

// homeBody mirrors GET /api/me/therapy-sessions for decoding in tests.
type homeBody struct {
	TherapySessions []struct {
		ID          string  `json:"id"`
		Name        string  `json:"name"`
		Date        *string `json:"date"`
		Status      string  `json:"status"`
		Role        string  `json:"role"`
		Assessments []struct {
			ID           string `json:"id"`
			Status       string `json:"status"`
			URL          string `json:"url"`
			Answer       string `json:"answer"`
			Completed    *int   `json:"completed"`
			Participants *int   `json:"participants"`
		} `json:"assessments"`
	} `json:"therapy_sessions"`
	ActionItems []struct {
		TherapySession string `json:"therapy_session"`
		Assessment     string `json:"assessment"`
		URL            string `json:"url"`
	} `json:"action_items"`
}

func TestHomePage(t *testing.T) {
	study := hearthtest.Fixture(t)
	escapedQuery := url.QueryEscape(aliceExternalID)
	escapedPath := url.PathEscape(aliceExternalID)

	scenarios := []tests.ApiScenario{
		{
			Name:            "guest rejected",
			Method:          http.MethodGet,
			URL:             "/api/me/therapy-sessions",
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{`"data":{}`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "person in no session",
			Method:          http.MethodGet,
			URL:             "/api/me/therapy-sessions",
			Headers:         study.Dave.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"therapy_sessions":[],"action_items":[]}`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "participant in several sessions",
			Method:          http.MethodGet,
			URL:             "/api/me/therapy-sessions",
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"name":"Group A"`, `"name":"Week 0"`, `"role":"participant"`},
			// No phone number, last name or raw link template appears.
			NotExpectedContent: []string{"Group B", study.Alice.Phone, study.Bob.LastName, "{participant}", `"completed"`},
			TestAppFactory:     seededApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				var body homeBody
				decodeBody(t, res, &body)
				if len(body.TherapySessions) != 2 {
					t.Fatalf("sessions: got %d, want 2", len(body.TherapySessions))
				}
				if first := body.TherapySessions[0].ID; first != study.GroupA {
					t.Errorf("first session: got %s, want the newest, Group A", first)
				}
				if date := body.TherapySessions[0].Date; date == nil || !strings.HasSuffix(*date, "Z") || !strings.Contains(*date, "T") {
					t.Errorf("date: got %v, want RFC 3339 UTC", date)
				}

				groupA := body.TherapySessions[0].Assessments
				if len(groupA) != 2 || groupA[0].ID != locationID || groupA[1].ID != surveyID {
					t.Fatalf("Group A assessments: got %+v, want location then survey", groupA)
				}
				if groupA[0].Status != "incomplete" || groupA[0].URL != "" {
					t.Errorf("location: got %+v, want incomplete without a link", groupA[0])
				}
				wantLink := "https://survey.example.org/s?p=" + study.Alice.ID + "&s=" + study.GroupA +
					"&a=" + surveyID + "&r=" + escapedQuery
				if groupA[1].URL != wantLink {
					t.Errorf("survey link: got %q, want %q", groupA[1].URL, wantLink)
				}

				// Week 0 is closed, so its survey is an action item. Group A
				// is the latest session and still open, so its survey is not.
				if len(body.ActionItems) != 1 {
					t.Fatalf("action items: got %+v, want only Week 0's survey", body.ActionItems)
				}
				item := body.ActionItems[0]
				if item.TherapySession != weekZeroID || item.Assessment != pastSurveyID {
					t.Errorf("action item: got %+v, want Week 0's survey", item)
				}
				if want := "https://survey.example.org/past/" + escapedPath + "?p=" + study.Alice.ID; item.URL != want {
					t.Errorf("action item link: got %q, want %q", item.URL, want)
				}
			},
		},
		{
			Name:               "therapist sees counts, no links",
			Method:             http.MethodGet,
			URL:                "/api/me/therapy-sessions",
			Headers:            study.Therapist.Header(),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"role":"therapist"`, `"action_items":[]`},
			NotExpectedContent: []string{`"url"`, `"status":"incomplete"`, "Group B"},
			TestAppFactory:     seededApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				response := findResponse(t, app, surveyID, study.Bob.ID)
				response.Set("status", "complete")
				if err := app.Save(response); err != nil {
					t.Fatal(err)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				var body homeBody
				decodeBody(t, res, &body)
				if len(body.TherapySessions) != 2 {
					t.Fatalf("sessions: got %d, want 2", len(body.TherapySessions))
				}
				survey := body.TherapySessions[0].Assessments[1]
				if survey.Completed == nil || *survey.Completed != 1 || survey.Participants == nil || *survey.Participants != 2 {
					t.Errorf("survey counts: got %+v, want 1 of 2 completed", survey)
				}
			},
		},
		{
			Name:            "action item cleared by staff marking complete",
			Method:          http.MethodGet,
			URL:             "/api/me/therapy-sessions",
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"action_items":[]`},
			TestAppFactory:  seededApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				response := findResponse(t, app, pastSurveyID, study.Alice.ID)
				res := serve(t, e, http.MethodPatch, "/api/collections/assessment_responses/records/"+response.Id,
					`{"status":"complete"}`, study.StaffHeader())
				if res.Code != http.StatusOK {
					t.Fatalf("staff update: got %d %s", res.Code, res.Body)
				}
				if !strings.Contains(res.Body.String(), `"completed_at":"20`) {
					t.Errorf("staff update: completed_at not filled in %s", res.Body)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				var body homeBody
				decodeBody(t, res, &body)
				past := body.TherapySessions[1].Assessments[0]
				if past.Status != "complete" || past.URL != "" {
					t.Errorf("Week 0 survey: got %+v, want complete without a link", past)
				}
			},
		},
		{
			Name:            "action item appears once a newer session starts",
			Method:          http.MethodGet,
			URL:             "/api/me/therapy-sessions",
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"assessment":"` + surveyID + `"`, `"assessment":"` + pastSurveyID + `"`},
			TestAppFactory:  seededApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				if _, err := hearthtest.CreateTherapySession(app, "Group A, week 2", "open",
					[]string{study.Therapist.ID}, []string{study.Alice.ID}); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			Name:            "action item appears once ends_at passes",
			Method:          http.MethodGet,
			URL:             "/api/me/therapy-sessions",
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"assessment":"` + surveyID + `"`, `"ends_at":"20`},
			TestAppFactory:  seededApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				session, err := app.FindRecordById("therapy_sessions", study.GroupA)
				if err != nil {
					t.Fatal(err)
				}
				ended, _ := types.ParseDateTime(time.Now().Add(-time.Minute))
				session.Set("ends_at", ended)
				if err := app.Save(session); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}
