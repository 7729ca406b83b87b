package hooks_test

import (
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// seedExportSession fills Group A of the fixture with one action of every
// type (a private message, a deleted message, reactions added and
// withdrawn), attendance with a removed participant, and assessments with
// stored and missing responses. Group B gets one message.
func seedExportSession(t testing.TB, app core.App) {
	t.Helper()
	study := hearthtest.Fixture(t)
	start := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)

	groupA, err := app.FindRecordById("therapy_sessions", study.GroupA)
	if err != nil {
		t.Fatal(err)
	}
	groupA.Set("removed_participants", []string{study.Bob.ID})
	groupA.Set("whiteboard", "Agenda:\n1. <check-in>")
	mustSave(t, app, groupA)

	actions := []map[string]any{
		{"type": "notice", "sender": "system", "body": "Therapist joined"},
		{"type": "message", "user": study.Alice.ID, "alias": study.Alice.Alias,
			"body": "Hello, \"all\"\nsecond line é 🙂", "recipients": []string{},
			"client_id": "alice-1", "client_ts": start.Add(-2 * time.Second), "typing_recorded": true, "time_to_complete": 12.5,
			"character_history": "Hel<BS>llo, \"all\"\nsecond line é 🙂", "history_replays": true},
		{"type": "message", "user": study.Bob.ID, "alias": study.Bob.Alias,
			"body": "=HYPERLINK(\"http://127.0.0.1/\")", "recipients": []string{study.Therapist.ID},
			"client_id": "bob-1", "client_ts": start, "typing_recorded": true, "time_to_complete": 3.0,
			"character_history": "<PASTE>=HYPERLINK(\"http://127.0.0.1/\")</PASTE>", "history_replays": true},
		{"type": "message", "user": study.Alice.ID, "alias": study.Alice.Alias,
			"body": "", "deleted": true, "original_body": "oops, said too much", "recipients": []string{},
			"client_id": "alice-2", "typing_recorded": true, "time_to_complete": 4.25, "character_history": "oops, said too much",
			"history_replays": true},
		{"type": "delete", "user": study.Alice.ID, "alias": study.Alice.Alias, "target": 4, "client_id": "alice-3"},
		{"type": "message_read", "user": study.Bob.ID, "alias": study.Bob.Alias, "target": 3, "client_id": "bob-2"},
		{"type": "reaction", "user": study.Alice.ID, "alias": study.Alice.Alias, "target": 2, "icon": "heart", "client_id": "alice-4"},
		{"type": "reaction", "user": study.Alice.ID, "alias": study.Alice.Alias, "target": 2, "icon": "heart", "remove": true, "client_id": "alice-5"},
		{"type": "whiteboard", "user": study.Therapist.ID, "alias": study.Therapist.Alias, "body": "Agenda:\n1. <check-in>", "client_id": "t-1"},
		{"type": "notice", "sender": "therapist", "user": study.Therapist.ID, "alias": study.Therapist.Alias, "body": "Please be kind", "client_id": "t-2"},
		{"type": "notice", "sender": "system", "body": "Bob was removed"},
	}
	for i, fields := range actions {
		saveAction(t, app, study.GroupA, i+1, fields)
	}
	saveAction(t, app, study.GroupB, 1, map[string]any{"type": "message", "user": study.Carol.ID,
		"alias": study.Carol.Alias, "body": "Hi from B", "recipients": []string{}, "client_id": "carol-1"})

	saveRecord(t, app, "attendance", map[string]any{"therapy_session": study.GroupA, "user": study.Therapist.ID, "entered_at": start})
	saveRecord(t, app, "attendance", map[string]any{"therapy_session": study.GroupA, "user": study.Alice.ID,
		"entered_at": start.Add(time.Minute), "left_at": start.Add(50 * time.Minute), "left_reason": "left"})
	saveRecord(t, app, "attendance", map[string]any{"therapy_session": study.GroupA, "user": study.Bob.ID,
		"entered_at": start.Add(2 * time.Minute), "left_at": start.Add(20 * time.Minute), "left_reason": "removed"})

	location := saveRecord(t, app, "assessments", map[string]any{"therapy_session": study.GroupA,
		"name": "location", "kind": "location", "timing": "before", "required_to_enter": true})
	survey := saveRecord(t, app, "assessments", map[string]any{"therapy_session": study.GroupA,
		"name": "post-session survey", "kind": "survey", "timing": "after",
		"url": "https://surveys.example.org/s?participant={participant}"})
	// Creating an assessment creates an incomplete response per participant.
	updateResponse(t, app, location.Id, study.Alice.ID, map[string]any{
		"status": "complete", "completed_at": start.Add(-time.Minute), "answer": "Home, kitchen"})
	updateResponse(t, app, survey.Id, study.Bob.ID, map[string]any{"status": "incomplete"})

	// Rows can still be missing (for example, participants added to a session
	// with plain SQL); the export lists them as incomplete with no response id.
	deleteResponse(t, app, location.Id, study.Bob.ID)
	deleteResponse(t, app, survey.Id, study.Alice.ID)
}

func deleteResponse(t testing.TB, app core.App, assessmentID, participantID string) {
	t.Helper()
	response, err := app.FindFirstRecordByFilter("assessment_responses",
		"assessment = {:assessment} && participant = {:participant}",
		map[string]any{"assessment": assessmentID, "participant": participantID})
	if err != nil {
		t.Fatalf("find response: %v", err)
	}
	if err := app.Delete(response); err != nil {
		t.Fatalf("delete response: %v", err)
	}
}

func updateResponse(t testing.TB, app core.App, assessmentID, participantID string, fields map[string]any) {
	t.Helper()
	response, err := app.FindFirstRecordByFilter("assessment_responses",
		"assessment = {:assessment} && participant = {:participant}",
		map[string]any{"assessment": assessmentID, "participant": participantID})
	if err != nil {
		t.Fatalf("find response: %v", err)
	}
	response.Load(fields)
	mustSave(t, app, response)
}

func saveAction(t testing.TB, app core.App, sessionID string, seq int, fields map[string]any) {
	t.Helper()
	fields["therapy_session"] = sessionID
	fields["seq"] = seq
	saveRecord(t, app, "actions", fields)
}

func saveRecord(t testing.TB, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(c)
	for name, value := range fields {
		if moment, ok := value.(time.Time); ok {
			value, _ = types.ParseDateTime(moment)
		}
		record.Set(name, value)
	}
	mustSave(t, app, record)
	return record
}

func mustSave(t testing.TB, app core.App, record *core.Record) {
	t.Helper()
	if err := app.Save(record); err != nil {
		t.Fatalf("save %s: %v", record.Collection().Name, err)
	}
}
