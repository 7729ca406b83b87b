package hooks_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
)

// A refused enter must leave the caller exactly where they were: still
// inside the session they were in, with its attendance open, its realtime
// delivery running and no "left" notice.
func TestRefusedEnterKeepsCurrentSession(t *testing.T) {
	cases := []struct {
		name   string
		refuse func(r *roomTestApp)
		status int
	}{
		{"closed", func(r *roomTestApp) { setStatus(r.t, r.app, r.study.GroupB, "closed") }, 409},
		{"scheduled", func(r *roomTestApp) { setStatus(r.t, r.app, r.study.GroupB, "scheduled") }, 409},
		{"removed", func(r *roomTestApp) {
			r.mustCall(200, http.MethodPost, "/api/therapy-sessions/"+r.study.GroupB+"/remove/"+r.study.Alice.ID,
				r.study.OtherTherapist.Token, "")
		}, 403},
		{"missing assessment", func(r *roomTestApp) {
			addRequiredAssessment(r.t, r.app, r.study.GroupB, "consent", r.study.Alice.ID, "")
		}, 409},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoomTestApp(t)
			s := r.study
			server := httptest.NewServer(r.mux)
			t.Cleanup(server.Close)
			topic := "therapy-sessions/" + s.GroupA

			groupB, _ := r.app.FindRecordById("therapy_sessions", s.GroupB)
			groupB.Set("participants", append(groupB.GetStringSlice("participants"), s.Alice.ID))
			if err := r.app.Save(groupB); err != nil {
				t.Fatal(err)
			}
			r.enter(s.GroupA, s.Alice.Token)
			alice := connectSSE(t, server.URL)
			if status := alice.subscribe(s.Alice.Token, topic); status != 204 {
				t.Fatalf("subscribing: status %d", status)
			}
			tc.refuse(r)
			actionsInB, _ := r.app.CountRecords("actions", dbx.HashExp{"therapy_session": s.GroupB})

			status, body := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupB+"/enter", s.Alice.Token, "")
			if status != tc.status {
				t.Fatalf("enter Group B: status %d, want %d; body %s", status, tc.status, body)
			}

			signIn, _ := r.app.FindRecordById("sign_in_sessions", s.Alice.SignInSessionID)
			if got := signIn.GetString("therapy_session"); got != s.GroupA {
				t.Errorf("sign-in session's therapy_session = %q, want Group A", got)
			}
			openInA, _ := r.app.CountRecords("attendance", dbx.HashExp{"therapy_session": s.GroupA, "user": s.Alice.ID, "left_at": ""})
			if openInA != 1 {
				t.Errorf("open attendance rows in Group A: %d, want 1", openInA)
			}
			rowsInB, _ := r.app.CountRecords("attendance", dbx.HashExp{"therapy_session": s.GroupB})
			if rowsInB != 0 {
				t.Errorf("attendance rows in Group B: %d, want 0", rowsInB)
			}
			if after, _ := r.app.CountRecords("actions", dbx.HashExp{"therapy_session": s.GroupB}); after != actionsInB {
				t.Errorf("actions in Group B: %d after the refused enter, want %d", after, actionsInB)
			}

			// Alice can still read Group A, whose log has no "Alice left".
			actions := r.list(s.GroupA, s.Alice.Token).Actions
			if len(actions) != 1 || actions[0].Body != "Alice joined" {
				t.Errorf("Group A log: %+v, want only \"Alice joined\"", actions)
			}

			// Her realtime delivery still runs: the next event is the
			// therapist joining, not an "ended" message.
			r.enter(s.GroupA, s.Therapist.Token)
			if got := alice.nextAction(topic); got.Type != "notice" || got.Body != "Therapist joined" {
				t.Errorf("Alice's next realtime event: %+v, want the notice \"Therapist joined\"", got)
			}
		})
	}
}

// Two enters of one sign-in session racing between two rooms lock both rooms
// in the same order, so neither waits forever, and they leave the sign-in
// session inside exactly one room with exactly one open attendance row.
func TestConcurrentEntersOfOneSignIn(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	groupB, _ := r.app.FindRecordById("therapy_sessions", s.GroupB)
	groupB.Set("participants", append(groupB.GetStringSlice("participants"), s.Alice.ID))
	if err := r.app.Save(groupB); err != nil {
		t.Fatal(err)
	}

	const rounds = 10
	failures := make(chan string, 2*rounds)
	for range rounds {
		var wg sync.WaitGroup
		for _, roomID := range []string{s.GroupA, s.GroupB} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body := r.call(http.MethodPost, "/api/therapy-sessions/"+roomID+"/enter", s.Alice.Token, "")
				if status != 200 && status != 409 {
					failures <- fmt.Sprintf("enter: status %d: %s", status, body)
				}
			}()
		}
		wg.Wait()
	}
	close(failures)
	for failure := range failures {
		t.Error(failure)
	}

	signIn, _ := r.app.FindRecordById("sign_in_sessions", s.Alice.SignInSessionID)
	inside := signIn.GetString("therapy_session")
	if inside != s.GroupA && inside != s.GroupB {
		t.Fatalf("sign-in session's therapy_session = %q, want Group A or Group B", inside)
	}
	open, _ := r.app.FindAllRecords("attendance", dbx.HashExp{"user": s.Alice.ID, "left_at": ""})
	if len(open) != 1 || open[0].GetString("therapy_session") != inside {
		t.Errorf("open attendance rows: %d, want 1 in the room the sign-in session is inside", len(open))
	}
}
