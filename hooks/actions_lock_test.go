package hooks_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	_ "modernc.org/sqlite"
)

// TestRoomChangeRerunsAfterStaleRead makes another connection commit a
// write in the middle of a whiteboard POST, after the POST's transaction
// has read and before it writes. SQLite then rejects the write with
// SQLITE_BUSY, even with busy_timeout set. The change must run again in a
// new transaction instead of failing with a 500, and save once.
//
// The test takes about 8 s: PocketBase's Save retries the rejected
// statement in the same transaction for that long before it gives up.
func TestRoomChangeRerunsAfterStaleRead(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Therapist.Token)

	other, err := sql.Open("sqlite", filepath.Join(r.app.DataDir(), "data.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	writes := 0
	r.app.OnRecordUpdate("therapy_sessions").BindFunc(func(e *core.RecordEvent) error {
		if writes == 0 {
			if _, err := other.Exec("UPDATE users SET alias = alias WHERE id = ?", s.Alice.ID); err != nil {
				t.Errorf("write from another connection: %v", err)
			}
		}
		writes++
		return e.Next()
	})

	body, _ := json.Marshal([]any{item("board", "whiteboard", map[string]any{"body": "Breathe"})})
	status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Therapist.Token, string(body))
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", status, answer)
	}
	if writes < 2 {
		t.Fatalf("the session was written %d times, want a rerun after the first", writes)
	}

	actions := r.list(s.GroupA, s.Therapist.Token)
	boards := 0
	for _, action := range actions.Actions {
		if action.Type == "whiteboard" {
			boards++
		}
	}
	if boards != 1 {
		t.Fatalf("got %d whiteboard actions, want 1", boards)
	}
}
