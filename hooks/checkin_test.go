package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func TestLocationCheckIn(t *testing.T) {
	study := hearthtest.Fixture(t)
	checkInURL := "/api/therapy-sessions/" + study.GroupA + "/assessments/" + locationID + "/check-in"
	assessmentsURL := "/api/therapy-sessions/" + study.GroupA + "/assessments"

	aliceStatus := func(want string) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if got := findResponse(t, app, locationID, study.Alice.ID).GetString("status"); got != want {
				t.Errorf("Alice's check-in status: got %q, want %q", got, want)
			}
		}
	}
	checkInFirst := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		res := serve(t, e, http.MethodPost, checkInURL, `{"answer":"  At home  "}`, study.Alice.Header())
		if res.Code != http.StatusOK {
			t.Fatalf("check-in: got %d %s", res.Code, res.Body)
		}
	}

	invalid := []struct {
		name, body, code string
	}{
		{"blank answer", `{"answer":"   "}`, "validation_required"},
		{"missing answer", `{}`, "validation_required"},
		{"answer too long", `{"answer":"` + strings.Repeat("é", 201) + `"}`, "validation_length_out_of_range"},
		{"control character", `{"answer":"home\u0007"}`, "validation_invalid_characters"},
		{"newline", `{"answer":"home\nwork"}`, "validation_invalid_characters"},
		{"unpaired surrogate", `{"answer":"home \ud800"}`, "validation_invalid_characters"},
		{"invalid UTF-8", "{\"answer\":\"home \xff\"}", "validation_invalid_utf8"},
		{"not JSON", `answer=home`, "validation_required"},
	}

	scenarios := []tests.ApiScenario{
		{
			Name:            "participant checks in",
			Method:          http.MethodPost,
			URL:             checkInURL,
			Body:            strings.NewReader(`{"answer":"  At the library, 2nd floor  "}`),
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"answer":"At the library, 2nd floor"`, `"status":"complete"`, `"completed_at":"20`},
			TestAppFactory:  seededApp,
			AfterTestFunc:   aliceStatus("complete"),
		},
		{
			Name:            "answer of 200 characters accepted",
			Method:          http.MethodPost,
			URL:             checkInURL,
			Body:            strings.NewReader(`{"answer":"` + strings.Repeat("é", 200) + `"}`),
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"status":"complete"`},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "therapist reads the answer",
			Method:          http.MethodGet,
			URL:             assessmentsURL,
			Headers:         study.Therapist.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"answer":"At home"`},
			TestAppFactory:  seededApp,
			BeforeTestFunc:  checkInFirst,
		},
		{
			Name:               "other participant never sees it",
			Method:             http.MethodGet,
			URL:                assessmentsURL,
			Headers:            study.Bob.Header(),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"alias":"Bob"`},
			NotExpectedContent: []string{"At home", study.Alice.ID},
			TestAppFactory:     seededApp,
			BeforeTestFunc:     checkInFirst,
		},
		{
			Name:               "other participant's record list hides it",
			Method:             http.MethodGet,
			URL:                "/api/collections/assessment_responses/records?perPage=500",
			Headers:            study.Bob.Header(),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"participant":"` + study.Bob.ID + `"`},
			NotExpectedContent: []string{"At home", study.Alice.ID},
			TestAppFactory:     seededApp,
			BeforeTestFunc:     checkInFirst,
		},
		{
			Name:            "own home page shows the answer",
			Method:          http.MethodGet,
			URL:             "/api/me/therapy-sessions",
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"answer":"At home"`},
			TestAppFactory:  seededApp,
			BeforeTestFunc:  checkInFirst,
		},
		{
			Name:            "checking in again replaces the answer",
			Method:          http.MethodPost,
			URL:             checkInURL,
			Body:            strings.NewReader(`{"answer":"At work"}`),
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"answer":"At work"`},
			TestAppFactory:  seededApp,
			BeforeTestFunc:  checkInFirst,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if got := findResponse(t, app, locationID, study.Alice.ID).GetString("answer"); got != "At work" {
					t.Errorf("stored answer: got %q, want %q", got, "At work")
				}
			},
		},
		{
			Name:            "therapist cannot check in",
			Method:          http.MethodPost,
			URL:             checkInURL,
			Body:            strings.NewReader(`{"answer":"Office"}`),
			Headers:         study.Therapist.Header(),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{"Only participants"},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "outsider cannot check in",
			Method:          http.MethodPost,
			URL:             checkInURL,
			Body:            strings.NewReader(`{"answer":"Home"}`),
			Headers:         study.Carol.Header(),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{"Only participants"},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "survey is not a check-in",
			Method:          http.MethodPost,
			URL:             "/api/therapy-sessions/" + study.GroupA + "/assessments/" + surveyID + "/check-in",
			Body:            strings.NewReader(`{"answer":"Home"}`),
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{"not a location check-in"},
			TestAppFactory:  seededApp,
		},
		{
			Name:            "assessment of another session",
			Method:          http.MethodPost,
			URL:             "/api/therapy-sessions/" + study.GroupA + "/assessments/" + pastSurveyID + "/check-in",
			Body:            strings.NewReader(`{"answer":"Home"}`),
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{"not found"},
			TestAppFactory:  seededApp,
		},
	}
	for _, c := range invalid {
		scenarios = append(scenarios, tests.ApiScenario{
			Name:            "rejected: " + c.name,
			Method:          http.MethodPost,
			URL:             checkInURL,
			Body:            strings.NewReader(c.body),
			Headers:         study.Alice.Header(),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"answer":{"code":"` + c.code + `"`},
			TestAppFactory:  seededApp,
			AfterTestFunc:   aliceStatus("incomplete"),
		})
	}
	for _, scenario := range scenarios {
		scenario.Test(t)
	}
}
