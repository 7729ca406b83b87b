package hooks_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// TestPostAfterActionsFieldAdded checks that posts keep saving whole
// actions after staff add a field to the actions collection, which changes
// the prepared insert.
func TestPostAfterActionsFieldAdded(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	r.post(s.GroupA, s.Alice.Token, message("before-field", "first"))

	actions, err := r.app.FindCollectionByNameOrId("actions")
	if err != nil {
		t.Fatal(err)
	}
	actions.Fields.Add(&core.TextField{Name: "staff_note"})
	if err := r.app.Save(actions); err != nil {
		t.Fatal(err)
	}

	saved := r.post(s.GroupA, s.Alice.Token, message("after-field", "second"))
	if len(saved) != 1 {
		t.Fatalf("saved %d actions, expected 1", len(saved))
	}
	record, err := r.app.FindFirstRecordByData("actions", "client_id", "after-field")
	if err != nil {
		t.Fatal(err)
	}
	if record.GetString("body") != "second" {
		t.Errorf("body %q, expected %q", record.GetString("body"), "second")
	}
	if record.GetInt("seq") != saved[0].ID {
		t.Errorf("seq %d, expected the id in the answer, %d", record.GetInt("seq"), saved[0].ID)
	}
}
