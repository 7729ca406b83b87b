package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// A message posted without keystroke data exports null typing columns, so
// that "not measured" differs from a measured 0 seconds or an empty history.
func TestExportTypingColumnsNullWhenNotSent(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	r.post(s.GroupA, s.Alice.Token,
		map[string]any{"client_id": "plain", "type": "post", "body": "sent by a script"},
		map[string]any{"client_id": "typed", "type": "post", "body": "hi", "time_to_complete": 1.5, "character_history": "hi"},
		map[string]any{"client_id": "instant", "type": "post", "body": "pasted", "time_to_complete": 0},
		map[string]any{"client_id": "history-only", "type": "post", "body": "ok", "character_history": "ok"},
		map[string]any{"client_id": "explicit-null", "type": "post", "body": "null", "time_to_complete": nil, "character_history": nil},
	)

	answer := r.mustCall(200, http.MethodGet, "/api/export/therapy-sessions/"+s.GroupA+"?format=jsonl&table=actions", s.StaffToken, "")
	rows := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(answer), "\n") {
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		if clientID, ok := row["client_id"].(string); ok {
			typing, _ := json.Marshal([]any{row["time_to_complete"], row["character_history"], row["history_replays"]})
			rows[clientID] = string(typing)
		}
	}

	want := map[string]string{
		"plain":         `[null,null,null]`,
		"typed":         `[1.5,"hi",true]`,
		"instant":       `[0,"",false]`,
		"history-only":  `[0,"ok",true]`,
		"explicit-null": `[null,null,null]`,
	}
	for clientID, typing := range want {
		if rows[clientID] != typing {
			t.Errorf("%s: time_to_complete, character_history, history_replays = %s, want %s", clientID, rows[clientID], typing)
		}
	}
}

// The migration that adds actions.typing_recorded marks the messages saved
// before it that have keystroke data, so that their export keeps it.
func TestTypingRecordedMigrationMarksOldMessages(t *testing.T) {
	app := hearthtest.NewApp(t)
	study := hearthtest.Fixture(t)
	var up func(core.App) error
	for _, migration := range core.AppMigrations.Items() {
		if migration.File == "1796500100_actions_typing_recorded.go" {
			up = migration.Up
		}
	}
	if up == nil {
		t.Fatal("the typing_recorded migration is not registered")
	}

	rows := []struct {
		fields dbx.Params
		want   bool
	}{
		{dbx.Params{"type": "message", "character_history": "abc", "time_to_complete": 0}, true},
		{dbx.Params{"type": "message", "character_history": "", "time_to_complete": 2.5}, true},
		{dbx.Params{"type": "message", "character_history": "", "time_to_complete": 0}, false},
		{dbx.Params{"type": "notice", "character_history": "", "time_to_complete": 0}, false},
	}
	for i, row := range rows {
		row.fields["id"] = core.GenerateDefaultRandomId()
		row.fields["therapy_session"] = study.GroupA
		row.fields["seq"] = i + 1
		if _, err := app.DB().Insert("actions", row.fields).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	// The fixture has run every migration already, so running this one again
	// is what an existing database gets.
	if err := up(app); err != nil {
		t.Fatalf("migration: %v", err)
	}

	for i, row := range rows {
		var stored struct {
			TypingRecorded bool `db:"typing_recorded"`
		}
		err := app.DB().Select("typing_recorded").From("actions").Where(dbx.HashExp{"id": row.fields["id"]}).One(&stored)
		if err != nil {
			t.Fatal(err)
		}
		if stored.TypingRecorded != row.want {
			t.Errorf("row %d %v: typing_recorded = %v, want %v", i, row.fields, stored.TypingRecorded, row.want)
		}
	}
}
