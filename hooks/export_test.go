package hooks_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// privateDetails returns every phone number and last name of the fixture,
// none of which may appear in an export.
func privateDetails(t testing.TB) []string {
	study := hearthtest.Fixture(t)
	var details []string
	for _, person := range []hearthtest.Person{study.Therapist, study.Alice, study.Bob, study.OtherTherapist, study.Carol, study.Dave} {
		details = append(details, person.Phone, person.Phone[2:], `"`+person.LastName+`"`, ","+person.LastName+",")
	}
	return details
}

func readBody(t testing.TB, res *http.Response) []byte {
	t.Helper()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func seedBeforeTest(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	seedExportSession(t, app)
}

func TestExportSessionMatchesDatabase(t *testing.T) {
	study := hearthtest.Fixture(t)
	tables := hooks.ExportTables()
	for _, format := range []string{"csv", "jsonl"} {
		for _, tableName := range []string{"actions", "attendance"} {
			scenario := tests.ApiScenario{
				Name:               format + " " + tableName,
				Method:             http.MethodGet,
				URL:                "/api/export/therapy-sessions/" + study.GroupA + "?format=" + format + "&table=" + tableName,
				Headers:            study.StaffHeader(),
				ExpectedStatus:     http.StatusOK,
				NotExpectedContent: privateDetails(t),
				TestAppFactory:     hearthtest.NewApp,
				BeforeTestFunc:     seedBeforeTest,
				AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
					var want [][]any
					if tableName == "actions" {
						want = expectedActions(t, app, study.GroupA)
					} else {
						want = expectedAttendance(t, app, study.GroupA)
					}
					if len(want) < 3 {
						t.Fatalf("seed produced only %d %s rows", len(want), tableName)
					}
					data := readBody(t, res)
					table := tableNamed(t, tables, tableName)
					if format == "csv" {
						checkCSV(t, data, table, want)
					} else {
						checkJSONL(t, data, table, want)
					}
					if got := res.Header.Get("Content-Disposition"); !strings.Contains(got, "hearth-session-"+study.GroupA+"-"+tableName+"-") {
						t.Errorf("Content-Disposition: got %q", got)
					}
				},
			}
			scenario.Test(t)
		}
	}
}

func TestExportActionsKeepsResearchDetails(t *testing.T) {
	study := hearthtest.Fixture(t)
	scenario := tests.ApiScenario{
		Name:           "actions as JSON Lines",
		Method:         http.MethodGet,
		URL:            "/api/export/therapy-sessions/" + study.GroupA + "?format=jsonl&table=actions",
		Headers:        study.StaffHeader(),
		ExpectedStatus: http.StatusOK,
		ExpectedContent: []string{
			`"action_id":3,"type":"message","user_id":"` + study.Bob.ID + `","alias":"Bob","recipient_ids":["` + study.Therapist.ID + `"],"recipient_aliases":["Therapist"]`,
			`"body":"=HYPERLINK(\"http://127.0.0.1/\")"`,
			`"action_id":4,"type":"message"`,
			`"body":"","deleted":true,"original_body":"oops, said too much"`,
			`"action_id":5,"type":"delete","user_id":"` + study.Alice.ID + `","alias":"Alice","recipient_ids":null,"recipient_aliases":null,"target":4`,
			`"action_id":8,"type":"reaction"`,
			`"icon":"heart","remove":true`,
			`"time_to_complete":12.5,"character_history":"Hel<BS>llo, \"all\"\nsecond line é 🙂","history_replays":true`,
			`"action_id":11,"type":"notice","user_id":null,"alias":null`,
		},
		TestAppFactory: hearthtest.NewApp,
		BeforeTestFunc: seedBeforeTest,
	}
	scenario.Test(t)
}

func TestExportMembersSessionsAndResponses(t *testing.T) {
	study := hearthtest.Fixture(t)
	scenarios := []struct {
		table    string
		expected []string
	}{
		{"sessions", []string{
			`{"session_id":"` + study.GroupA + `","name":"Group A","description":"","starts_at":"`,
			`"status":"open","whiteboard":"Agenda:\n1. <check-in>","created":"`,
		}},
		{"members", []string{
			`{"session_id":"` + study.GroupA + `","user_id":"` + study.Therapist.ID + `","alias":"Therapist","role":"therapist","removed":false}`,
			`{"session_id":"` + study.GroupA + `","user_id":"` + study.Alice.ID + `","alias":"Alice","role":"participant","removed":false}`,
			`{"session_id":"` + study.GroupA + `","user_id":"` + study.Bob.ID + `","alias":"Bob","role":"participant","removed":true}`,
		}},
		{"responses", []string{
			`"assessment_name":"location","kind":"location","timing":"before","required_to_enter":true,"response_id":"`,
			`"participant_id":"` + study.Alice.ID + `","participant_alias":"Alice","status":"complete","completed_at":"2026-03-01T16:59:00.000Z","answer":"Home, kitchen"}`,
			`"response_id":null,"participant_id":"` + study.Bob.ID + `","participant_alias":"Bob","status":"incomplete","completed_at":null,"answer":null}`,
			`"assessment_name":"post-session survey","kind":"survey","timing":"after","required_to_enter":false,"response_id":null,"participant_id":"` + study.Alice.ID + `"`,
		}},
	}
	for _, s := range scenarios {
		scenario := tests.ApiScenario{
			Name:               s.table,
			Method:             http.MethodGet,
			URL:                "/api/export/therapy-sessions/" + study.GroupA + "?format=jsonl&table=" + s.table,
			Headers:            study.StaffHeader(),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    s.expected,
			NotExpectedContent: append(privateDetails(t), study.Carol.ID, "surveys.example.org"),
			TestAppFactory:     hearthtest.NewApp,
			BeforeTestFunc:     seedBeforeTest,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				lines := bytes.Count(readBody(t, res), []byte("\n"))
				want := map[string]int{"sessions": 1, "members": 3, "responses": 4}[s.table]
				if lines != want {
					t.Errorf("got %d lines, want %d", lines, want)
				}
			},
		}
		scenario.Test(t)
	}
}

func TestExportStudyArchive(t *testing.T) {
	study := hearthtest.Fixture(t)
	scenario := tests.ApiScenario{
		Name:            "zip of every session",
		Method:          http.MethodGet,
		URL:             "/api/export/study?format=zip&bom=true",
		Headers:         study.StaffHeader(),
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{"actions.csv", "actions.jsonl"},
		TestAppFactory:  hearthtest.NewApp,
		BeforeTestFunc:  seedBeforeTest,
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if got := res.Header.Get("Content-Type"); got != "application/zip" {
				t.Errorf("Content-Type: got %q", got)
			}
			data := readBody(t, res)
			archive, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, file := range archive.File {
				content, err := file.Open()
				if err != nil {
					t.Fatal(err)
				}
				files[file.Name] = readBody(t, &http.Response{Body: content})
			}
			tables := hooks.ExportTables()
			if len(files) != 2*len(tables) {
				t.Errorf("got %d files, want %d", len(files), 2*len(tables))
			}

			sessions, err := app.FindRecordsByFilter("therapy_sessions", "", "starts_at,id", 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, session := range sessions {
				ids = append(ids, session.Id)
			}
			want := expectedActions(t, app, ids...)
			actionsCSV, ok := bytes.CutPrefix(files["actions.csv"], []byte("\uFEFF"))
			if !ok {
				t.Error("actions.csv: got no byte order mark with bom=true")
			}
			checkCSV(t, actionsCSV, tableNamed(t, tables, "actions"), want)
			checkJSONL(t, files["actions.jsonl"], tableNamed(t, tables, "actions"), want)
			for name, content := range files {
				for _, detail := range privateDetails(t) {
					if bytes.Contains(content, []byte(detail)) {
						t.Errorf("%s contains the private detail %q", name, detail)
					}
				}
			}
		},
	}
	scenario.Test(t)
}

func TestExportStudyFilteredBySessions(t *testing.T) {
	study := hearthtest.Fixture(t)
	scenario := tests.ApiScenario{
		Name:               "only Group B",
		Method:             http.MethodGet,
		URL:                "/api/export/study?format=jsonl&table=actions&sessions=" + study.GroupB,
		Headers:            study.StaffHeader(),
		ExpectedStatus:     http.StatusOK,
		ExpectedContent:    []string{`"body":"Hi from B"`},
		NotExpectedContent: []string{study.GroupA},
		TestAppFactory:     hearthtest.NewApp,
		BeforeTestFunc:     seedBeforeTest,
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			checkJSONL(t, readBody(t, res), tableNamed(t, hooks.ExportTables(), "actions"), expectedActions(t, app, study.GroupB))
		},
	}
	scenario.Test(t)
}

func TestExportAccessAndValidation(t *testing.T) {
	study := hearthtest.Fixture(t)
	sessionURL := "/api/export/therapy-sessions/" + study.GroupA
	scenarios := []struct {
		name     string
		url      string
		headers  map[string]string
		status   int
		expected []string
	}{
		{"guest refused", sessionURL + "?format=zip", nil, http.StatusUnauthorized, []string{`"status":401`}},
		{"guest refused for study", "/api/export/study?format=zip", nil, http.StatusUnauthorized, []string{`"status":401`}},
		{"participant refused", sessionURL + "?format=zip", study.Alice.Header(), http.StatusForbidden, []string{`"status":403`}},
		{"therapist of the session refused", sessionURL + "?format=csv&table=actions", study.Therapist.Header(), http.StatusForbidden, []string{`"status":403`}},
		{"therapist refused for study", "/api/export/study?format=zip", study.Therapist.Header(), http.StatusForbidden, []string{`"status":403`}},
		{"unknown session", "/api/export/therapy-sessions/abcdefghijklmno?format=zip", study.StaffHeader(), http.StatusNotFound, []string{"The therapy session was not found."}},
		{"missing format", sessionURL, study.StaffHeader(), http.StatusBadRequest, []string{`"format":{"code":"validation_required"`}},
		{"unknown format", sessionURL + "?format=xlsx", study.StaffHeader(), http.StatusBadRequest, []string{`"format":{`, "Use csv, jsonl or zip."}},
		{"csv without table", sessionURL + "?format=csv", study.StaffHeader(), http.StatusBadRequest, []string{`"table":{"code":"validation_required"`}},
		{"unknown table", sessionURL + "?format=csv&table=users", study.StaffHeader(), http.StatusBadRequest, []string{`"table":{`, "actions, attendance"}},
		{"zip with table", sessionURL + "?format=zip&table=actions", study.StaffHeader(), http.StatusBadRequest, []string{`"table":{`}},
		{"invalid bom", sessionURL + "?format=zip&bom=maybe", study.StaffHeader(), http.StatusBadRequest, []string{`"bom":{`}},
		{"study with unknown session", "/api/export/study?format=zip&sessions=" + study.GroupA + ",abcdefghijklmno", study.StaffHeader(), http.StatusBadRequest, []string{`"sessions":{`, "abcdefghijklmno"}},
		{"staff allowed", sessionURL + "?format=zip", study.StaffHeader(), http.StatusOK, []string{"actions.csv", "responses.jsonl"}},
	}
	for _, s := range scenarios {
		scenario := tests.ApiScenario{
			Name:            s.name,
			Method:          http.MethodGet,
			URL:             s.url,
			Headers:         s.headers,
			ExpectedStatus:  s.status,
			ExpectedContent: s.expected,
			TestAppFactory:  hearthtest.NewApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				entries, err := app.FindAllRecords("export_log")
				if err != nil {
					t.Fatal(err)
				}
				if s.status != http.StatusOK {
					if len(entries) != 0 {
						t.Errorf("got %d export_log entries for a refused export, want 0", len(entries))
					}
					return
				}
				if len(entries) != 1 {
					t.Fatalf("got %d export_log entries, want 1", len(entries))
				}
				entry := entries[0]
				checks := map[string]string{"source": "api", "superuser_email": "staff@example.com",
					"scope": "session", "format": "zip", "table": ""}
				for field, want := range checks {
					if got := entry.GetString(field); got != want {
						t.Errorf("export_log.%s: got %q, want %q", field, got, want)
					}
				}
				var sessions []string
				if err := json.Unmarshal([]byte(entry.GetString("therapy_sessions")), &sessions); err != nil || len(sessions) != 1 || sessions[0] != study.GroupA {
					t.Errorf("export_log.therapy_sessions: got %s (%v)", entry.GetString("therapy_sessions"), err)
				}
				if entry.GetString("superuser_id") == "" {
					t.Error("export_log.superuser_id: got empty")
				}
			},
		}
		scenario.Test(t)
	}
}
