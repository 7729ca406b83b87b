package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func setStatus(t testing.TB, app core.App, sessionID, status string) {
	t.Helper()
	session, err := app.FindRecordById("therapy_sessions", sessionID)
	if err != nil {
		t.Fatal(err)
	}
	session.Set("status", status)
	if err := app.Save(session); err != nil {
		t.Fatal(err)
	}
}

// addRequiredAssessment adds a location check-in required to enter, and sets
// the participant's response (created by the assessment hooks) to status.
func addRequiredAssessment(t testing.TB, app core.App, sessionID, name, participantID, status string) string {
	t.Helper()
	assessment := addAssessment(t, app, "", sessionID, name, "location", "before", "", true)
	if status != "" {
		response := findResponse(t, app, assessment.Id, participantID)
		response.Set("status", status)
		if err := app.Save(response); err != nil {
			t.Fatal(err)
		}
	}
	return assessment.Id
}

func TestEnterTherapySession(t *testing.T) {
	s := hearthtest.Fixture(t)
	url := "/api/therapy-sessions/" + s.GroupA + "/enter"

	scenarios := []tests.ApiScenario{
		{
			Name:               "participant enters an open session",
			Method:             http.MethodPost,
			URL:                url,
			Headers:            s.Alice.Header(),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"inside":true`, `"alias":"Alice","role":"participant","present":true`},
			NotExpectedContent: []string{`"removed"`, `"phone"`, `"last_name"`, "Anders"},
			// The attendance row goes through record hooks; actions are
			// inserted without them.
			ExpectedEvents: map[string]int{"OnRecordCreate": 1, "OnRecordUpdate": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				signIn, _ := app.FindRecordById("sign_in_sessions", s.Alice.SignInSessionID)
				if signIn.GetString("therapy_session") != s.GroupA {
					t.Errorf("sign-in session's therapy_session = %q", signIn.GetString("therapy_session"))
				}
				notices, _ := app.FindAllRecords("actions")
				if len(notices) != 1 || notices[0].GetString("body") != "Alice joined" {
					t.Errorf("want one notice \"Alice joined\", got %d actions", len(notices))
				}
			},
		},
		{
			Name:            "participant of a scheduled session gets 409 with the status",
			Method:          http.MethodPost,
			URL:             url,
			Headers:         s.Alice.Header(),
			BeforeTestFunc:  func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) { setStatus(t, app, s.GroupA, "scheduled") },
			ExpectedStatus:  409,
			ExpectedContent: []string{`"status":"scheduled"`, "not open"},
		},
		{
			Name:            "therapist enters a scheduled session",
			Method:          http.MethodPost,
			URL:             url,
			Headers:         s.Therapist.Header(),
			BeforeTestFunc:  func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) { setStatus(t, app, s.GroupA, "scheduled") },
			ExpectedStatus:  200,
			ExpectedContent: []string{`"inside":true`, `"removed":[]`},
		},
		{
			Name:            "therapist of a closed session gets 409",
			Method:          http.MethodPost,
			URL:             url,
			Headers:         s.Therapist.Header(),
			BeforeTestFunc:  func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) { setStatus(t, app, s.GroupA, "closed") },
			ExpectedStatus:  409,
			ExpectedContent: []string{`"status":"closed"`},
		},
		{
			Name:    "missing assessments are named",
			Method:  http.MethodPost,
			URL:     url,
			Headers: s.Alice.Header(),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				addRequiredAssessment(t, app, s.GroupA, "location", s.Alice.ID, "")
				addRequiredAssessment(t, app, s.GroupA, "pre-session survey", s.Alice.ID, "incomplete")
				addRequiredAssessment(t, app, s.GroupA, "consent", s.Alice.ID, "complete")
				addRequiredAssessment(t, app, s.GroupA, "Bob's survey", s.Bob.ID, "complete")
			},
			ExpectedStatus:     409,
			ExpectedContent:    []string{`"missing_assessments":[`, `"name":"location"`, `"name":"pre-session survey"`, `"name":"Bob's survey"`},
			NotExpectedContent: []string{`"name":"consent"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if count, _ := app.CountRecords("attendance"); count != 0 {
					t.Errorf("attendance rows: %d, want 0", count)
				}
			},
		},
		{
			Name:    "complete assessments let the participant in",
			Method:  http.MethodPost,
			URL:     url,
			Headers: s.Alice.Header(),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				addRequiredAssessment(t, app, s.GroupA, "consent", s.Alice.ID, "complete")
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"inside":true`},
		},
		{
			Name:            "non-member gets 403",
			Method:          http.MethodPost,
			URL:             url,
			Headers:         s.Dave.Header(),
			ExpectedStatus:  403,
			ExpectedContent: []string{"not a member"},
		},
		{
			Name:            "guest gets 401",
			Method:          http.MethodPost,
			URL:             url,
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
		},
	}
	for _, scenario := range scenarios {
		scenario.TestAppFactory = hearthtest.NewApp
		scenario.Test(t)
	}
}

func TestEnterLeaveAndReenter(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study

	r.enter(s.GroupA, s.Alice.Token)
	r.enter(s.GroupA, s.Alice.Token) // a repeated click changes nothing
	r.enter(s.GroupA, s.Therapist.Token)
	r.mustCall(200, http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/leave", s.Alice.Token, "")
	r.mustCall(200, http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/leave", s.Alice.Token, "")

	var bodies []string
	for _, action := range r.list(s.GroupA, s.Therapist.Token).Actions {
		bodies = append(bodies, action.Body)
	}
	if got, want := strings.Join(bodies, "|"), "Alice joined|Therapist joined|Alice left"; got != want {
		t.Errorf("notices: got %q, want %q", got, want)
	}

	attendance, _ := r.app.FindAllRecords("attendance")
	if len(attendance) != 2 {
		t.Fatalf("attendance rows: %d, want 2", len(attendance))
	}
	for _, row := range attendance {
		if row.GetString("user") == s.Alice.ID && row.GetString("left_reason") != "left" {
			t.Errorf("Alice's attendance left_reason = %q, want left", row.GetString("left_reason"))
		}
	}
	if status, _ := r.call(http.MethodGet, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, ""); status != 409 {
		t.Errorf("reading after leaving: status %d, want 409", status)
	}
}

func TestEnterWhileInsideAnotherLeavesIt(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	// Alice joins Group B too.
	groupB, _ := r.app.FindRecordById("therapy_sessions", s.GroupB)
	groupB.Set("participants", append(groupB.GetStringSlice("participants"), s.Alice.ID))
	if err := r.app.Save(groupB); err != nil {
		t.Fatal(err)
	}

	r.enter(s.GroupA, s.Alice.Token)
	r.enter(s.GroupB, s.Alice.Token)
	r.enter(s.GroupA, s.Therapist.Token)

	last := r.list(s.GroupA, s.Therapist.Token).Actions
	if body := last[len(last)-2].Body; body != "Alice left" {
		t.Errorf("Group A notice before the therapist joined: %q, want \"Alice left\"", body)
	}
	if status, _ := r.call(http.MethodGet, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, ""); status != 409 {
		t.Errorf("Alice reading Group A: status %d, want 409", status)
	}
	if got := r.list(s.GroupB, s.Alice.Token).Actions[0].Body; got != "Alice joined" {
		t.Errorf("Group B first notice: %q", got)
	}
}

func TestLogoutEndsPresence(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	r.enter(s.GroupA, s.Therapist.Token)

	signIn, _ := r.app.FindRecordById("sign_in_sessions", s.Alice.SignInSessionID)
	if err := r.hearth.EndSignInSession(r.app, signIn, "idle"); err != nil {
		t.Fatal(err)
	}

	actions := r.list(s.GroupA, s.Therapist.Token).Actions
	if body := actions[len(actions)-1].Body; body != "Alice left" {
		t.Errorf("last notice %q, want \"Alice left\"", body)
	}
	rows, _ := r.app.FindAllRecords("attendance")
	for _, row := range rows {
		if row.GetString("user") == s.Alice.ID && row.GetString("left_reason") != "idle" {
			t.Errorf("Alice's attendance left_reason = %q, want idle", row.GetString("left_reason"))
		}
	}
	detail := r.mustCall(200, http.MethodGet, "/api/therapy-sessions/"+s.GroupA, s.Therapist.Token, "")
	if !strings.Contains(detail, `"alias":"Alice","role":"participant","present":false`) {
		t.Errorf("Alice still present: %s", detail)
	}
}
