package hooks_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// TestInsideMemberStaleSignIn checks that the one-query membership check of
// posts and subscriptions rejects a caller who left the room after the
// request middleware read their sign-in session.
func TestInsideMemberStaleSignIn(t *testing.T) {
	checks := map[string]func(app core.App, user, signIn *core.Record, roomID string) error{
		"post":         hooks.RequireInsideMember,
		"subscription": hooks.RequireSubscribingMember,
	}
	for name, check := range checks {
		t.Run(name, func(t *testing.T) {
			r := newRoomTestApp(t)
			s := r.study
			r.enter(s.GroupA, s.Alice.Token)
			alice, err := r.app.FindRecordById("users", s.Alice.ID)
			if err != nil {
				t.Fatal(err)
			}
			readBeforeLeaving, err := r.app.FindRecordById("sign_in_sessions", s.Alice.SignInSessionID)
			if err != nil {
				t.Fatal(err)
			}

			if err := check(r.app, alice, readBeforeLeaving, s.GroupA); err != nil {
				t.Fatalf("member inside the room: %v", err)
			}

			r.mustCall(http.StatusOK, http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/leave", s.Alice.Token, "")
			err = check(r.app, alice, readBeforeLeaving, s.GroupA)
			var apiErr *router.ApiError
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict {
				t.Errorf("member who left since the middleware read: error %v, expected 409", err)
			}
		})
	}
}
