package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
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

// TestPostsWhileActionsFieldsChange posts from three members while staff
// keep adding fields to the actions collection, so that new inserts are
// prepared while other posts hold the write connection. Every post must
// finish.
func TestPostsWhileActionsFieldsChange(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	posters := []hearthtest.Person{s.Alice, s.Bob, s.Therapist}
	for _, person := range posters {
		r.enter(s.GroupA, person.Token)
	}

	const postsEach = 15
	finished := make(chan error, len(posters))
	for _, person := range posters {
		go func() {
			for i := range postsEach {
				body, _ := json.Marshal([]any{message(fmt.Sprintf("%s-%d", person.ID, i), "hello")})
				status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", person.Token, string(body))
				if status != http.StatusOK {
					finished <- fmt.Errorf("post %d of %s: status %d: %s", i, person.Alias, status, answer)
					return
				}
			}
			finished <- nil
		}()
	}

	stopEditing := make(chan struct{})
	edited := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stopEditing:
				edited <- nil
				return
			default:
			}
			actions, err := r.app.FindCollectionByNameOrId("actions")
			if err != nil {
				edited <- err
				return
			}
			actions.Fields.Add(&core.TextField{Name: fmt.Sprintf("staff_note_%d", i)})
			if err := r.app.Save(actions); err != nil {
				edited <- err
				return
			}
		}
	}()

	timeout := time.After(60 * time.Second)
	for range posters {
		select {
		case err := <-finished:
			if err != nil {
				t.Error(err)
			}
		case <-timeout:
			t.Fatal("posts did not finish within 60 s while the actions fields changed")
		}
	}
	close(stopEditing)
	if err := <-edited; err != nil {
		t.Fatal(err)
	}
	count, err := r.app.CountRecords("actions", dbx.HashExp{"type": "message"})
	if err != nil {
		t.Fatal(err)
	}
	if count != int64(len(posters)*postsEach) {
		t.Errorf("messages saved: %d, expected %d", count, len(posters)*postsEach)
	}
}
