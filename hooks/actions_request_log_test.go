package hooks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
)

// TestActionRoutesLogOnlyFailures checks that a successful post or poll of
// the action log stays out of PocketBase's request log, while a rejected one
// is still written there.
func TestActionRoutesLogOnlyFailures(t *testing.T) {
	r := newRoomTestApp(t)
	// PocketBase's test app turns the request log off.
	r.app.Settings().Logs.MaxDays = 5
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	actions := "/api/therapy-sessions/" + s.GroupA + "/actions"

	r.post(s.GroupA, s.Alice.Token, message("logged-1", "hello"))
	r.mustCall(http.StatusOK, http.MethodGet, actions+"?after=0", s.Alice.Token, "")
	r.mustCall(http.StatusBadRequest, http.MethodPost, actions, s.Alice.Token, "[]")

	// PocketBase writes its request log in batches. Wait for the rejected
	// post, which must be there, before looking for the others.
	var entries []struct {
		Data string `db:"data"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries = nil
		err := r.app.AuxDB().Select("data").From("_logs").
			Where(dbx.Like("data", "/therapy-sessions/"+s.GroupA+"/actions")).
			All(&entries)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	var rejected, succeeded int
	for _, entry := range entries {
		switch {
		case strings.Contains(entry.Data, `"status":400`):
			rejected++
		case strings.Contains(entry.Data, `"status":200`):
			succeeded++
		}
	}
	if rejected != 1 {
		t.Errorf("rejected posts in the request log: %d, want 1 (entries: %v)", rejected, entries)
	}
	if succeeded != 0 {
		t.Errorf("successful action requests in the request log: %d, want 0 (entries: %v)", succeeded, entries)
	}
}
