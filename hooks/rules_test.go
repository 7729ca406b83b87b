package hooks_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// seedRecords gives each collection a record in Group A (Alice's) and in
// Group B (Carol's), so that the rules have something to hide.
func seedRecords(t testing.TB, app core.App) {
	t.Helper()
	study := hearthtest.Fixture(t)
	save := func(collectionName string, fields map[string]any) *core.Record {
		collection, err := app.FindCollectionByNameOrId(collectionName)
		if err != nil {
			t.Fatal(err)
		}
		record := core.NewRecord(collection)
		record.Load(fields)
		record.Id = fields["id"].(string)
		if err := app.Save(record); err != nil {
			t.Fatalf("seed %s: %v", collectionName, err)
		}
		return record
	}
	for _, group := range []struct{ suffix, session, participant string }{
		{"a", study.GroupA, study.Alice.ID},
		{"b", study.GroupB, study.Carol.ID},
	} {
		save("assessments", map[string]any{"id": "assessment0000" + group.suffix, "therapy_session": group.session,
			"name": "survey " + group.suffix, "kind": "survey", "timing": "after",
			"url": "https://surveys.example.org/secret-template-" + group.suffix})
		// Creating the assessment created an incomplete response for each
		// participant; complete this one.
		response, err := app.FindFirstRecordByFilter("assessment_responses",
			"assessment = {:a} && participant = {:p}",
			map[string]any{"a": "assessment0000" + group.suffix, "p": group.participant})
		if err != nil {
			t.Fatalf("find response: %v", err)
		}
		response.Set("status", "complete")
		response.Set("answer", "kitchen-"+group.suffix)
		if err := app.Save(response); err != nil {
			t.Fatalf("complete response: %v", err)
		}
		save("actions", map[string]any{"id": "action00000000" + group.suffix, "therapy_session": group.session,
			"seq": 1, "type": "message", "user": group.participant, "alias": "x", "body": "hello-" + group.suffix,
			"character_history": "keystrokes-" + group.suffix, "time_to_complete": 3})
		save("attendance", map[string]any{"id": "attendance0000" + group.suffix, "therapy_session": group.session,
			"user": group.participant, "entered_at": "2026-01-01 10:00:00.000Z"})
		save("sms_log", map[string]any{"id": "smslog00000000" + group.suffix, "user": group.participant,
			"to": "+16502530002", "status": "sent"})
		save("otp_requests", map[string]any{"id": "otprequest0000" + group.suffix, "phone": "+16502530002"})
	}
}

func TestCollectionRules(t *testing.T) {
	study := hearthtest.Fixture(t)
	guest := map[string]string{}
	alice := study.Alice.Header()
	dave := study.Dave.Header()
	therapist := study.Therapist.Header()

	// Secrets that must never reach a participant or therapist through the
	// plain collection API.
	secrets := []string{
		`"phone"`, `"last_name"`, `"external_id"`, "+1650253", "Anders", "Brown", "Chen",
		"secret-template", "keystrokes-", `"character_history"`, `"time_to_complete"`,
	}

	type scenario struct {
		name     string
		url      string
		headers  map[string]string
		status   int
		expected []string
		absent   []string
	}
	// Filters on hidden fields are rejected outright (400) by PocketBase for
	// anyone but superusers, so they cannot be used to probe values either.
	scenarios := []scenario{
		// users: a person sees only their own record, and never phone or last name.
		{"users list as participant", "/api/collections/users/records", alice, 200,
			[]string{`"totalItems":1`, `"alias":"Alice"`}, []string{`"alias":"Bob"`}},
		{"users view of another member", "/api/collections/users/records/" + study.Bob.ID, alice, 404, nil, nil},
		{"users filter on phone", "/api/collections/users/records?filter=" + url.QueryEscape(`phone~"650"`), alice, 400,
			nil, nil},
		{"users filter on last name", "/api/collections/users/records?filter=" + url.QueryEscape(`last_name="Anders"`), alice, 400,
			nil, nil},
		{"users list as guest", "/api/collections/users/records", guest, 200, []string{`"totalItems":0`}, nil},

		// therapy_sessions: members see their own sessions only.
		{"sessions list as member", "/api/collections/therapy_sessions/records", alice, 200,
			[]string{`"totalItems":1`, `"name":"Group A"`}, []string{"Group B", `"removed_participants"`}},
		{"sessions list as non-member", "/api/collections/therapy_sessions/records", dave, 200,
			[]string{`"totalItems":0`}, nil},
		{"sessions list as guest", "/api/collections/therapy_sessions/records", guest, 200,
			[]string{`"totalItems":0`}, nil},
		{"sessions view of another group", "/api/collections/therapy_sessions/records/" + study.GroupB, alice, 404, nil, nil},
		{"sessions expand participants", "/api/collections/therapy_sessions/records?expand=participants,therapists", alice, 200,
			[]string{`"alias":"Alice"`}, []string{`"alias":"Bob"`, `"alias":"Therapist"`}},
		{"sessions filter on participant phone", "/api/collections/therapy_sessions/records?filter=" +
			url.QueryEscape(`participants.phone~"6502530003"`), alice, 400, nil, nil},
		{"sessions filter on participant last name", "/api/collections/therapy_sessions/records?filter=" +
			url.QueryEscape(`participants.last_name="Brown"`), alice, 400, nil, nil},

		// assessments: members see their session's, without the link template.
		{"assessments list as member", "/api/collections/assessments/records", alice, 200,
			[]string{`"totalItems":1`, `"name":"survey a"`}, []string{"survey b"}},
		{"assessments list as non-member", "/api/collections/assessments/records", dave, 200,
			[]string{`"totalItems":0`}, nil},
		{"assessments filter on url", "/api/collections/assessments/records?filter=" +
			url.QueryEscape(`url~"secret"`), alice, 400, nil, nil},
		{"assessments expand session members", "/api/collections/assessments/records?expand=therapy_session.participants",
			alice, 200, []string{`"name":"Group A"`}, []string{`"alias":"Bob"`}},

		// assessment_responses: own, or any in a session one leads.
		{"responses list as participant", "/api/collections/assessment_responses/records", alice, 200,
			[]string{`"totalItems":1`, "kitchen-a"}, []string{"kitchen-b"}},
		{"responses list as therapist", "/api/collections/assessment_responses/records", therapist, 200,
			[]string{`"totalItems":2`, "kitchen-a"}, []string{"kitchen-b"}},
		{"responses list as non-member", "/api/collections/assessment_responses/records", dave, 200,
			[]string{`"totalItems":0`}, nil},
		{"responses expand participant", "/api/collections/assessment_responses/records?expand=participant,assessment.therapy_session",
			therapist, 200, []string{"kitchen-a"}, []string{`"alias":"Alice"`}},
	}

	// Collections only staff may read through the plain API, each with one
	// record id that exists in every test app.
	staffOnly := map[string]string{
		"actions":          "action00000000a",
		"sign_in_sessions": study.Alice.SignInSessionID,
		"attendance":       "attendance0000a",
		"sms_log":          "smslog00000000a",
		"otp_requests":     "otprequest0000a",
	}
	for _, name := range []string{"actions", "sign_in_sessions", "attendance", "sms_log", "otp_requests"} {
		for _, caller := range []struct {
			label   string
			headers map[string]string
			status  int
		}{{"guest", guest, 403}, {"participant", alice, 403}, {"therapist", therapist, 403}} {
			scenarios = append(scenarios,
				scenario{name + " list as " + caller.label, "/api/collections/" + name + "/records", caller.headers, caller.status, nil, nil},
				scenario{name + " view as " + caller.label, "/api/collections/" + name + "/records/" + staffOnly[name], caller.headers, caller.status, nil, nil},
			)
		}
	}

	for _, s := range scenarios {
		(&tests.ApiScenario{
			Name:               s.name,
			Method:             http.MethodGet,
			URL:                s.url,
			Headers:            s.headers,
			ExpectedStatus:     s.status,
			ExpectedContent:    s.expected,
			NotExpectedContent: append(append([]string{}, s.absent...), secrets...),
			TestAppFactory:     hearthtest.NewApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedRecords(t, app)
			},
		}).Test(t)
	}
}

func TestStaffSeeEverything(t *testing.T) {
	study := hearthtest.Fixture(t)
	for _, name := range []string{"users", "actions", "attendance", "sms_log", "assessments"} {
		(&tests.ApiScenario{
			Name:            "staff list " + name,
			Method:          http.MethodGet,
			URL:             "/api/collections/" + name + "/records",
			Headers:         study.StaffHeader(),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":`},
			TestAppFactory:  hearthtest.NewApp,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedRecords(t, app)
			},
		}).Test(t)
	}
}
