package hooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Fixed record ids of the assessments study, so that scenarios can name
// them in URLs and expected content.
const (
	locationID   = "assesslocationa" // Group A, location, before, required
	surveyID     = "assesssurveyaaa" // Group A, survey, after
	pastSurveyID = "assesspastsurvy" // Week 0, survey, after
	weekZeroID   = "sessionweekzero" // closed session a week ago

	aliceExternalID = "R 42&x/1"
	webhookSecret   = "test-webhook-secret-7f3a"
)

// seedAssessments adds assessments to the fixture study: a required
// location check-in and an "after" survey to Group A, and a closed session
// Week 0 a week earlier, with Alice and Bob, whose "after" survey nobody has
// completed. Alice gets an external id that needs escaping.
func seedAssessments(t testing.TB, app core.App) {
	t.Helper()
	study := hearthtest.Fixture(t)

	alice, err := app.FindRecordById("users", study.Alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	alice.Set("external_id", aliceExternalID)
	if err := app.Save(alice); err != nil {
		t.Fatal(err)
	}

	sessions, err := app.FindCollectionByNameOrId("therapy_sessions")
	if err != nil {
		t.Fatal(err)
	}
	weekZero := core.NewRecord(sessions)
	weekZero.Id = weekZeroID
	weekZero.Set("name", "Week 0")
	weekZero.Set("status", "closed")
	start, _ := types.ParseDateTime(time.Now().AddDate(0, 0, -7))
	weekZero.Set("starts_at", start)
	weekZero.Set("therapists", []string{study.Therapist.ID})
	weekZero.Set("participants", []string{study.Alice.ID, study.Bob.ID})
	if err := app.Save(weekZero); err != nil {
		t.Fatal(err)
	}

	addAssessment(t, app, locationID, study.GroupA, "location", "location", "before", "", true)
	addAssessment(t, app, surveyID, study.GroupA, "post-session survey", "survey", "after",
		"https://survey.example.org/s?p={participant}&s={session}&a={assessment}&r={external_id}", false)
	addAssessment(t, app, pastSurveyID, weekZeroID, "week 0 survey", "survey", "after",
		"https://survey.example.org/past/{external_id}?p={participant}", false)
}

func addAssessment(t testing.TB, app core.App, id, sessionID, name, kind, timing, url string, required bool) *core.Record {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId("assessments")
	if err != nil {
		t.Fatal(err)
	}
	assessment := core.NewRecord(collection)
	if id != "" {
		assessment.Id = id
	}
	assessment.Set("therapy_session", sessionID)
	assessment.Set("name", name)
	assessment.Set("kind", kind)
	assessment.Set("timing", timing)
	assessment.Set("url", url)
	assessment.Set("required_to_enter", required)
	if err := app.Save(assessment); err != nil {
		t.Fatalf("add assessment %s: %v", name, err)
	}
	return assessment
}

// findResponse returns the response of participantID to assessmentID.
func findResponse(t testing.TB, app core.App, assessmentID, participantID string) *core.Record {
	t.Helper()
	response, err := app.FindFirstRecordByFilter("assessment_responses",
		"assessment = {:assessment} && participant = {:participant}",
		dbx.Params{"assessment": assessmentID, "participant": participantID})
	if err != nil {
		t.Fatalf("find response of %s to %s: %v", participantID, assessmentID, err)
	}
	return response
}

// serve sends one request through the app's router, as a step before a
// scenario's own request.
func serve(t testing.TB, e *core.ServeEvent, method, url, body string, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	mux, err := e.Router.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	request := httptest.NewRequest(method, url, strings.NewReader(body))
	request.Header.Set("Content-Type", "application/json")
	for name, value := range headers {
		request.Header.Set(name, value)
	}
	recorder := httptest.NewRecorder()
	mux.ServeHTTP(recorder, request)
	return recorder
}

// decodeBody decodes a JSON response body into target.
func decodeBody(t testing.TB, res *http.Response, target any) {
	t.Helper()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, target); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// webhookApp returns a test app with the survey webhooks switched on.
func webhookApp(t testing.TB) *tests.TestApp {
	config := hooks.TestConfig()
	config.WebhookSecret = webhookSecret
	app, _ := hearthtest.NewAppWithConfig(t, config)
	return app
}

// seededApp returns a test app with seedAssessments applied and webhooks on.
func seededApp(t testing.TB) *tests.TestApp {
	app := webhookApp(t)
	seedAssessments(t, app)
	return app
}
